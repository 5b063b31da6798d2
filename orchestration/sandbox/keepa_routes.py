"""The Keepa API as the sandbox serves it: /token, /product, /bestsellers, /query, /seller with a token bucket.

/product answers for the rivals and for the simulated seller's own ASINs (their Buy Box history).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

from .http_util import Request, Response, json_response
from .world_competitors import AMAZON_SELLER, Competitors, OwnAsin, keepa_minutes

KEEPA_KEY = "sandbox0keepa0key0listing0helper00000000000000000000000000000000"
DOMAIN_GB = 2
SERIES = 36
# csv index -> key of Competitors.day_values (18 BUY_BOX_SHIPPING is a triple, built apart).
_SERIES = {0: "amazon", 1: "new", 3: "rank", 10: "new_fba", 11: "offers", 16: "rating", 17: "reviews"}
COSTS = {"bestsellers": 50, "query": 10, "seller": 10}


class KeepaState:
    """Token bucket and per-server Keepa data. `clock` (seconds) is replaceable so tests can move time."""

    def __init__(self, server, clock=time.time):
        self.server = server
        self.clock = clock
        self.lock = threading.Lock()
        self.competitors = Competitors(server.world.seed, server.world.listings, server.world.market,
                                       server.credentials.seller_id)
        f = server.faults
        self.tokens = f.keepa_tokens_start if f.keepa_tokens_start is not None else f.keepa_token_bucket_max
        self.lowest_tokens = self.tokens
        self.last_tick = self.clock()
        self.consumed_total = 0

    def _refill(self) -> None:
        f = self.server.faults
        minutes = int((self.clock() - self.last_tick) // 60)
        if minutes > 0:
            self.tokens = min(f.keepa_token_bucket_max, self.tokens + minutes * f.keepa_tokens_per_minute)
            self.last_tick += minutes * 60

    def envelope(self, consumed: int = 0) -> dict:
        now = self.clock()
        return {"timestamp": int(now * 1000), "tokensLeft": self.tokens,
                "refillIn": int((self.last_tick + 60 - now) * 1000),
                "refillRate": self.server.faults.keepa_tokens_per_minute,
                "tokenFlowReduction": 0.0, "tokensConsumed": consumed, "processingTimeInMs": 3}

    def peek(self) -> dict:
        with self.lock:
            self._refill()
            return self.envelope()

    def charge(self, cost: int) -> dict | None:
        """Take `cost` tokens (Keepa lets a request through while tokensLeft > 0, going negative); None = refused."""
        with self.lock:
            self._refill()
            if self.tokens <= 0:
                return None
            self.tokens -= cost
            self.consumed_total += cost
            self.lowest_tokens = min(self.lowest_tokens, self.tokens)
            return self.envelope(cost)


_STATE_LOCK = threading.Lock()


def state(server) -> KeepaState:
    """The server's Keepa state, built once (the HTTP server is threaded)."""
    with _STATE_LOCK:
        if getattr(server, "keepa_state", None) is None:
            server.keepa_state = KeepaState(server)
        return server.keepa_state


def _error(server, status: int, kind: str, message: str) -> Response:
    return json_response({**state(server).envelope(), "error": {"type": kind, "message": message}}, status)


def fault_response(server, status: int) -> Response:
    """A switched-on 429/5xx fault, in Keepa's envelope."""
    return _error(server, status, "tokenLimit" if status == 429 else "serverError", "Injected sandbox fault.")


def _checked(server, req: Request, cost: int) -> tuple[dict | None, Response | None]:
    if req.param("key") != server.credentials.keepa_key:
        return None, _error(server, 400, "invalidKey", "Invalid access key.")
    if req.param("domain") not in (None, str(DOMAIN_GB)):
        return None, _error(server, 400, "invalidDomain", "The sandbox serves domain 2 (amazon.co.uk) only.")
    env = state(server).charge(cost) if cost else state(server).peek()
    if env is None:
        return None, _error(server, 429, "tokenLimit", "Not enough tokens.")
    return env, None


def token(server, req: Request) -> Response:
    env, err = _checked(server, req, 0)
    return err or json_response(env)


def product(server, req: Request) -> Response:
    asins = req.csv_param("asin")
    if not asins or len(asins) > 100:
        return _error(server, 400, "invalidParameter", "asin: 1 to 100 comma separated ASINs.")
    per = 1 + (2 if req.param("buybox") == "1" else 0) + (6 if req.param("offers") else 0)
    env, err = _checked(server, req, per * len(asins))
    if err:
        return err
    world, f = server.world, server.faults
    days = int(req.param("days") or 0) or world.days
    start = max(world.start_date, dt.date.fromordinal(world.end_date.toordinal() - days + 1))
    history = req.param("history", "1") != "0"
    comp, buybox = state(server).competitors, req.param("buybox") == "1"
    products = [_own_product(comp, world, comp.own[a], start, world.end_date, history, buybox) if a in comp.own
                else _product(comp, a, start, world.end_date, history, buybox) for a in asins]
    if req.param("offers"):
        for p in products:
            _add_offers(state(server).competitors, p, world.end_date)
    if f.keepa_short_csv:  # real payloads sometimes carry fewer than 36 series
        for p in products[::2]:
            if p.get("csv"):
                p["csv"] = p["csv"][:f.keepa_short_csv]
    if f.keepa_missing_asin and len(products) > 1:
        products[-1].pop("asin", None)
    return json_response({**env, "products": products})


def _product(comp: Competitors, asin: str, start, end, history: bool, buybox: bool) -> dict:
    r = comp.by_asin.get(asin)
    if r is None:  # Keepa answers unknown ASINs with an almost empty product
        return {"asin": asin, "domainId": DOMAIN_GB, "csv": None, "title": None, "productType": 4}
    points = comp.history(r, start, end)
    sellers, last_seller = [], object()
    for moment, v in points:  # a rival's Buy Box changes hands only at its daily observations
        if (v["bb_seller"] or "-1") != last_seller:
            last_seller = v["bb_seller"] or "-1"
            sellers.append((moment, last_seller))
    day_ord = end.toordinal()
    return _payload(r.asin, r.node, r.category, r.brand, comp.title_on(r, day_ord), comp.images_on(r, day_ord),
                    points, sellers, history, buybox, r.amazon_sells, list(r.sellers))


def _own_product(comp: Competitors, world, o: OwnAsin, start, end, history: bool, buybox: bool) -> dict:
    """One of our ASINs: our offer price from the world, our seller id in the Buy Box bar planted hijacks."""
    points = comp.own_history(o, start, end, lambda idx, day: round(world.price_on(idx, day) * 100))
    sellers = comp.own_buy_box_sellers(o, start, end)
    takers = sorted({s for _, s in sellers} - {comp.seller_id})
    return _payload(o.asin, o.node, o.category, o.brand, o.title, [f"{o.asin}-main.jpg"], points, sellers,
                    history, buybox, False, [comp.seller_id, *takers])


def _payload(asin: str, node: int, category: str, brand: str, title: str, images: list[str], points, sellers,
             history: bool, buybox: bool, amazon_sells: bool, seller_ids: list[str]) -> dict:
    """A Keepa product object from daily points (moment, values) and Buy Box seller changes (moment, seller)."""
    csv: list = [None] * SERIES
    for i, key in _SERIES.items():
        flat = [x for moment, v in points if v[key] is not None for x in (keepa_minutes(moment), v[key])]
        csv[i] = flat or None
    csv[18] = [x for moment, v in points for x in (keepa_minutes(moment), v["bb_price"], v["bb_ship"])] or None
    bb_sellers = [x for moment, seller in sellers for x in (str(keepa_minutes(moment)), seller)]
    current = [-1] * SERIES
    avg = [-1] * SERIES
    for i, s in enumerate(csv):
        if s and i != 18:
            current[i] = s[-1]
            vals = [x for x in s[1::2][-90:] if x >= 0]
            avg[i] = int(sum(vals) / len(vals)) if vals else -1
    if csv[18]:
        current[18] = csv[18][-2]
    last = points[-1][1] if points else {}
    holder = sellers[-1][1] if sellers else None
    out = {
        "asin": asin, "domainId": DOMAIN_GB, "productType": 0, "title": title,
        "brand": brand, "manufacturer": brand, "rootCategory": 79903031, "categories": [node],
        "categoryTree": [{"catId": 79903031, "name": "DIY & Tools"}, {"catId": node, "name": category}],
        "images": [{"m": m, "mH": 1500, "mW": 1500} for m in images],
        "imagesCSV": ",".join(images),
        "listedSince": keepa_minutes(points[0][0]) if points else -1,
        "trackingSince": keepa_minutes(points[0][0]) if points else -1,
        "lastUpdate": keepa_minutes(points[-1][0]) if points else -1,
        "availabilityAmazon": 0 if amazon_sells else -1, "fbaFees": {"pickAndPackFee": 283},
        "csv": csv if history else None,
        "stats": {"current": current, "avg": avg, "buyBoxSellerId": None if holder == "-1" else holder,
                  "buyBoxPrice": last.get("bb_price", -1), "buyBoxShipping": last.get("bb_ship", -1),
                  "buyBoxIsAmazon": holder == AMAZON_SELLER},
        "sellerIds": seller_ids,
        "someFutureKeepaField": {"ignored": True},  # real payloads grow new keys without notice
    }
    if buybox:
        out["buyBoxSellerIdHistory"] = bb_sellers
    return out


def _add_offers(comp: Competitors, product: dict, day) -> None:
    """offers=N: the rival's two sellers' live offers as Keepa lists them (offerCSV: time, price, shipping)."""
    r = comp.by_asin.get(product.get("asin", ""))
    v = comp.day_values(r, day.toordinal()) if r else None
    if not v or v["new"] < 0:
        product["offers"], product["liveOffersOrder"] = [], []
        return
    t = keepa_minutes(dt.datetime.combine(day, dt.time(), dt.timezone.utc))
    product["offers"] = [{"sellerId": s, "condition": 1, "isFBA": i == 1, "isAmazon": False, "isPrime": i == 1,
                          "offerCSV": [t, v["new_fba"] if i else v["new"], 0 if i else r.shipping_pence]}
                         for i, s in enumerate(r.sellers)]
    product["liveOffersOrder"] = [0, 1]


def bestsellers(server, req: Request) -> Response:
    env, err = _checked(server, req, COSTS["bestsellers"])
    if err:
        return err
    node = int(req.param("category") or 0)
    asins = state(server).competitors.best_sellers(node, server.world.end_date)
    return json_response({**env, "bestSellersList": {"domainId": DOMAIN_GB, "categoryId": node,
                                                      "lastUpdate": keepa_minutes_now(server), "asinList": asins}})


def query(server, req: Request) -> Response:
    try:
        selection = json.loads(req.param("selection") or "{}")
    except json.JSONDecodeError:
        return _error(server, 400, "invalidParameter", "selection must be JSON.")
    env, err = _checked(server, req, COSTS["query"])
    if err:
        return err
    asins = state(server).competitors.finder(selection, server.world.end_date)
    return json_response({**env, "asinList": asins, "totalResults": len(asins)})


def seller(server, req: Request) -> Response:
    ids = req.csv_param("seller")
    env, err = _checked(server, req, COSTS["seller"] * max(1, len(ids)))
    if err:
        return err
    comp = state(server).competitors
    sellers = {s: {"sellerId": s, "domainId": DOMAIN_GB, "sellerName": f"Trader {s[-4:]}",
                   "asinList": comp.seller_asins(s, server.world.end_date)} for s in ids}
    return json_response({**env, "sellers": sellers})


def keepa_minutes_now(server) -> int:
    return int(state(server).clock() // 60) - 21564000
