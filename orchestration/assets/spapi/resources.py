"""The SP-API as a Dagster resource: Amazon or the sandbox, only the configuration differs."""

import dagster as dg
from pydantic import Field

from orchestration.spapi import client as spapi_client


class SpApiResource(dg.ConfigurableResource):
    """Credentials are bound as EnvVars (LISTING_HELPER_SPAPI_*); `listing-helper` fills them from
    system.creds when they are not set in the environment."""

    lwa_app_id: str
    lwa_client_secret: str
    refresh_token: str
    seller_id: str = ""
    endpoint: str = spapi_client.AMAZON_EU_ENDPOINT
    lwa_token_url: str = spapi_client.AMAZON_LWA_TOKEN_URL
    marketplace_id: str = spapi_client.UK_MARKETPLACE_ID
    report_poll_ms: int = Field(default=30_000, description="Wait between getReport polls (Amazon: 30 s or more).")
    report_max_polls: int = Field(default=120, description="Polls before giving up; the report stays in the ledger for the next run.")

    def config(self) -> spapi_client.SpApiConfig:
        return spapi_client.SpApiConfig(
            lwa_app_id=self.lwa_app_id, lwa_client_secret=self.lwa_client_secret, refresh_token=self.refresh_token,
            seller_id=self.seller_id, endpoint=self.endpoint, lwa_token_url=self.lwa_token_url,
            marketplace_id=self.marketplace_id,
        )

    def reports(self):
        return spapi_client.reports_client(self.config())

    def catalog(self):
        return spapi_client.catalog_client(self.config())

    def listings(self):
        return spapi_client.listings_client(self.config())

    def fees(self):
        return spapi_client.fees_client(self.config())

    def pricing(self):
        return spapi_client.pricing_client(self.config())


def bound_spapi_resource() -> SpApiResource:
    """Where secrets enter: environment variables, never literals."""
    return SpApiResource(
        lwa_app_id=dg.EnvVar("LISTING_HELPER_SPAPI_LWA_APP_ID"),
        lwa_client_secret=dg.EnvVar("LISTING_HELPER_SPAPI_LWA_CLIENT_SECRET"),
        refresh_token=dg.EnvVar("LISTING_HELPER_SPAPI_REFRESH_TOKEN"),
        seller_id=dg.EnvVar("LISTING_HELPER_SPAPI_SELLER_ID"),
        endpoint=dg.EnvVar("LISTING_HELPER_SPAPI_ENDPOINT"),
        lwa_token_url=dg.EnvVar("LISTING_HELPER_SPAPI_LWA_TOKEN_URL"),
        report_poll_ms=dg.EnvVar.int("LISTING_HELPER_SPAPI_REPORT_POLL_MS"),
    )
