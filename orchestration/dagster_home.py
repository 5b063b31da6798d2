"""Dagster's instance folder: local storage by default, PostgreSQL in its own database when configured."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration import settings

_POSTGRES_STORAGE = """
storage:
  postgres:
    postgres_url:
      env: {env}
"""


def prepare_dagster_home(home: Path | None = None) -> Path:
    """Create DAGSTER_HOME with the right dagster.yaml and export it for Dagster processes."""
    dagster_home = (home or settings.home_dir()) / "dagster"
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = (settings.PROJECT_ROOT / "dagster.yaml").read_text()
    if os.environ.get(settings.DAGSTER_DATABASE_URL_ENV):
        # The URL is read from the environment by Dagster, never written into the file.
        config += _POSTGRES_STORAGE.format(env=settings.DAGSTER_DATABASE_URL_ENV)
    target = dagster_home / "dagster.yaml"
    if not target.exists() or target.read_text() != config:
        target.write_text(config)
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    return dagster_home
