"""The batched tick (one statement per action type for all rules) acts exactly as the per-rule path does."""

import datetime as dt
import json

import tiny_world as tw

from orchestration.automation.engine import run_tick
from orchestration.automation.rules import save_rule

TICKS = (tw.AS_OF, tw.AS_OF + dt.timedelta(hours=1), tw.AS_OF + dt.timedelta(days=1))


def _world_with_overlapping_rules(conn) -> None:
    world = tw.build(conn, tw.listings_default() + [tw.TinyListing("TAGGED-1", "15.00", score=50, tags=("review",))])
    competitor = conn.execute("INSERT INTO competitors.products (asin, title) VALUES ('B0RIVAL001', 'Rival') "
                              "RETURNING id").fetchone()[0]
    for pct, key in ((-12, "drop-a"), (-8, "drop-b")):  # two alerts on the same listing: two windows
        conn.execute("INSERT INTO competitors.alerts (competitor_id, alert_type, change_pct, severity, "
                     "affected_listings, dedupe_key, created_at) VALUES (%s, 'price_drop', %s, 'high', %s, %s, %s)",
                     (competitor, pct, [world["GOOD-1"].id, world["LOW-SCORE-1"].id], key,
                      tw.AS_OF - dt.timedelta(hours=2)))
    low = {"metric": "score.total", "operator": "lt", "value": 90}
    rules = [
        ("a tag needs-work", low, "tag_listing", {"tag": "needs-work"}, 60, None, False),
        ("b tag needs-work too", {**low, "value": 60}, "tag_listing", {"tag": "needs-work"}, 60, None, False),
        ("c tag review, capped", {**low, "value": 95}, "tag_listing", {"tag": "review"}, 60, 2, False),
        ("d task", low, "create_task", {"task_type": "optimization", "title_template": "Fix {listing.sku}",
                                        "description": "Score {score.total}"}, 1440, None, False),
        ("e task rehearsed", low, "create_task", {"task_type": "other", "title_template": "Try {listing.sku}"},
         60, None, True),
        ("f stock alert", {"metric": "stock.available_qty", "operator": "lt", "value": 50}, "send_alert",
         {"severity": "high", "message": "Low stock on {listing.sku}"}, 60, None, False),
    ]
    for name, trigger, action, config, cooldown, cap, dry in rules:
        save_rule(conn, name=name, trigger_type="threshold", trigger_config=trigger, action_type=action,
                  action_config=config, cooldown_minutes=cooldown, max_daily_triggers=cap, dry_run=dry)
    save_rule(conn, name="g price drop alert", trigger_type="competitive",
              trigger_config={"event": "competitor_price_drop", "threshold_pct": 5}, action_type="send_alert",
              action_config={"severity": "high", "message": "Rival cut on {listing.sku}"}, cooldown_minutes=0)
    save_rule(conn, name="h price drop task", trigger_type="competitive",
              trigger_config={"event": "competitor_price_drop", "threshold_pct": 5}, action_type="create_task",
              action_config={"task_type": "competitive", "title_template": "Answer the rival on {listing.sku}"},
              cooldown_minutes=0)
    conn.execute("UPDATE workflow.automation_rules SET created_at = %s", (tw.AS_OF - dt.timedelta(days=30),))


def _snapshot(conn) -> dict:
    """Everything the actions wrote, with generated ids replaced by names (listing SKU, rule name, alert key)."""
    names = dict(conn.execute("SELECT id::text, sku FROM catalog.listings UNION ALL "
                              "SELECT id::text, 'rule ' || name FROM workflow.automation_rules UNION ALL "
                              "SELECT id::text, dedupe_key FROM competitors.alerts").fetchall())

    def rows(query):
        text = json.dumps([list(r) for r in conn.execute(query).fetchall()], default=str)
        for uuid, name in names.items():
            text = text.replace(uuid, name)
        return sorted(json.dumps(r, sort_keys=True) for r in json.loads(text))

    return {
        "executions": rows("SELECT rule_id, entity_id, window_key, action, dry_run, status, outcome "
                           "FROM workflow.rule_executions"),
        "tasks": rows("SELECT source_rule_id, listing_id, title, description, task_type, created_by, tags, "
                      "priority_score, priority_breakdown - 'scored_at' FROM workflow.tasks"),
        "task events": rows("SELECT t.source_rule_id, t.listing_id, e.moved_by, e.from_stage_id, e.to_stage_id "
                            "FROM workflow.task_events e JOIN workflow.tasks t ON t.id = e.task_id"),
        "outbox": rows("SELECT o.idempotency_key, o.channel, o.destination, o.severity, o.subject, o.payload, "
                       "o.alert_id, e.rule_id FROM workflow.alert_outbox o "
                       "JOIN workflow.rule_executions e ON e.id = o.rule_execution_id"),
        "tags": rows("SELECT sku, tags FROM catalog.listings"),
        "audit": rows("SELECT entity_type, CASE WHEN entity_type = 'listing' THEN entity_id::text END, action, "
                      "changes - 'rule_execution_id', source, source_id FROM system.audit_log"),
        "counters": rows("SELECT name, trigger_count, last_triggered_at IS NOT NULL FROM workflow.automation_rules"),
    }


def _run(conn, batched: bool):
    _world_with_overlapping_rules(conn)
    acted = []
    for as_of in TICKS:
        report = run_tick(conn, as_of=as_of, batched=batched)
        assert not [o.skipped for o in report.outcomes if o.skipped and not o.skipped.startswith("daily cap")]
        acted.append({o.rule.name: (o.acted, sorted(o.lines)) for o in report.outcomes})
        if batched:
            assert not any(label.startswith("act ") and "one per acting rule" in label for label in report.queries)
        if batched and as_of == TICKS[0]:
            assert report.queries["act create_task (one per tick)"] == 1
            assert report.queries["act tag_listing (one per tick)"] == report.queries["act send_alert (one per tick)"] == 1
            assert report.queries["rehearse (one per tick and action)"] == 1
    return acted, _snapshot(conn)


def test_the_batched_tick_acts_exactly_as_rule_by_rule(conn):
    per_rule_acted, per_rule = _run(conn, batched=False)
    batched_acted, batched = _run(conn, batched=True)
    assert batched_acted == per_rule_acted
    for what in per_rule:
        assert batched[what] == per_rule[what], what
    # the world exercised what the batch must get right: overlapping tags, caps, two alert windows, rehearsals
    first = batched_acted[0]
    assert first["c tag review, capped"][0] == 2 and first["e task rehearsed"][0] > 0
    assert first["g price drop alert"][0] == 4  # two alerts x two listings
    assert any('"needs-work"' in row for row in batched["tags"])
    assert batched_acted[1] == {name: (0, []) for name in batched_acted[1]}  # same day again: nothing twice


def test_a_failing_batch_falls_back_to_rule_by_rule_so_only_the_broken_rule_fails(conn):
    tw.build(conn)
    for name, message in (("alert fine", "Low stock on {listing.sku}"), ("alert broken", "BOOM {listing.sku}")):
        save_rule(conn, name=name, trigger_type="threshold",
                  trigger_config={"metric": "stock.available_qty", "operator": "lt", "value": 50},
                  action_type="send_alert", action_config={"message": message})
    conn.execute("UPDATE workflow.automation_rules SET created_at = %s", (tw.AS_OF - dt.timedelta(days=30),))
    # a delivery-side check the broken rule's alerts trip (stands in for any per-row failure)
    conn.execute("""CREATE FUNCTION pg_temp.boom() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN IF NEW.subject LIKE 'BOOM%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$""")
    conn.execute("CREATE TRIGGER boom BEFORE INSERT ON workflow.alert_outbox FOR EACH ROW EXECUTE FUNCTION pg_temp.boom()")
    try:
        report = run_tick(conn, as_of=tw.AS_OF)
    finally:
        conn.execute("DROP TRIGGER boom ON workflow.alert_outbox")
    by_name = {o.rule.name: o for o in report.outcomes}
    assert by_name["alert fine"].acted == 1 and by_name["alert fine"].skipped is None
    assert by_name["alert broken"].skipped.startswith("failed: RaiseException: refused")
    assert conn.execute("SELECT array_agg(subject) FROM workflow.alert_outbox").fetchone()[0] == ["Low stock on LOW-STOCK-1"]
    assert conn.execute("SELECT count(*) FROM workflow.rule_executions").fetchone()[0] == 1
