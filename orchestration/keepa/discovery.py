"""Finding the seller's rivals: Keepa best sellers and product finder per category and term, plus Buy Box sellers.

Each find is proposed into competitors.products and linked to our listings in competitors.tracking
with its reason. The seller's word wins: a pinned link stays, an ignored link is never touched or
re-proposed, and a competitor the seller ignored everywhere is not linked to further listings.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import psycopg

from .budget import TokenBudget
from .client import KeepaClient

BESTSELLERS_TOKENS, QUERY_TOKENS, SELLER_TOKENS = 50, 10, 10
PRICE_BAND = (Decimal("0.5"), Decimal("2.0"))  # a rival from half to twice our price competes with us

SQL = Path(__file__).with_name("sql")
_OUR_LISTINGS = (SQL / "our_listings.sql").read_text()
_PROPOSE = """
INSERT INTO competitors.products (asin, keepa_domain_id) VALUES (%s, 2)
ON CONFLICT (asin, marketplace_id) DO UPDATE SET updated_at = competitors.products.updated_at
RETURNING id"""
_LINK = (SQL / "link_competitor.sql").read_text()
_IGNORED_EVERYWHERE = """
SELECT p.asin FROM competitors.products p JOIN competitors.tracking t ON t.competitor_id = p.id
GROUP BY p.asin HAVING bool_and(t.status = 'ignored')"""


def _paid(budget: TokenBudget, client: KeepaClient, tokens: int, max_wait: float = 600.0) -> None:
    """Take `tokens` from the shared budget before a call, waiting (capped) for the refill."""
    waited = 0.0
    while budget.take(tokens, 1) == 0:
        if waited >= max_wait:
            raise RuntimeError("Keepa budget did not refill in time for discovery")
        wait = max(1.0, min(budget.seconds_until(tokens), client.config.max_wait_seconds))
        client.sleep(wait)
        waited += wait


def discover_competitors(conn: psycopg.Connection, client: KeepaClient, *, run_id: str | None = None,
                         budget: TokenBudget | None = None) -> dict:
    """Propose rivals for our active listings; returns counts. Prices of finds are checked against our band
    after their history is ingested (ingest_products); here a find links by category and search term."""
    budget = budget or TokenBudget(conn)
    client.on_envelope = budget.reconcile
    budget.reconcile(client.token_status())
    listings = conn.execute(_OUR_LISTINGS).fetchall()
    ours = {row[1] for row in listings}
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
        finder = client.product_finder({"categories_include": [node], "perPage": 50})
        for rank, asin in enumerate(dict.fromkeys(best + finder)):
            for listing_id, *_ in rows:
                found[asin].add((listing_id, "category", f"node {node}", max(10, 80 - rank)))
        for term in sorted({t for row in rows for t in row[4]}):
            _paid(budget, client, QUERY_TOKENS)
            for asin in client.product_finder({"categories_include": [node], "title": term, "perPage": 20}):
                for listing_id, *_rest, terms in rows:
                    if term in terms:
                        found[asin].add((listing_id, "search_term", term, 90))
    # Sellers who held the Buy Box on a tracked rival: their other offers in the category are rivals too.
    sellers = [r[0] for r in conn.execute(
        "SELECT DISTINCT h.buy_box_seller_id FROM competitors.price_history h "
        "JOIN competitors.tracking t ON t.competitor_id = h.competitor_id AND t.status <> 'ignored' "
        "WHERE h.buy_box_seller_id IS NOT NULL ORDER BY 1").fetchall()]
    links_of = {a: {x[0] for x in found.get(a, ())} for a in found}
    for i in range(0, len(sellers), 10):
        chunk = sellers[i:i + 10]
        _paid(budget, client, SELLER_TOKENS * len(chunk))
        for seller_id, info in (client.sellers(chunk) or {}).items():
            seen_on = _listings_of_seller(conn, seller_id)
            for asin in info.get("asinList") or []:
                for listing_id in seen_on | links_of.get(asin, set()):
                    found[asin].add((listing_id, "category", f"buy box seller {seller_id}", 60))
    counts = {"proposed": 0, "links": 0, "skipped_ignored": 0}
    for asin, links in sorted(found.items()):
        if asin in ours:
            continue
        if asin in ignored:
            counts["skipped_ignored"] += 1
            continue
        with conn.transaction():
            competitor_id = conn.execute(_PROPOSE, (asin,)).fetchone()[0]
            counts["proposed"] += 1
            best_link: dict = {}
            for listing_id, reason, detail, score in links:
                if listing_id not in best_link or score > best_link[listing_id][2]:
                    best_link[listing_id] = (reason, detail, score)
            for listing_id, (reason, detail, score) in best_link.items():
                counts["links"] += conn.execute(_LINK, (competitor_id, listing_id, reason, detail, score)).rowcount
    return counts


def _listings_of_seller(conn: psycopg.Connection, seller_id: str) -> set:
    rows = conn.execute(
        "SELECT DISTINCT t.listing_id FROM competitors.price_history h "
        "JOIN competitors.tracking t ON t.competitor_id = h.competitor_id AND t.status <> 'ignored' "
        "WHERE h.buy_box_seller_id = %s", (seller_id,)).fetchall()
    return {r[0] for r in rows}


def price_band_mismatches(conn: psycopg.Connection) -> int:
    """Drop 'auto' category links whose rival sells outside our price band (known after ingest)."""
    lo, hi = PRICE_BAND
    return conn.execute(
        "DELETE FROM competitors.tracking t USING competitors.products p, pricing.current_prices cp "
        "WHERE t.competitor_id = p.id AND cp.listing_id = t.listing_id AND t.status = 'auto' "
        "AND t.reason = 'category' AND p.current_price IS NOT NULL "
        "AND (p.current_price < cp.price * %s OR p.current_price > cp.price * %s)", (lo, hi)).rowcount
