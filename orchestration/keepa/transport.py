"""The one place Keepa's hard-coded https://api.keepa.com is pointed at the configured base URL.

keepa 1.6.0 builds every URL as f"https://api.keepa.com/{request_type}/?" and sends it with the
module-level requests.get, i.e. a throw-away Session per call: there is no session or base-URL
hook to configure. So the redirect lives in a requests transport adapter that rewrites the
URL prefix, mounted on a Session we own; client.SellerKeepa routes the library's calls through
that Session. Production and sandbox differ only by the configured base URL; with the real base
URL the adapter changes nothing. No module function of keepa is replaced.
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

KEEPA_BASE_URL = "https://api.keepa.com"


class KeepaBaseUrlAdapter(HTTPAdapter):
    """Sends requests addressed to api.keepa.com to `base_url` instead (same path and query)."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def send(self, request, **kwargs):
        if request.url.startswith(KEEPA_BASE_URL + "/") and self.base_url != KEEPA_BASE_URL:
            request.url = self.base_url + request.url[len(KEEPA_BASE_URL):]
        return super().send(request, **kwargs)


def keepa_session(base_url: str = KEEPA_BASE_URL) -> requests.Session:
    session = requests.Session()
    session.mount(KEEPA_BASE_URL + "/", KeepaBaseUrlAdapter(base_url))
    return session
