"""Competitor history from Keepa into the database: small budgeted batches, each kept raw and committed first."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from . import alerts
from .budget import TokenBudget
from .client import TOKENS_PER_ASIN, KeepaClient
from .discovery import discover_competitors

__all__ = ["BudgetExhausted", "discover_competitors", "ingest_products", "our_asins", "store_batch"]
from .parsing import HISTORY_COLUMNS, ParsedProduct, Rejected, parse_product

SQL = Path(__file__).with_name("sql")


def sql(name: str) -> str:
    return (SQL / name).read_text()


def our_asins(conn: psycopg.Connection) -> list[str]:
    """The ASINs we sell in the UK, fetched beside the rivals: their Buy Box history is ours to watch."""
    return [row[0] for row in conn.execute(sql("our_asins.sql")).fetchall()]


class BudgetExhausted(RuntimeError):
    """The shared budget did not refill within the run's allowance of waiting."""


def ingest_products(conn: psycopg.Connection, client: KeepaClient, asins: list[str], *, run_id: str | None = None,
                    budget: TokenBudget | None = None, days: int | None = None,
                    max_wait_seconds: float = 3600.0) -> dict:
    """Fetch and store the Keepa history and current state of `asins`. Returns counts.

    Each batch is as large as the budget allows (at most client.config.batch_size ASINs); its raw
    JSON and rows are committed before the next batch is asked for, so a failure later in the
    run keeps what was already loaded. Re-ingesting the same data changes nothing.
    """
    budget = budget or TokenBudget(conn)
    client.on_envelope = budget.reconcile
    budget.reconcile(client.token_status())  # costs no tokens; aligns the shared budget with Keepa
    todo = list(dict.fromkeys(a.strip().upper() for a in asins if a and a.strip()))
    summary = {"batches": 0, "products": 0, "history_rows": 0, "quarantined": 0, "tokens_taken": 0,
               "waited_seconds": 0.0, "alerts": 0}
    waited = 0.0
    while todo:
        n = budget.take(TOKENS_PER_ASIN, min(client.config.batch_size, len(todo)))
        if n == 0:
            if waited >= max_wait_seconds:
                raise BudgetExhausted(f"no Keepa tokens after waiting {waited:.0f} s; {len(todo)} ASINs left")
            wait = max(1.0, min(budget.seconds_until(TOKENS_PER_ASIN), client.config.max_wait_seconds))
            client.sleep(wait)
            waited += wait
            continue
        batch, todo = todo[:n], todo[n:]
        summary["tokens_taken"] += n * TOKENS_PER_ASIN
        payload = client.product_payload(batch, days=days)
        result = store_batch(conn, batch, payload, run_id=run_id)
        summary["batches"] += 1
        for key in ("products", "history_rows", "quarantined", "alerts"):
            summary[key] += result[key]
    summary["waited_seconds"] = waited + client.waited_seconds
    return summary


def store_batch(conn: psycopg.Connection, batch: list[str], payload: dict, *, run_id: str | None = None) -> dict:
    """One /product answer in one transaction: raw JSON, quarantined items, products and history."""
    out = {"products": 0, "history_rows": 0, "quarantined": 0, "alerts": 0}
    with conn.transaction():
        response_id = conn.execute(
            "INSERT INTO raw.api_responses (source, operation, request_key, request_params, http_status, payload, "
            "dagster_run_id) VALUES ('keepa', 'product', %s, %s, 200, %s, %s) RETURNING id",
            (",".join(batch), Jsonb({"domain": 2, "asin": batch, "history": 1, "buybox": 1, "stats": 90}),
             Jsonb(payload), run_id)).fetchone()[0]
        parsed: list[ParsedProduct] = []
        for item in payload.get("products") or []:
            try:
                parsed.append(parse_product(item))
            except Rejected as exc:
                conn.execute(
                    "INSERT INTO raw.quarantine (source, operation, source_document_id, field, value, reason, "
                    "raw_record, dagster_run_id) VALUES ('keepa', 'product', %s, %s, %s, %s, %s, %s)",
                    (str(response_id), exc.field, None if exc.value is None else str(exc.value), exc.reason,
                     json.dumps(item)[:100_000], run_id))
                out["quarantined"] += 1
        times = [r["time"] for p in parsed for r in p.history]
        if times:
            conn.execute("SELECT system.ensure_partitions('competitors.price_history', %s, %s)",
                         (min(times), max(times)))
        conn.execute(sql("history_stage.sql"))
        now = dt.datetime.now(dt.timezone.utc)
        for p in parsed:
            before = conn.execute("SELECT title, images FROM competitors.products WHERE asin = %s "
                                  "AND marketplace_id = 'A1F83G8C2ARO7P'", (p.asin,)).fetchone()
            competitor_id, own = conn.execute(sql("upsert_product.sql"), {**p.product, "synced_at": now}).fetchone()
            # Keepa keeps no title or image history: a change shows only between two of our payloads.
            # Our own ASINs' edits are ours, not a rival's move.
            changed = {f: (before[i], p.product[f]) for i, f in enumerate(("title", "images"))
                       if before and before[i] and p.product[f] and before[i] != p.product[f]}
            if changed and not own:
                out["alerts"] += alerts.record_listing_change(conn, competitor_id, changed,
                                                              p.product["last_update"] or now)
            out["products"] += 1
            if p.history:
                with conn.cursor().copy(f"COPY keepa_history_stage (competitor_id, {', '.join(HISTORY_COLUMNS)}) "
                                        "FROM STDIN") as copy:
                    for r in p.history:
                        copy.write_row([competitor_id, *(r[c] for c in HISTORY_COLUMNS)])
        out["history_rows"] = conn.execute(sql("insert_history.sql")).rowcount
        conn.execute("TRUNCATE keepa_history_stage")
    return out
