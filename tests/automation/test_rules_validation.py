"""Rules are data: unknown fields and operators are refused when saved, values never become SQL."""

import pytest
import tiny_world as tw

from orchestration.automation.engine import Engine, preview_rule
from orchestration.automation.fields import RuleError, compile_conditions
from orchestration.automation.rules import find_rule, save_rule

TASK = {"task_type": "optimization", "title_template": "Look at {listing.sku}"}


def _save(conn, **kw):
    args = dict(name="test rule", trigger_type="threshold",
                trigger_config={"metric": "score.total", "operator": "lt", "value": 70},
                action_type="create_task", action_config=TASK)
    args.update(kw)
    return save_rule(conn, **args)


@pytest.mark.parametrize("kw, message", [
    ({"trigger_config": {"metric": "score.totl", "operator": "lt", "value": 70}}, "unknown field 'score.totl'"),
    ({"trigger_config": {"metric": "score.total", "operator": "below", "value": 70}}, "unknown operator 'below'"),
    ({"conditions": [{"field": "listing.sku; DROP TABLE catalog.listings", "operator": "eq", "value": "x"}]},
     "conditions[0]: unknown field"),
    ({"conditions": [{"field": "listing.status", "operator": "lt", "value": "active"}]},
     "operator 'lt' does not apply to listing.status"),
    ({"conditions": [{"field": "score.total", "operator": "gt", "value": "seventy"}]}, "'seventy' is not a number"),
    ({"conditions": [{"field": "score.total", "operator": "eq", "value": {"field": "listing.sku"}}]},
     "cannot compare score.total (number) with listing.sku (text)"),
    ({"action_config": {"title_template": "Fix {listing.passwd}"}}, "unknown field {listing.passwd}"),
    ({"action_type": "apply_template", "action_config": {"template": " "}}, "template must be the name of a content template"),
    ({"trigger_type": "competitive", "trigger_config": {"event": "competitor_price_drop"}}, "needs threshold_pct"),
    ({"trigger_type": "time_based", "trigger_config": {"cron": "every monday"}}, "not a valid cron"),
    ({"trigger_type": "event", "trigger_config": {"event_type": "listing.deleted"}}, "unknown event_type"),
    ({"action_type": "send_alert", "action_config": {"message": "x", "destination": "https://hooks.example/abc"}},
     "not a URL or address"),
])
def test_a_rule_naming_an_unknown_or_mistyped_part_is_refused_when_saved_saying_which(conn, kw, message):
    with pytest.raises(RuleError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]").replace("{", r"\{").replace("}", r"\}")):
        _save(conn, **kw)
    assert conn.execute("SELECT count(*) FROM workflow.automation_rules WHERE name = 'test rule'").fetchone()[0] == 0


def test_condition_values_are_bound_parameters_never_sql_text():
    hostile = "x' OR '1'='1'; DROP TABLE catalog.listings; --"
    statement, params = compile_conditions([{"field": "listing.sku", "operator": "eq", "value": hostile},
                                            {"field": "listing.status", "operator": "in", "value": ["active", hostile]}])
    text = statement.as_string(None)
    assert hostile not in text and "DROP" not in text
    assert params == [hostile, ["active", hostile]]


def test_a_hostile_value_matches_nothing_and_changes_nothing(conn, world):
    hostile = "x' OR '1'='1'; DROP TABLE catalog.listings; --"
    _save(conn, conditions=[{"field": "listing.sku", "operator": "eq", "value": hostile}])
    outcome = preview_rule(conn, find_rule(conn, "test rule"), as_of=tw.AS_OF)
    assert outcome.matches == []
    assert conn.execute("SELECT count(*) FROM catalog.listings").fetchone()[0] == len(world)


def test_a_rule_broken_by_hand_in_the_table_is_skipped_with_its_error_and_others_still_run(conn):
    _save(conn)
    conn.execute("""INSERT INTO workflow.automation_rules (name, trigger_type, trigger_config, action_type, action_config)
                    VALUES ('broken', 'threshold', '{"metric": "pg_sleep(10)", "operator": "lt", "value": 1}',
                            'create_task', '{"title_template": "x"}')""")
    report = Engine(conn, as_of=tw.AS_OF).tick()
    by_name = {o.rule.name: o for o in report.outcomes}
    assert by_name["broken"].skipped.startswith("invalid rule: trigger (threshold): unknown field 'pg_sleep(10)'")
    assert by_name["test rule"].acted == 2  # LOW-SCORE-1 (55) and INACTIVE-LOW (40): no condition on status


def test_field_to_field_comparison_and_list_operators_select_the_right_listings(conn):
    _save(conn, trigger_config={"metric": "stock.available_qty", "operator": "lt",
                                "value": {"field": "stock.reorder_point"}},
          conditions=[{"field": "listing.status", "operator": "in", "value": ["active", "suppressed"]}])
    outcome = preview_rule(conn, find_rule(conn, "test rule"), as_of=tw.AS_OF)
    assert [m.facts["listing.sku"] for m in outcome.matches] == ["LOW-STOCK-1"]
    assert outcome.matches[0].facts["stock.reorder_point"] == 28  # 2 units a day x 14 days of cover


def test_without_a_reorder_point_the_supplier_lead_time_sets_it(conn, world):
    supplier = conn.execute("INSERT INTO inventory.suppliers (name, lead_time_days) VALUES ('Ningbo', 45) "
                            "RETURNING id").fetchone()[0]
    component = conn.execute("INSERT INTO inventory.components (sku, name, default_supplier_id) "
                             "VALUES ('C-1', 'screw', %s) RETURNING id", (supplier,)).fetchone()[0]
    conn.execute("INSERT INTO inventory.bill_of_materials (listing_id, component_id) VALUES (%s, %s)",
                 (world["GOOD-1"], component))
    _save(conn, trigger_config={"metric": "stock.reorder_point", "operator": "gt", "value": 0},
          conditions=[{"field": "listing.sku", "operator": "in", "value": ["GOOD-1", "LOW-STOCK-1"]}],
          action_config={"title_template": "{stock.lead_time_days} {stock.reorder_point}"})
    outcome = preview_rule(conn, find_rule(conn, "test rule"), as_of=tw.AS_OF)
    got = {m.facts["listing.sku"]: (m.facts["stock.lead_time_days"], m.facts["stock.reorder_point"])
           for m in outcome.matches}
    # 1 unit a day x (45 + 14) days; 2 units a day x (0 + 14) days without a bill of materials
    assert got == {"GOOD-1": (45, 59), "LOW-STOCK-1": (0, 28)}


def test_a_forecast_reorder_point_is_used_before_the_lead_time_estimate(conn, world):
    conn.execute("TRUNCATE inventory.reorder_suggestions")
    conn.execute("""INSERT INTO inventory.reorder_suggestions (listing_id, forecast_date, model_version, fulfillable_qty,
                        inbound_qty, lead_time_days, lead_time_source, lead_time_demand, lead_time_demand_p90,
                        reorder_point, reorder_point_source, days_of_cover, reorder_now, suggested_quantity, message)
                    VALUES (%s, %s, 'm1', 100, 0, 30, 'setting', 80, 120, 150, 'forecast', 37.5, true, 90, 'reorder')""",
                 (world["GOOD-1"], tw.TODAY))
    _save(conn, trigger_config={"metric": "stock.reorder_now", "operator": "eq", "value": True},
          action_config={"title_template": "{stock.reorder_point} {stock.days_of_cover}"})
    outcome = preview_rule(conn, find_rule(conn, "test rule"), as_of=tw.AS_OF)
    assert [(m.facts["listing.sku"], m.facts["stock.reorder_point"]) for m in outcome.matches] == [("GOOD-1", 150)]
