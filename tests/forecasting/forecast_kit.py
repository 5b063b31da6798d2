"""A small sandbox seller loaded straight into a migrated database (bench/forecasts.py's loader), its last
28 days held out, with the dbt margin marts the price suggestions read."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from orchestration import settings

BENCH = settings.PROJECT_ROOT / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from forecasts import HOLD_OUT, load_world  # noqa: E402

# A fixed calendar keeps the world (and so every figure below) the same whatever day the tests run.
END_DATE = dt.date(2026, 10, 31)
LISTINGS, DAYS, SEED = 48, 400, 11


@dataclass
class Loaded:
    url: str
    world: object
    ids: dict[str, str]
    held_out: list[dt.date]


def load(url: str):
    import psycopg

    from orchestration.sandbox import build_world

    world = build_world(seed=SEED, listing_count=LISTINGS, days=DAYS, end_date=END_DATE)
    with psycopg.connect(url, autocommit=True) as conn:
        ids, held = load_world(conn, world, HOLD_OUT)
    return Loaded(url, world, ids, held)


def build_margin_marts(url: str) -> None:
    """dbt run of the margin marts (and what they read) with its own target folder (others use target/)."""
    env = {**os.environ, "LISTING_HELPER_DATABASE_URL": url}
    with tempfile.TemporaryDirectory(prefix="lh_forecast_dbt_") as folder:
        target = Path(folder)
        cmd = [str(Path(sys.executable).with_name("listing-helper")), "dbt", "run", "--select",
               "+fct_listing_price_points", "+fct_listing_margins", "--target-path", str(target),
               "--log-path", str(target / "logs")]
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.PROJECT_ROOT, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
