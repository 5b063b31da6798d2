"""Guarded price changes in the database: inputs gathered set-based, decisions recorded, live ones pushed.

Every automated price goes through `decide_prices` (price rules by priority, guard rails, cooldown and
daily cap from settings pricing.auto_change.*) and is recorded in pricing.price_changes with the floor,
ceiling and step that applied. When neither the setting pricing.auto_change.dry_run nor the caller asks
for a rehearsal, `submit_price_changes` sends it through the Listings Items API: a VALIDATION_PREVIEW
first, then the patch; an accepted change updates pricing.current_prices and pricing.price_history.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

import psycopg
from psycopg.types.json import Jsonb

from orchestration.automation import guard_rails as gr
from orchestration.automation.marts import query
from orchestration.automation.schedule import latest_tick

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AutoChangeSettings:
    dry_run: bool
    max_step: Decimal
    cooldown_hours: Decimal
    max_changes_per_day: int


def auto_change_settings(conn: psycopg.Connection) -> AutoChangeSettings:
    values = dict(conn.execute("SELECT key, value FROM system.settings WHERE key LIKE 'pricing.auto_change.%%'")
                  .fetchall())

    def get(key, default):
        v = values.get(f"pricing.auto_change.{key}")
        return default if v is None else v

    return AutoChangeSettings(dry_run=bool(get("dry_run", True)), max_step=Decimal(str(get("max_step", "0.05"))),
                              cooldown_hours=Decimal(str(get("cooldown_hours", 24))),
                              max_changes_per_day=int(get("max_changes_per_day", 2)))


def active_price_rules(conn: psycopg.Connection) -> list[tuple[gr.PriceRule, str, str | None, dt.datetime]]:
    rows = conn.execute("SELECT id::text, name, rule_type, config, priority, applies_to, scope_value, created_at "
                        "FROM pricing.price_rules WHERE is_active ORDER BY priority DESC, name").fetchall()
    return [(gr.PriceRule(r[0], r[1], r[2], r[3], r[4]), r[5], r[6], r[7]) for r in rows]


def _in_scope(applies_to: str, scope: str | None, row: dict) -> bool:
    if applies_to == "all":
        return True
    if applies_to == "category":
        return row["custom_category"] == scope
    if applies_to == "tag":
        return scope in (row["tags"] or [])
    return scope in (str(row["listing_id"]), row["sku"])


def _price_points(conn, listing_ids) -> dict:
    points: dict = {}
    for listing_id, price, margin in conn.execute(
            query(conn, "price_points"), {"listing_ids": listing_ids}).fetchall():
        points.setdefault(str(listing_id), []).append((price, margin))
    return points


def _due_time_rules(conn, rules, as_of: dt.datetime) -> dict[str, set[str]]:
    """{time_based rule id: listings it already changed since its latest schedule tick} for due rules."""
    due = {}
    for rule, _, _, created_at in rules:
        if rule.rule_type != "time_based":
            continue
        tick = latest_tick(rule.config.get("schedule", ""), as_of)
        if tick is None or tick < created_at:
            continue
        done = {str(x) for (x,) in conn.execute(
            "SELECT DISTINCT listing_id FROM pricing.price_changes WHERE price_rule_id = %s AND created_at >= %s "
            "AND status <> 'rejected'", (rule.id, tick)).fetchall()}
        due[rule.id] = done
    return due


def decide_prices(conn: psycopg.Connection, listing_ids: list, *, as_of: dt.datetime | None = None,
                  dry_run: bool | None = None, change: dict | None = None) -> list[gr.Decision]:
    """One guarded decision per listing that a rule wants to reprice (listings no rule touches are left out).

    change: the automation rule's update_price config; {"change_type": "price_rules"} (default) resolves the
    price rules, {"change_type": "percentage", "value": -5} proposes that change of the current price.
    """
    as_of = as_of or dt.datetime.now(dt.timezone.utc)
    settings = auto_change_settings(conn)
    rehearsal = settings.dry_run if dry_run is None else (dry_run or settings.dry_run)
    ids = [str(x) for x in listing_ids]
    rows = conn.execute(query(conn, "price_inputs"),
                        {"listing_ids": ids, "as_of": as_of, "dry_run": rehearsal}).fetchall()
    rules = active_price_rules(conn)
    needs_points = any(r.rule_type == "margin_floor" for r, *_ in rules)
    points = _price_points(conn, ids) if needs_points else {}
    due = _due_time_rules(conn, rules, as_of)
    change = change or {"change_type": "price_rules"}
    decisions = []
    for row in rows:
        row = dict(zip(("listing_id", "sku", "asin", "custom_category", "tags", "price", "min_price", "max_price",
                        "buy_box_price", "floor_price_gbp", "cheapest_rival", "rival_prices", "available_qty",
                        "last_change_at", "changes_today"), row))
        lid = str(row["listing_id"])
        scoped = [r for r, applies_to, scope, _ in rules if _in_scope(applies_to, scope, row)]
        if change.get("change_type") == "percentage":
            scoped = [r for r in scoped if r.rule_type == "margin_floor"] + [gr.PriceRule(
                "automation", "automation rule", "time_based",
                {"price_change_pct": change["value"], "schedule": "when the rule fired"}, 10**9)]
            due_ids = frozenset({"automation"})
        else:
            due_ids = frozenset(rid for rid, done in due.items() if lid not in done)
        inputs = gr.ListingPriceInputs(
            listing_id=lid, current=row["price"], mart_floor=row["floor_price_gbp"], min_price=row["min_price"],
            max_price=row["max_price"], buy_box_price=row["buy_box_price"], cheapest_rival=row["cheapest_rival"],
            rival_prices={k: Decimal(str(v)) for k, v in (row["rival_prices"] or {}).items()},
            available_qty=row["available_qty"], price_points=points.get(lid, []), due_time_rules=due_ids)
        decision = gr.decide(inputs, scoped, settings.max_step)
        if decision is None:
            continue
        held = _held_back(row, settings, as_of)
        if held and decision.status == "proposed":
            decision.new_price, decision.status = None, "rejected"
            decision.reason += f"; held back: {held}"
        decisions.append(decision)
    return decisions


def _held_back(row: dict, settings: AutoChangeSettings, as_of: dt.datetime) -> str | None:
    last = row["last_change_at"]
    if last is not None and as_of - last < dt.timedelta(hours=float(settings.cooldown_hours)):
        return f"cooldown: last automated change {last:%Y-%m-%d %H:%M} UTC, {settings.cooldown_hours} h apart"
    if row["changes_today"] >= settings.max_changes_per_day:
        return f"daily cap: {row['changes_today']} automated changes today (max {settings.max_changes_per_day})"
    return None


def record_decisions(conn: psycopg.Connection, decisions: list[gr.Decision], *, dry_run: bool,
                     automation_rule_id: str | None = None, at: dt.datetime | None = None) -> dict[str, str]:
    """Insert the decisions that change or were refused into pricing.price_changes; {listing id: change id}."""
    rows = [d for d in decisions if d.status in ("proposed", "rejected")]
    if not rows:
        return {}
    out = conn.execute(
        """
        INSERT INTO pricing.price_changes (listing_id, old_price, new_price, floor_price, ceiling_price, max_step_pct,
                                           reason, requested_by, price_rule_id, automation_rule_id, dry_run, status,
                                           created_at)
        SELECT d.listing_id, d.old_price, coalesce(d.new_price, d.old_price), d.floor, d.ceiling, d.step, d.reason,
               CASE WHEN %(automation)s::uuid IS NULL THEN 'price_rule' ELSE 'automation_rule' END,
               d.price_rule_id, %(automation)s::uuid, %(dry_run)s, d.status, coalesce(%(at)s, now())
        FROM unnest(%(listing)s::uuid[], %(old)s::numeric[], %(new)s::numeric[], %(floor)s::numeric[],
                    %(ceiling)s::numeric[], %(step)s::numeric[], %(reason)s::text[], %(rule)s::uuid[], %(status)s::text[])
             AS d(listing_id, old_price, new_price, floor, ceiling, step, reason, price_rule_id, status)
        RETURNING listing_id::text, id::text
        """,
        {"automation": automation_rule_id, "dry_run": dry_run, "at": at,
         "listing": [d.listing_id for d in rows], "old": [d.old_price for d in rows],
         "new": [d.new_price for d in rows], "floor": [d.floor for d in rows], "ceiling": [d.ceiling for d in rows],
         "step": [d.max_step_pct for d in rows], "reason": [d.reason for d in rows],
         "rule": [d.rule.id if d.rule and d.rule.id != "automation" else None for d in rows],
         "status": [d.status for d in rows]}).fetchall()
    conn.execute(
        """
        INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id)
        SELECT 'price', c.id, 'create',
               jsonb_build_object('price', jsonb_build_object('old', c.old_price, 'new', c.new_price),
                                  'status', c.status, 'dry_run', c.dry_run, 'reason', c.reason),
               'automation', coalesce(c.automation_rule_id, c.price_rule_id)::text
        FROM pricing.price_changes c WHERE c.id = ANY(%s::uuid[])
        """, ([cid for _, cid in out],))
    return dict(out)


class ListingsPriceSubmitter:
    """Pushes prices through Listings Items patchListingsItem: VALIDATION_PREVIEW first, then the patch."""

    def __init__(self, listings_api, seller_id: str, marketplace_id: str):
        self.api, self.seller_id, self.marketplace_id = listings_api, seller_id, marketplace_id

    @classmethod
    def from_config(cls, config) -> "ListingsPriceSubmitter":
        from orchestration.spapi.client import listings_client

        return cls(listings_client(config), config.seller_id, config.marketplace_id)

    def _body(self, product_type: str, price: Decimal) -> dict:
        offer = [{"marketplace_id": self.marketplace_id, "currency": "GBP",
                  "our_price": [{"schedule": [{"value_with_tax": float(price)}]}]}]
        return {"productType": product_type,
                "patches": [{"op": "replace", "path": "/attributes/purchasable_offer", "value": offer}]}

    def submit(self, sku: str, product_type: str, price: Decimal) -> tuple[str, str | None, str | None]:
        """(status accepted|failed, submission id, error). Never raises for Amazon's answers."""
        from sp_api.base.exceptions import SellingApiException

        from orchestration.spapi.retry import call_with_retries

        body = self._body(product_type, price)
        try:
            preview = call_with_retries(self.api.patch_listings_item, self.seller_id, sku, body=body,
                                        mode="VALIDATION_PREVIEW", marketplaceIds=self.marketplace_id,
                                        operation="patchListingsItem").payload
            if preview.get("status") != "VALID":
                return "failed", preview.get("submissionId"), "validation preview: " + _issues(preview)
            result = call_with_retries(self.api.patch_listings_item, self.seller_id, sku, body=body,
                                       marketplaceIds=self.marketplace_id, operation="patchListingsItem").payload
        except SellingApiException as exc:
            return "failed", None, f"{type(exc).__name__}: {getattr(exc, 'code', '')}"
        if result.get("status") != "ACCEPTED":
            return "failed", result.get("submissionId"), _issues(result)
        return "accepted", result.get("submissionId"), None


def _issues(payload: dict) -> str:
    issues = payload.get("issues") or []
    return "; ".join(f"{i.get('code')} {i.get('message')}" for i in issues) or f"status {payload.get('status')}"


def _product_type(conn, sku: str) -> str:
    row = conn.execute(
        "SELECT payload #>> '{summaries,0,productType}' FROM raw.api_responses WHERE source = 'sp_api' "
        "AND operation = 'getListingsItem' AND request_key = %s AND payload IS NOT NULL "
        "ORDER BY _loaded_at DESC LIMIT 1", (sku,)).fetchone()
    return (row and row[0]) or "PRODUCT"


def submit_price_changes(conn: psycopg.Connection, change_ids: list[str], submitter: ListingsPriceSubmitter) -> dict:
    """Push recorded, live, proposed changes; returns {change id: status}. Accepted ones update the price."""
    results = {}
    rows = conn.execute(
        "SELECT c.id::text, l.id, l.sku, c.new_price FROM pricing.price_changes c "
        "JOIN catalog.listings l ON l.id = c.listing_id "
        "WHERE c.id = ANY(%s::uuid[]) AND c.status = 'proposed' AND NOT c.dry_run", (change_ids,)).fetchall()
    for change_id, listing_id, sku, price in rows:
        conn.execute("UPDATE pricing.price_changes SET status = 'submitted', submitted_at = now() WHERE id = %s",
                     (change_id,))
        status, submission, error = submitter.submit(sku, _product_type(conn, sku), price)
        conn.execute("UPDATE pricing.price_changes SET status = %s, submission_id = %s, error_message = %s, "
                     "completed_at = now() WHERE id = %s", (status, submission, error, change_id))
        if status == "accepted":
            conn.execute("UPDATE pricing.current_prices SET price = %s, updated_at = now() WHERE listing_id = %s",
                         (price, listing_id))
            conn.execute("INSERT INTO pricing.price_history (time, listing_id, price, source) VALUES (now(), %s, %s, "
                         "'sp_api') ON CONFLICT (listing_id, time) DO NOTHING", (listing_id, price))
            conn.execute("INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source, source_id) "
                         "VALUES ('listing', %s, 'update', %s, 'automation', %s)",
                         (listing_id, Jsonb({"price": {"new": str(price)}, "price_change_id": change_id,
                                             "submission_id": submission}), change_id))
        else:
            log.warning("price change %s for %s failed: %s", change_id, sku, error)
        results[change_id] = status
    return results


def summarise(decisions: list[gr.Decision]) -> list[str]:
    return [f"{d.listing_id}: {d.status}: {d.reason} (floor {d.floor}, ceiling {d.ceiling}, step {d.max_step_pct}%)"
            for d in decisions]


__all__ = ["AutoChangeSettings", "ListingsPriceSubmitter", "auto_change_settings", "decide_prices",
           "record_decisions", "submit_price_changes"]
