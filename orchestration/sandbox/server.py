"""The sandbox marketplace HTTP server: LWA, SP-API routes, fault injection, admin endpoints."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from . import admin_routes, keepa_routes, reports_api, spapi_pricing, spapi_routes
from .faults import RATE_LIMITS, Faults, FaultState
from .http_util import ApiError, Request, Response, error_response, json_response
from .world import SELLER_ID, World

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SandboxCredentials:
    """What a client must present to the sandbox's LWA endpoint. Secrets stay out of repr."""

    lwa_app_id: str = "amzn1.application-oa2-client.sandbox0listinghelper0000000000001"
    lwa_client_secret: str = field(default="amzn1.oa2-cs.v1.sandbox-listing-helper-client-secret", repr=False)
    refresh_token: str = field(default="Atzr|IwEBISandboxListingHelperRefreshToken0001", repr=False)
    seller_id: str = SELLER_ID
    keepa_key: str = field(default=keepa_routes.KEEPA_KEY, repr=False)


@dataclass
class Route:
    method: str
    pattern: list[str]
    operation: str
    handler: object
    auth: bool = True


def _route(method: str, path: str, operation: str, handler, auth: bool = True) -> Route:
    return Route(method, path.strip("/").split("/"), operation, handler, auth)


ROUTES = [
    _route("POST", "/auth/o2/token", "lwaToken", None, auth=False),
    _route("POST", "/reports/2021-06-30/reports", "createReport", reports_api.create_report),
    _route("GET", "/reports/2021-06-30/reports", "getReports", reports_api.get_reports),
    _route("GET", "/reports/2021-06-30/reports/{reportId}", "getReport", reports_api.get_report),
    _route("DELETE", "/reports/2021-06-30/reports/{reportId}", "cancelReport", reports_api.cancel_report),
    _route("GET", "/reports/2021-06-30/documents/{documentId}", "getReportDocument", reports_api.get_report_document),
    _route("GET", "/_sandbox/documents/{documentId}", "downloadDocument", reports_api.download_document, auth=False),
    _route("GET", "/catalog/2022-04-01/items/{asin}", "getCatalogItem", spapi_routes.get_catalog_item),
    _route("GET", "/listings/2021-08-01/items/{sellerId}/{sku}", "getListingsItem", spapi_routes.get_listings_item),
    _route("PATCH", "/listings/2021-08-01/items/{sellerId}/{sku}", "patchListingsItem",
           spapi_routes.patch_listings_item),
    _route("POST", "/products/fees/v0/listings/{sku}/feesEstimate", "getMyFeesEstimateForSKU",
           spapi_pricing.fees_estimate_for_sku),
    _route("GET", "/products/pricing/v0/competitivePrice", "getCompetitivePricing", spapi_pricing.competitive_pricing),
    _route("POST", "/batches/products/pricing/2022-05-01/offer/featuredOfferExpectedPrice",
           "getFeaturedOfferExpectedPriceBatch", spapi_pricing.featured_offer_expected_price),
    _route("GET", "/aplus/2020-11-01/contentDocuments", "searchContentDocuments", spapi_pricing.search_content_documents),
    _route("GET", "/aplus/2020-11-01/contentPublishRecords", "searchContentPublishRecords",
           spapi_pricing.search_publish_records),
    _route("GET", "/_sandbox/inventory/{file}", "sandboxInventory", admin_routes.inventory_file, auth=False),
    _route("GET", "/_sandbox/ground-truth", "sandboxGroundTruth", admin_routes.ground_truth, auth=False),
    _route("GET", "/_sandbox/faults", "sandboxFaults", admin_routes.get_faults, auth=False),
    _route("POST", "/_sandbox/faults", "sandboxFaults", admin_routes.set_faults, auth=False),
    _route("POST", "/_sandbox/advance-day", "sandboxAdvanceDay", admin_routes.advance_day, auth=False),
    _route("GET", "/_sandbox/health", "sandboxHealth", admin_routes.health, auth=False),
    # Keepa authenticates by the `key` query parameter: keepa_routes checks it, not the LWA token.
    _route("GET", "/token", "keepaToken", keepa_routes.token, auth=False),
    _route("GET", "/product", "keepaProduct", keepa_routes.product, auth=False),
    _route("GET", "/bestsellers", "keepaBestsellers", keepa_routes.bestsellers, auth=False),
    _route("GET", "/query", "keepaQuery", keepa_routes.query, auth=False),
    _route("GET", "/seller", "keepaSeller", keepa_routes.seller, auth=False),
]


class SandboxServer:
    """Serves one World over HTTP on a background thread. Bind happens at construction (port=0 picks one)."""

    def __init__(self, world: World, host: str = "127.0.0.1", port: int = 0, faults: Faults | dict | None = None,
                 credentials: SandboxCredentials | None = None):
        self.world = world
        self.credentials = credentials or SandboxCredentials()
        self.fault_state = FaultState(faults if isinstance(faults, Faults) else Faults.from_dict(faults))
        self.reports = reports_api.ReportStore(self)
        self.keepa_state = None  # built on first Keepa call (keepa_routes.state)
        # Tokens are derived from the credentials, so a restarted sandbox accepts a cached token.
        self._token_key = hashlib.sha256(f"{world.seed}|{self.credentials.lwa_client_secret}".encode()).digest()
        self._httpd = ThreadingHTTPServer((host, port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def faults(self) -> Faults:
        return self.fault_state.faults

    def set_faults(self, faults: Faults | dict) -> None:
        self.fault_state.replace(faults if isinstance(faults, Faults) else Faults.from_dict(faults))
        self.keepa_state = None  # a new token bucket under the new settings

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def lwa_token_url(self) -> str:
        return f"{self.base_url}/auth/o2/token"

    def start(self) -> "SandboxServer":
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="sandbox-marketplace", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SandboxServer(base_url={self.base_url!r}, seed={self.world.seed}, listings={self.world.listing_count})"

    # ----- LWA --------------------------------------------------------------------------------
    def access_token_for(self, subject: str) -> str:
        mac = hmac.new(self._token_key, subject.encode(), hashlib.sha256).digest()
        return "Atza|" + base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def token_is_valid(self, token: str | None) -> bool:
        if not token:
            return False
        expected = (self.access_token_for("refresh:" + self.credentials.refresh_token),
                    self.access_token_for("grantless"))
        return any(hmac.compare_digest(token, e) for e in expected)

    def lwa_token(self, req: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(req.body.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        client_ok = (hmac.compare_digest(form.get("client_id", ""), self.credentials.lwa_app_id)
                     and hmac.compare_digest(form.get("client_secret", ""), self.credentials.lwa_client_secret))
        if grant not in ("refresh_token", "client_credentials"):
            return json_response({"error": "unsupported_grant_type",
                                  "error_description": "The authorization grant type is not supported"}, 400)
        if not form.get("client_id") or not form.get("client_secret"):
            return json_response({"error": "invalid_request",
                                  "error_description": "The request is missing a required parameter : client_id"}, 400)
        if not client_ok:
            return json_response({"error": "invalid_client", "error_description": "Client authentication failed"}, 401)
        if grant == "client_credentials":
            return json_response({"access_token": self.access_token_for("grantless"), "scope": form.get("scope", ""),
                                  "token_type": "bearer", "expires_in": 3600})
        if not hmac.compare_digest(form.get("refresh_token", ""), self.credentials.refresh_token):
            return json_response({"error": "invalid_grant",
                                  "error_description": "The request has an invalid grant parameter : refresh_token"}, 400)
        return json_response({"access_token": self.access_token_for("refresh:" + self.credentials.refresh_token),
                              "refresh_token": self.credentials.refresh_token, "token_type": "bearer",
                              "expires_in": 3600})

    # ----- dispatch ---------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers, body: bytes) -> Response:
        parts = urlsplit(raw_path)
        segments = [unquote(s) for s in parts.path.strip("/").split("/")]
        params = parse_qs(parts.query, keep_blank_values=True)
        route, captures = _match(method, segments)
        if route is None:
            return error_response(404, "NotFound", f"No route for {method} {parts.path}.")
        op = route.operation
        req = Request(method, parts.path, params, headers, body, captures)
        delay = self.fault_state.delay_for(op)
        if delay > 0:
            time.sleep(delay)
        failure = self.fault_state.failure_for(op)
        if failure is not None:
            return keepa_routes.fault_response(self, failure) if op.startswith("keepa") else _failure(op, failure)
        if route.auth and not self.token_is_valid(headers.get("x-amz-access-token")):
            return error_response(403, "Unauthorized", "Access to requested resource is denied.",
                                  "The access token you provided is revoked, malformed or invalid.")
        try:
            resp = self.lwa_token(req) if op == "lwaToken" else route.handler(self, req)
        except ApiError as exc:
            resp = error_response(exc.status, exc.code, exc.message, exc.details)
        except Exception:  # noqa: BLE001 - a sandbox bug must look like Amazon's 500, and be logged
            log.exception("sandbox handler failed: %s %s", method, parts.path)
            resp = error_response(500, "InternalFailure", "We encountered an internal error. Please try again.")
        if op in RATE_LIMITS:
            resp.headers.setdefault("x-amzn-RateLimit-Limit", RATE_LIMITS[op])
        return resp


def _match(method: str, segments: list[str]) -> tuple[Route | None, dict]:
    for route in ROUTES:
        if route.method != method or len(route.pattern) != len(segments):
            continue
        captures = {}
        for pat, seg in zip(route.pattern, segments):
            if pat.startswith("{"):
                captures[pat[1:-1]] = seg
            elif pat != seg:
                break
        else:
            return route, captures
    return None, {}


def _failure(op: str, status: int) -> Response:
    if op == "lwaToken":
        return json_response({"error": "server_error" if status >= 500 else "slow_down",
                              "error_description": "The authorization server is temporarily unavailable"}, status)
    if status == 429:
        resp = error_response(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        resp.headers["x-amzn-RateLimit-Limit"] = RATE_LIMITS.get(op, "1.0")
        return resp
    code = "ServiceUnavailable" if status == 503 else "InternalFailure"
    return error_response(status, code, "We encountered an internal error. Please try again.")


def _make_handler(server: SandboxServer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SandboxMarketplace/1.0"
        # http.server writes the headers and the body separately; with Nagle's algorithm on, the body then
        # waits for the client's delayed ACK, some 40 ms on every response. Amazon answers in one go.
        disable_nagle_algorithm = True

        def _dispatch(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            resp = server.handle(self.command, self.path, self.headers, body)
            self.send_response(resp.status)
            headers = {"x-amzn-RequestId": str(uuid.uuid4()), **resp.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _dispatch

        def log_request(self, code="-", size="-"):
            # Method, path and status only: query strings carry document URL signatures.
            log.debug("%s %s %s", self.command, urlsplit(self.path).path, code)

        def log_message(self, fmt, *args):
            log.debug("sandbox http: " + fmt, *args)

    return Handler


def serve_forever(host: str = "127.0.0.1", port: int = 8765, seed: int = 42, listing_count: int = 200,
                  days: int = 450, faults: Faults | dict | None = None, end_date=None) -> None:
    """Run the sandbox in the foreground, printing how to point a client at it. Ctrl-C stops it."""
    world = World(seed=seed, listing_count=listing_count, days=days, end_date=end_date)
    server = SandboxServer(world, host=host, port=port, faults=faults)
    c = server.credentials
    print(json.dumps({"endpoint": server.base_url, "lwa_token_url": server.lwa_token_url,
                      "lwa_app_id": c.lwa_app_id, "lwa_client_secret": c.lwa_client_secret,
                      "refresh_token": c.refresh_token, "seller_id": c.seller_id, "keepa_key": c.keepa_key,
                      "marketplace_id": world.marketplace_id, "window": [world.start_date.isoformat(),
                                                                          world.end_date.isoformat()]}, indent=2),
          flush=True)
    server.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
