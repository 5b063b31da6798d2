"""One small loaded seller per module: forecasts and price suggestions run on it once."""

import psycopg
import pytest
from forecast_kit import Loaded, build_margin_marts, load

from orchestration.forecasting.runs import run_forecasts
from orchestration.price_suggestions.run import run as run_price_suggestions


@pytest.fixture(scope="module")
def loaded(migrated_db) -> Loaded:
    return load(migrated_db)


@pytest.fixture(scope="module")
def forecast_run(loaded):
    with psycopg.connect(loaded.url, autocommit=True) as conn:
        return run_forecasts(conn)


@pytest.fixture(scope="module")
def price_run(loaded):
    build_margin_marts(loaded.url)
    with psycopg.connect(loaded.url, autocommit=True) as conn:
        return run_price_suggestions(conn)
