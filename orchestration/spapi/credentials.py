"""SP-API and Keepa settings for Dagster's EnvVars: the environment first, then system.creds, then the defaults."""

from __future__ import annotations

import os

import psycopg

from orchestration.keepa.transport import KEEPA_BASE_URL
from orchestration.spapi.client import AMAZON_EU_ENDPOINT, AMAZON_LWA_TOKEN_URL

# environment variable -> credential name in system.creds (secrets) or default value (settings)
SECRET_VARIABLES = {
    "LISTING_HELPER_SPAPI_LWA_APP_ID": "sp_api.lwa_app_id",
    "LISTING_HELPER_SPAPI_LWA_CLIENT_SECRET": "sp_api.lwa_client_secret",
    "LISTING_HELPER_SPAPI_REFRESH_TOKEN": "sp_api.refresh_token",
    "LISTING_HELPER_KEEPA_API_KEY": "keepa.api_key",
}
DEFAULTS = {
    "LISTING_HELPER_SPAPI_SELLER_ID": "",
    "LISTING_HELPER_SPAPI_ENDPOINT": AMAZON_EU_ENDPOINT,
    "LISTING_HELPER_SPAPI_LWA_TOKEN_URL": AMAZON_LWA_TOKEN_URL,
    "LISTING_HELPER_SPAPI_REPORT_POLL_MS": "30000",
    "LISTING_HELPER_KEEPA_BASE_URL": KEEPA_BASE_URL,
}


def export_source_env(conn: psycopg.Connection | None) -> list[str]:
    """Fill unset variables; return the names still missing (no SP-API credentials configured)."""
    for name, default in DEFAULTS.items():
        os.environ.setdefault(name, default)
    missing = [name for name in SECRET_VARIABLES if not os.environ.get(name)]
    if missing and conn is not None:
        from orchestration.db.secrets import SecretStore

        store = SecretStore(conn)
        for name in list(missing):
            secret = store.get(SECRET_VARIABLES[name])
            if secret is not None:
                os.environ[name] = secret.reveal()
                missing.remove(name)
    return missing
