"""Finding the seller's rivals: Keepa best sellers and product finder per category and term, plus Buy Box sellers.

A find is linked in competitors.tracking to those of our listings it competes with, with its reason:
same category node or search term, and its current new price within the band of ours
(system.settings 'competitors.price_band', checked on Keepa's current price of every find). Sellers
who held the Buy Box on a rival found directly lead to their other offers in the same category; a
rival found that way does not lead further (one hop), so identical runs converge
(docs/decisions/2026-11-25-competitor-discovery-convergence.md). The seller's word wins: a pinned
link stays, an ignored link is never touched or re-proposed, and a competitor the seller ignored
everywhere is not linked to further listings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from .budget import TokenBudget
from .client import KeepaClient
from .parsing import AMAZON_SELLER_IDS

BESTSELLERS_TOKENS, QUERY_TOKENS, SELLER_TOKENS, OFFER_TOKENS = 50, 10, 10, 1
CATEGORY_PAGE, TERM_PAGE = 50, 20  # product finder results asked per category and per search term
PRICE_BAND = (Decimal("0.5"), Decimal("2.0"))  # default: a rival from half to twice our price competes with us

SQL = Path(__file__).with_name("sql")
_OUR_LISTINGS = (SQL / "our_listings.sql").read_text()
_SELLERS_SEEN = (SQL / "buy_box_sellers_of_rivals.sql").read_text()
_OUT_OF_BAND = (SQL / "drop_links_outside_price_band.sql").read_text()
_PROPOSE = """
INSERT INTO competitors.products (asin, keepa_domain_id) VALUES (%s, 2)
ON CONFLICT (asin, marketplace_id) DO UPDATE SET updated_at = competitors.products.updated_at
RETURNING id, (xmax = 0)"""
_LINK = (SQL / "link_competitor.sql").read_text()
_IGNORED_EVERYWHERE = """
SELECT p.asin FROM competitors.products p JOIN competitors.tracking t ON t.competitor_id = p.id
GROUP BY p.asin HAVING bool_and(t.status = 'ignored')"""


def price_band(conn: psycopg.Connection) -> tuple[Decimal, Decimal]:
    """(min_ratio, max_ratio) of a rival's price to ours, from system.settings 'competitors.price_band'."""
    row = conn.execute("SELECT value FROM system.settings WHERE key = 'competitors.price_band'").fetchone()
    value = (json.loads(row[0]) if isinstance(row[0], str) else row[0]) if row else {}
    value = value or {}
    return (Decimal(str(value.get("min_ratio", PRICE_BAND[0]))), Decimal(str(value.get("max_ratio", PRICE_BAND[1]))))


def in_band(rival_price: Decimal | None, our_price, band: tuple[Decimal, Decimal]) -> bool:
    """True when either price is unknown (nothing to hold against the rival) or the rival sits in the band."""
    if rival_price is None or our_price is None:
        return True
    ours = Decimal(str(our_price))
    return band[0] * ours <= rival_price <= band[1] * ours


def _paid(budget: TokenBudget, client: KeepaClient, tokens: int, max_wait: float = 600.0) -> None:
    """Take `tokens` from the shared budget before a call, waiting (capped) for the refill."""
    waited = 0.0
    while budget.take(tokens, 1) == 0:
        if waited >= max_wait:
            raise RuntimeError("Keepa budget did not refill in time for discovery")
        wait = max(1.0, min(budget.seconds_until(tokens), client.config.max_wait_seconds))
        client.sleep(wait)
        waited += wait


def _current_offers(conn, client: KeepaClient, budget: TokenBudget, asins: list[str],
                    run_id: str | None) -> dict[str, tuple[Decimal | None, set[int]]]:
    """asin -> (current new price in GBP or None, category nodes), from /product without history (1 token each)."""
    out: dict[str, tuple[Decimal | None, set[int]]] = {}
    for i in range(0, len(asins), 100):
        chunk = asins[i:i + 100]
        _paid(budget, client, OFFER_TOKENS * len(chunk))
        payload = client.current_offers(chunk)
        conn.execute("INSERT INTO raw.api_responses (source, operation, request_key, request_params, http_status, "
                     "payload, dagster_run_id) VALUES ('keepa', 'product', %s, %s, 200, %s, %s)",
                     (",".join(chunk), Jsonb({"domain": 2, "asin": chunk, "history": 0, "stats": 1}),
                      Jsonb(payload), run_id))
        for item in payload.get("products") or []:
            if not isinstance(item, dict) or not isinstance(item.get("asin"), str):
                continue
            current = ((item.get("stats") or {}).get("current") or []) if isinstance(item.get("stats"), dict) else []
            new = current[1] if len(current) > 1 and isinstance(current[1], int) and current[1] >= 0 else None
            nodes = {int(c) for c in item.get("categories") or [] if str(c).lstrip("-").isdigit()}
            out[item["asin"].upper()] = (None if new is None else Decimal(new) / 100, nodes)
    return out


def discover_competitors(conn: psycopg.Connection, client: KeepaClient, *, run_id: str | None = None,
                         budget: TokenBudget | None = None) -> dict:
    """Propose rivals for our active listings and link each to the listings it competes with; returns counts."""
    budget = budget or TokenBudget(conn)
    client.on_envelope = budget.reconcile
    budget.reconcile(client.token_status())
    band = price_band(conn)
    listings = conn.execute(_OUR_LISTINGS).fetchall()
    ours = {row[1] for row in listings}
    listing = {row[0]: row for row in listings}  # id -> (id, asin, node, price, terms)
    ignored = {r[0] for r in conn.execute(_IGNORED_EVERYWHERE).fetchall()}
    # (asin) -> {(listing_id, reason, detail, score)}
    found: dict[str, set] = defaultdict(set)
    by_node: dict[int, list] = defaultdict(list)
    for row in listings:
        by_node[int(row[2])].append(row)
    for node, rows in sorted(by_node.items()):
        _paid(budget, client, BESTSELLERS_TOKENS)
        best = client.best_sellers(node)
        _paid(budget, client, QUERY_TOKENS)
        finder = client.product_finder({"categories_include": [node], "perPage": CATEGORY_PAGE})
        for rank, asin in enumerate(dict.fromkeys(best + finder)):
            for listing_id, *_ in rows:
                found[asin].add((listing_id, "category", f"node {node}", max(10, 80 - rank)))
        for term in sorted({t for row in rows for t in row[4]}):
            _paid(budget, client, QUERY_TOKENS)
            for asin in client.product_finder({"categories_include": [node], "title": term, "perPage": TERM_PAGE}):
                for listing_id, *_rest, terms in rows:
                    if term in terms:
                        found[asin].add((listing_id, "search_term", term, 90))
    # Sellers who held the Buy Box on a rival found directly: their storefront's offers in the same
    # category are rivals of the listings that rival competes with. Amazon's storefront is the whole
    # store: never followed.
    seen_on: dict[str, set] = defaultdict(set)
    for seller_id, listing_id in conn.execute(_SELLERS_SEEN).fetchall():
        if seller_id not in AMAZON_SELLER_IDS:
            seen_on[seller_id].add(listing_id)
    sellers = sorted(seen_on)
    via_seller: dict[str, set] = defaultdict(set)
    for i in range(0, len(sellers), 10):
        chunk = sellers[i:i + 10]
        _paid(budget, client, SELLER_TOKENS * len(chunk))
        for seller_id, info in (client.sellers(chunk) or {}).items():
            for asin in info.get("asinList") or []:
                for listing_id in seen_on.get(seller_id, ()):
                    via_seller[asin].add((listing_id, "buy_box_seller", f"buy box seller {seller_id}", 60))
    candidates = sorted(a for a in set(found) | set(via_seller) if a not in ours and a not in ignored)
    offers = _current_offers(conn, client, budget, candidates, run_id)
    # Out of stock now: the last price we ingested stands in (the same rule drops links below).
    stored = dict(conn.execute("SELECT asin, current_price FROM competitors.products WHERE asin = ANY(%s) "
                               "AND marketplace_id = 'A1F83G8C2ARO7P'", (candidates,)).fetchall())
    counts = {"proposed": 0, "new_rivals": 0, "links": 0, "new_links": 0,
              "skipped_ignored": len((set(found) | set(via_seller)) & ignored),
              "outside_price_band": 0, "links_dropped_outside_price_band": 0}
    for asin in candidates:
        price, nodes = offers.get(asin, (None, set()))
        price = price if price is not None else stored.get(asin)
        # A storefront spans categories: its offers count only in the node of the listing they would join.
        links = found.get(asin, set()) | {x for x in via_seller.get(asin, ())
                                          if x[0] in listing and int(listing[x[0]][2]) in nodes}
        best_link: dict = {}
        for listing_id, reason, detail, score in links:
            if listing_id not in best_link or score > best_link[listing_id][2]:
                best_link[listing_id] = (reason, detail, score)
        kept = {}
        for listing_id, (reason, detail, score) in best_link.items():
            our_price = listing[listing_id][3]
            if not in_band(price, our_price, band):
                counts["outside_price_band"] += 1
                continue
            if price is not None and our_price is not None:
                detail = f"{detail}; {price / Decimal(str(our_price)):.2f}x our price"
            kept[listing_id] = (reason, detail, score)
        if not kept:
            continue
        with conn.transaction():
            competitor_id, new = conn.execute(_PROPOSE, (asin,)).fetchone()
            counts["proposed"] += 1
            counts["new_rivals"] += new
            for listing_id, (reason, detail, score) in kept.items():
                row = conn.execute(_LINK, (competitor_id, listing_id, reason, detail, score)).fetchone()
                counts["links"] += row is not None
                counts["new_links"] += bool(row and row[0])
    # A rival already linked whose price has since left the band is no longer tracked for that listing.
    priced = [(a, p) for a, (p, _) in offers.items() if p is not None]
    counts["links_dropped_outside_price_band"] = conn.execute(_OUT_OF_BAND, {
        "asins": [a for a, _ in priced], "prices": [p for _, p in priced], "lo": band[0], "hi": band[1]}).rowcount
    return counts

