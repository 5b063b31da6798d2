"""Where the platform keeps its files and how it reads its configuration (environment only)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

# The repository root: sql/timescale and dbt_project live beside the package (installed editable).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql" / "timescale"
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"

DATABASE_URL_ENV = "LISTING_HELPER_DATABASE_URL"
TIMESCALEDB_ENV = "LISTING_HELPER_TIMESCALEDB"
HOME_ENV = "LISTING_HELPER_HOME"
SECRET_KEY_ENV = "LISTING_HELPER_SECRET_KEY"
DAGSTER_DATABASE_URL_ENV = "LISTING_HELPER_DAGSTER_DATABASE_URL"


def home_dir() -> Path:
    """The project-local folder for the embedded database, Dagster's home, exports and keys."""
    configured = os.environ.get(HOME_ENV)
    path = Path(configured).expanduser() if configured else PROJECT_ROOT / ".listing-helper"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def configured_database_url() -> str | None:
    """The user's own PostgreSQL/TimescaleDB, if they pointed us at one."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    return url or None


def timescaledb_mode() -> str:
    mode = os.environ.get(TIMESCALEDB_ENV, "auto").strip().lower() or "auto"
    if mode not in {"auto", "on", "off"}:
        raise ValueError(f"{TIMESCALEDB_ENV} must be one of auto, on, off (got {mode!r})")
    return mode


def venv_tool(name: str) -> str:
    """A console script installed beside this interpreter (the project's venv), whether or not it is on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)
