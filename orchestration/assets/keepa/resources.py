"""Keepa as a Dagster resource: api.keepa.com or the sandbox, only the base URL and key differ."""

import dagster as dg

from orchestration.keepa.client import KeepaClient, build_client
from orchestration.keepa.transport import KEEPA_BASE_URL


class KeepaResource(dg.ConfigurableResource):
    api_key: str
    base_url: str = KEEPA_BASE_URL
    history_days: int = 730  # how much history Keepa sends per product (the series retention is two years)
    seller_id: str = ""  # ours (the SP-API merchant id): whose Buy Box a hijacker or Amazon can take


    def client(self) -> KeepaClient:
        return build_client(self.base_url, self.api_key)


def bound_keepa_resource() -> KeepaResource:
    """Where the key enters: an environment variable (filled from system.creds by `listing-helper`). Our seller
    id is the one the SP-API uses."""
    return KeepaResource(api_key=dg.EnvVar("LISTING_HELPER_KEEPA_API_KEY"),
                         base_url=dg.EnvVar("LISTING_HELPER_KEEPA_BASE_URL"),
                         seller_id=dg.EnvVar("LISTING_HELPER_SPAPI_SELLER_ID"))
