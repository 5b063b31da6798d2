"""The keepa.Keepa client for a configured base URL and key, wrapped to avoid the library's traps.

Traps (DESIGN.md section 6): its /product parsing crashes on csv with fewer than 36 series (we
ask for raw responses and parse ourselves, see parsing.py); on 429 it sleeps for as long as it
computes, uncapped (our _request never sleeps: it raises, and KeepaClient waits a capped time);
it does not retry 5xx (we retry 5xx and timeouts a capped number of times; 400/402 never).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import keepa
import requests

from .transport import KEEPA_BASE_URL, keepa_session, redacted_error

log = logging.getLogger(__name__)
DOMAIN = "GB"  # keepa's name for amazon.co.uk, domain id 2 ('UK' raises)
DOMAIN_ID = 2
TOKENS_PER_ASIN = 3  # 1 per product + 2 for the Buy Box history we always ask for


class KeepaError(RuntimeError):
    def __init__(self, status: int, message: str, envelope: dict | None = None):
        super().__init__(f"Keepa HTTP {status}: {message}")
        self.status, self.envelope = status, envelope or {}


class KeepaThrottled(KeepaError):
    """429: not enough tokens. envelope carries tokensLeft and refillIn (ms)."""


class KeepaServerError(KeepaError):
    """5xx: worth retrying."""


class KeepaRequestError(KeepaError):
    """400 (bad key or parameters), 402 (payment required) and other 4xx: retrying cannot help."""


@dataclass
class KeepaConfig:
    key: str = field(repr=False)
    base_url: str = KEEPA_BASE_URL
    timeout: float = 10.0
    max_retries: int = 3  # per call, for 5xx, timeouts and 429
    max_wait_seconds: float = 90.0  # longest single wait for tokens or a retry
    batch_size: int = 10  # ASINs per /product call at most: small, each persisted before the next


class SellerKeepa(keepa.Keepa):
    """keepa.Keepa sending through our Session (transport.py) and never sleeping on its own.

    Overriding _request is the library's only seam: it calls requests.get itself. Same contract
    as the original (returns the JSON body, or the Response when raw_response), but one attempt.
    """

    def __init__(self, config: KeepaConfig):
        super().__init__(config.key, timeout=config.timeout, logging_level="WARNING")
        self.session = keepa_session(config.base_url)
        self.last_envelope: dict = {}

    def _request(self, request_type, payload, wait=True, raw_response=False, is_json=True):
        failure = None
        try:
            resp = self.session.get(f"{KEEPA_BASE_URL}/{request_type}/?", params=payload,
                                    headers={"Accept-Encoding": "gzip, deflate"}, timeout=self._timeout)
        except requests.RequestException as exc:  # its message holds the URL, and so the key
            failure = redacted_error(exc)
        if failure is not None:
            raise failure  # raised outside the except block: no __context__ back to the original
        if not is_json:
            return resp
        try:
            body = resp.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            self.last_envelope = {k: body[k] for k in ("tokensLeft", "refillIn", "refillRate", "timestamp",
                                                       "tokensConsumed") if k in body}
            if "tokensLeft" in body:
                self.tokens_left = self.status.tokensLeft = body["tokensLeft"]
            for k in ("refillIn", "refillRate", "timestamp"):
                if k in body:
                    setattr(self.status, k, body[k])
        if resp.status_code == 200 and isinstance(body, dict):
            return resp if raw_response else body
        message = (body or {}).get("error", {}).get("message", resp.reason) if isinstance(body, dict) else resp.reason
        cls = (KeepaThrottled if resp.status_code == 429 else KeepaServerError if resp.status_code >= 500
               else KeepaRequestError)
        raise cls(resp.status_code, str(message), body if isinstance(body, dict) else None)


class KeepaClient:
    """Our calls: capped waits and retries around the library. `sleep` is injectable for tests."""

    def __init__(self, config: KeepaConfig, *, sleep: Callable[[float], None] = time.sleep,
                 on_envelope: Callable[[dict], None] | None = None):
        self.config = config
        self.api = SellerKeepa(config)
        self.sleep = sleep
        self.on_envelope = on_envelope  # e.g. the budget's reconcile
        self.waited_seconds = 0.0
        self.calls = 0

    def _wait(self, seconds: float) -> None:
        seconds = max(0.0, min(seconds, self.config.max_wait_seconds))
        self.waited_seconds += seconds
        self.sleep(seconds)

    def call(self, fn: Callable[[], object]):
        """Run one library call, waiting (capped) on 429 and retrying 5xx/timeouts up to max_retries."""
        for attempt in range(self.config.max_retries + 1):
            self.calls += 1
            try:
                result = fn()
                self._report()
                return result
            except KeepaThrottled as exc:
                self._report()
                if attempt == self.config.max_retries:
                    raise
                env = exc.envelope
                short = max(1, -int(env.get("tokensLeft", 0)) + 1)
                rate = max(1, int(env.get("refillRate") or 1))
                self._wait(env.get("refillIn", 60000) / 1000 + (short - 1) / rate * 60)
            except (KeepaServerError, requests.Timeout, requests.ConnectionError) as exc:
                self._report()
                if attempt == self.config.max_retries:
                    raise
                log.warning("Keepa call failed (%s); retry %d", exc, attempt + 1)
                self._wait(2 ** attempt)
        raise AssertionError("unreachable")

    def _report(self) -> None:
        if self.on_envelope and self.api.last_envelope:
            self.on_envelope(dict(self.api.last_envelope))

    def token_status(self) -> dict:
        self.call(self.api.update_status)
        return dict(self.api.last_envelope)

    def product_payload(self, asins: list[str], days: int | None = None) -> dict:
        """One /product call, raw JSON (the library's csv parsing is skipped: parsing.py does it)."""
        if len(asins) > 100:
            raise ValueError("Keepa takes at most 100 ASINs per call")
        responses = self.call(lambda: self.api.query(
            asins, domain=DOMAIN, history=True, stats=90, buybox=True, rating=False, days=days, raw=True,
            wait=False, progress_bar=False))
        return responses[0].json()

    def current_offers(self, asins: list[str]) -> dict:
        """One /product call without history (1 token per ASIN): current prices in stats, categories. Raw JSON."""
        if len(asins) > 100:
            raise ValueError("Keepa takes at most 100 ASINs per call")
        responses = self.call(lambda: self.api.query(
            asins, domain=DOMAIN, history=False, stats=1, buybox=False, rating=False, raw=True, wait=False,
            progress_bar=False))
        return responses[0].json()

    def best_sellers(self, category: int | str) -> list[str]:
        return list(self.call(lambda: self.api.best_sellers_query(str(category), domain=DOMAIN, wait=False)))

    def product_finder(self, selection: dict, n_products: int = 50) -> list[str]:
        return list(self.call(lambda: self.api.product_finder(selection, domain=DOMAIN, wait=False,
                                                              n_products=n_products)))

    def sellers(self, seller_ids: list[str]) -> dict:
        return self.call(lambda: self.api.seller_query(seller_ids, domain=DOMAIN, to_datetime=False,
                                                       storefront=True, wait=False))


def build_client(base_url: str, key: str, **kw) -> KeepaClient:
    """A client for the given endpoint and key (the sandbox's, or api.keepa.com in production)."""
    sleep = kw.pop("sleep", time.sleep)
    on_envelope = kw.pop("on_envelope", None)
    return KeepaClient(KeepaConfig(key=key, base_url=base_url, **kw), sleep=sleep, on_envelope=on_envelope)
