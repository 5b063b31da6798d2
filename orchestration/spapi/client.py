"""Builds python-amazon-sp-api clients for a configured endpoint: Amazon or the sandbox, config only differs."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, TypeVar
from urllib.parse import urlsplit

from sp_api.api import (AplusContent, CatalogItems, ListingsItems, ProductFees, Products, Reports)
from sp_api.auth import AccessTokenClient
from sp_api.auth._core import build_cache_key
from sp_api.base import Marketplaces
from sp_api.base.credential_provider import FromCodeCredentialProvider

AMAZON_EU_ENDPOINT = "https://sellingpartnerapi-eu.amazon.com"
AMAZON_LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token"
UK_MARKETPLACE_ID = "A1F83G8C2ARO7P"
ENV_PREFIX = "LISTING_HELPER_SPAPI_"

C = TypeVar("C")


@dataclass(frozen=True)
class SpApiConfig:
    """Where and as whom to call the SP-API. Secrets are excluded from repr and str."""

    lwa_app_id: str
    lwa_client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    seller_id: str = ""
    endpoint: str = AMAZON_EU_ENDPOINT
    lwa_token_url: str = AMAZON_LWA_TOKEN_URL
    marketplace_id: str = UK_MARKETPLACE_ID
    timeout: float = 60.0

    def __post_init__(self) -> None:
        for name in ("endpoint", "lwa_token_url"):
            parts = urlsplit(getattr(self, name))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"{name} must be an absolute http(s) URL")
        missing = [n for n in ("lwa_app_id", "lwa_client_secret", "refresh_token") if not getattr(self, n)]
        if missing:
            raise ValueError(f"missing SP-API credentials: {', '.join(missing)}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, prefix: str = ENV_PREFIX) -> "SpApiConfig":
        """Read LISTING_HELPER_SPAPI_{LWA_APP_ID,LWA_CLIENT_SECRET,REFRESH_TOKEN,SELLER_ID,ENDPOINT,...}."""
        env = os.environ if env is None else env

        def get(name: str, default: str = "") -> str:
            return env.get(prefix + name, default)

        return cls(lwa_app_id=get("LWA_APP_ID"), lwa_client_secret=get("LWA_CLIENT_SECRET"),
                   refresh_token=get("REFRESH_TOKEN"), seller_id=get("SELLER_ID"),
                   endpoint=get("ENDPOINT", AMAZON_EU_ENDPOINT), lwa_token_url=get("LWA_TOKEN_URL", AMAZON_LWA_TOKEN_URL),
                   marketplace_id=get("MARKETPLACE_ID", UK_MARKETPLACE_ID), timeout=float(get("TIMEOUT", "60")))


@lru_cache(maxsize=64)
def token_client_class(token_url: str) -> type[AccessTokenClient]:
    """An LWA client posting to `token_url` (the library hard-codes api.amazon.com)."""
    parts = urlsplit(token_url)

    class LwaTokenClient(AccessTokenClient):
        scheme = f"{parts.scheme}://"
        host = parts.netloc
        path = parts.path or "/auth/o2/token"

        def _get_cache_key(self, token_flavor: str = "") -> str:
            # The library caches access tokens process-wide keyed by refresh token only; add the token
            # URL and app id so a sandbox token is never sent to Amazon, nor to another sandbox.
            return build_cache_key(self.cred.refresh_token, f"{token_flavor}|{token_url}|{self.cred.client_id}")

    LwaTokenClient.__qualname__ = LwaTokenClient.__name__ = "LwaTokenClient"
    return LwaTokenClient


def _marketplace(marketplace_id: str) -> Marketplaces:
    for m in Marketplaces:
        if m.marketplace_id == marketplace_id:
            return m
    raise ValueError(f"unknown marketplace id {marketplace_id!r}")


def make_client(api_class: type[C], config: SpApiConfig, **kwargs) -> C:
    """Any python-amazon-sp-api client class, pointed at config.endpoint and config.lwa_token_url."""
    _install_log_redaction()
    client = api_class(
        marketplace=_marketplace(config.marketplace_id),
        refresh_token=config.refresh_token,
        credentials={"lwa_app_id": config.lwa_app_id, "lwa_client_secret": config.lwa_client_secret,
                     "refresh_token": config.refresh_token},
        # Only the config: never environment variables or ~/.config files the library would also read.
        credential_providers=[FromCodeCredentialProvider],
        auth_token_client_class=token_client_class(config.lwa_token_url),
        timeout=config.timeout,
        **kwargs,
    )
    client.endpoint = config.endpoint.rstrip("/")
    client.marketplace_id = config.marketplace_id  # SP_API_DEFAULT_MARKETPLACE must not override the config
    return client


def reports_client(config: SpApiConfig) -> Reports:
    return make_client(Reports, config)


def catalog_client(config: SpApiConfig):
    return make_client(CatalogItems, config, version="2022-04-01")


def listings_client(config: SpApiConfig):
    return make_client(ListingsItems, config, version="2021-08-01")


def fees_client(config: SpApiConfig) -> ProductFees:
    return make_client(ProductFees, config)


def pricing_client(config: SpApiConfig):
    """Product Pricing v0 (getCompetitivePricing)."""
    return make_client(Products, config, version="v0")


def featured_offer_client(config: SpApiConfig):
    """Product Pricing 2022-05-01 (featured offer expected price batch)."""
    return make_client(Products, config, version="2022-05-01")


def aplus_client(config: SpApiConfig) -> AplusContent:
    return make_client(AplusContent, config)


# ----- keep tokens and signed URLs out of logs ---------------------------------------------------------
_SECRET_PATTERNS = [
    (re.compile(r"Atz[ar]\|[^\s'\",}]+"), "Atz*|[redacted]"),
    (re.compile(r"(['\"]?(?:x-amz-access-token|client_secret|refresh_token|access_token)['\"]?\s*[:=]\s*['\"]?)"
                r"[^'\"\s,}&]+", re.I), r"\1[redacted]"),
    (re.compile(r"(X-Amz-(?:Signature|Security-Token|Credential)=)[^&\s'\"]+", re.I), r"\1[redacted]"),
]


class RedactSecrets(logging.Filter):
    """Rewrites log records so access tokens, refresh tokens, secrets and URL signatures never print."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = message
        for pattern, repl in _SECRET_PATTERNS:
            redacted = pattern.sub(repl, redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_REDACTED_LOGGERS = ("sp_api", "sp_api.base.client", "sp_api.auth.access_token_client",
                     "sp_api.api.reports.reports", "httpx", "httpcore")


def _install_log_redaction() -> None:
    # The library logs request headers (with the access token) at DEBUG; filters sit on each logger
    # because a parent's filters do not see its children's records.
    for name in _REDACTED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
