"""The engine acts once per (rule, listing, window), honours cooldowns and daily caps, audits, and previews."""

import datetime as dt

import tiny_world as tw

from orchestration.automation.backtest import backtest
from orchestration.automation.engine import Engine, preview_rule, run_tick
from orchestration.automation.rules import find_rule, save_rule


def _count(conn, sql, params=()):
    return conn.execute(sql, params).fetchone()[0]


def test_default_rules_fire_on_the_seller_task_alert_and_a_price_within_the_rails(conn, world):
    tw.seed_default_rules(conn)
    report = run_tick(conn, as_of=tw.AS_OF)
    assert not [o.skipped for o in report.outcomes if o.skipped]
    tasks = conn.execute("SELECT title, listing_id::text, created_by, source_rule_id IS NOT NULL FROM workflow.tasks"
                         ).fetchall()
    assert tasks == [("Raise the score of LOW-SCORE-1 (55/100): Add 3 more images", world["LOW-SCORE-1"], "rule", True)]
    alerts = conn.execute("SELECT severity, channel, subject, rule_execution_id IS NOT NULL FROM workflow.alert_outbox"
                          ).fetchall()
    assert alerts == [("high", "email", "Low stock on LOW-STOCK-1: 3 left + 0 inbound, reorder point 28", True)]
    change = conn.execute("SELECT listing_id::text, old_price, new_price, floor_price, ceiling_price, max_step_pct, "
                          "status, dry_run, requested_by, automation_rule_id IS NOT NULL FROM pricing.price_changes"
                          ).fetchall()
    # rival at 17.00, beat by 1 % = 16.83, but one step (5 %) from 20.00 is 19.00; floor 15.00, ceiling 25.00
    assert [tuple(map(str, c)) for c in change] == [
        (world["UNDERCUT-1"], "20.00", "19.00", "15.00", "25.00", "5.00", "proposed", "True", "automation_rule", "True")]
    # every action audited, and the rules' counters moved for the live ones
    assert _count(conn, "SELECT count(*) FROM system.audit_log WHERE source = 'automation'") == 3
    counters = dict(conn.execute("SELECT name, trigger_count FROM workflow.automation_rules").fetchall())
    assert counters["Low listing score: create a fix task"] == 1 and counters["Low stock: alert"] == 1
    # the stage move of the new task names the rule as the actor
    assert conn.execute("SELECT moved_by FROM workflow.task_events").fetchone()[0].startswith("rule:")


def test_re_running_the_same_window_acts_nothing_twice(conn):
    tw.seed_default_rules(conn)
    run_tick(conn, as_of=tw.AS_OF)
    before = [_count(conn, f"SELECT count(*) FROM {t}") for t in
              ("workflow.tasks", "workflow.alert_outbox", "pricing.price_changes", "workflow.rule_executions",
               "system.audit_log")]
    again = run_tick(conn, as_of=tw.AS_OF + dt.timedelta(hours=1))
    after = [_count(conn, f"SELECT count(*) FROM {t}") for t in
             ("workflow.tasks", "workflow.alert_outbox", "pricing.price_changes", "workflow.rule_executions",
              "system.audit_log")]
    assert after == before and again.acted == 0
    held = Engine(conn, as_of=tw.AS_OF + dt.timedelta(hours=1)).tick(preview=True).outcomes
    assert {o.rule.name: dict(o.held) for o in held} == {
        "Competitor undercut: propose a price": {"already acted in window 2026-11-20": 1},
        "Low listing score: create a fix task": {"already acted in window 2026-11-20": 1},
        "Low stock: alert": {"already acted in window 2026-11-20": 1}}


def test_cooldown_holds_a_listing_back_in_the_next_window_and_the_daily_cap_limits_a_rule(conn):
    save_rule(conn, name="tag cheap", trigger_type="threshold",
              trigger_config={"metric": "price.current", "operator": "lt", "value": 100},
              action_type="tag_listing", action_config={"tag": "watch"}, cooldown_minutes=2 * 24 * 60,
              max_daily_triggers=2)
    first = run_tick(conn, as_of=tw.AS_OF).outcomes[0]
    assert first.acted == 2
    tagged = {s for (s,) in conn.execute("SELECT sku FROM catalog.listings WHERE 'watch' = ANY(tags)").fetchall()}
    assert len(tagged) == 2
    later = tw.AS_OF + dt.timedelta(hours=1)
    assert preview_rule(conn, find_rule(conn, "tag cheap"), as_of=later).held == {"already acted in window "
                                                                                  "2026-11-20": 2, "daily cap": 3}
    nextday = tw.AS_OF + dt.timedelta(days=1)
    held = {m.facts["listing.sku"]: m.held for m in preview_rule(conn, find_rule(conn, "tag cheap"),
                                                                 as_of=nextday).matches}
    assert all(held[s].startswith("cooldown") for s in tagged)
    assert sorted(h for h in held.values() if h) == ["cooldown: acted 2026-11-20 12:00 UTC, 2880 min apart"] * 2 + [
        "daily cap: 2 a day reached"]
    acted = run_tick(conn, as_of=nextday).outcomes[0]
    assert acted.acted == 2  # two of the three that waited; the cap holds the third
    now_tagged = {s for (s,) in conn.execute("SELECT sku FROM catalog.listings WHERE 'watch' = ANY(tags)").fetchall()}
    assert len(now_tagged) == 4 and tagged < now_tagged
    assert _count(conn, "SELECT count(*) FROM system.audit_log WHERE entity_type = 'listing'") == 4


def test_a_task_description_template_is_filled_per_listing(conn, world):
    save_rule(conn, name="described", trigger_type="threshold",
              trigger_config={"metric": "score.total", "operator": "lt", "value": 60},
              action_type="create_task", action_config={"title_template": "Fix {listing.sku}",
                                                        "description": "Scored {score.total}; start with: {score.top_fix}"})
    run_tick(conn, as_of=tw.AS_OF)
    assert sorted(conn.execute("SELECT title, description FROM workflow.tasks").fetchall()) == [
        ("Fix INACTIVE-LOW", "Scored 40; start with: Add 3 more images"),
        ("Fix LOW-SCORE-1", "Scored 55; start with: Add 3 more images")]


def test_a_rehearsal_rule_records_what_it_would_do_and_changes_nothing(conn):
    save_rule(conn, name="rehearse", trigger_type="threshold",
              trigger_config={"metric": "score.total", "operator": "lt", "value": 70},
              action_type="create_task", action_config={"title_template": "Fix {listing.sku}"}, dry_run=True)
    outcome = run_tick(conn, as_of=tw.AS_OF).outcomes[0]
    assert outcome.acted == 2 and all(line.split(": ", 1)[1].startswith("would create task") for line in outcome.lines)
    assert _count(conn, "SELECT count(*) FROM workflow.tasks") == 0
    assert conn.execute("SELECT DISTINCT window_key, dry_run FROM workflow.rule_executions").fetchall() == [
        ("dry:2026-11-20", True)]
    assert _count(conn, "SELECT trigger_count FROM workflow.automation_rules") == 0


def test_dry_run_preview_says_what_and_why_and_writes_nothing(conn):
    tw.seed_default_rules(conn)
    outcome = preview_rule(conn, find_rule(conn, "Low listing score: create a fix task"), as_of=tw.AS_OF)
    assert outcome.lines == ["LOW-SCORE-1: would create task 'Raise the score of LOW-SCORE-1 (55/100): "
                             "Add 3 more images' because listing.status=active; score.total=55"]
    assert _count(conn, "SELECT count(*) FROM workflow.rule_executions") == 0
    assert _count(conn, "SELECT count(*) FROM workflow.tasks") == 0


def test_competitive_alert_rule_fires_once_per_alert_and_links_the_outbox_row(conn, world):
    competitor = conn.execute("INSERT INTO competitors.products (asin, title) VALUES ('B0RIVAL001', 'Rival') "
                              "RETURNING id").fetchone()[0]
    for pct, key in ((-12, "a"), (-2, "b")):
        conn.execute("INSERT INTO competitors.alerts (competitor_id, alert_type, change_pct, severity, "
                     "affected_listings, dedupe_key, created_at) VALUES (%s, 'price_drop', %s, 'high', %s, %s, %s)",
                     (competitor, pct, [world["GOOD-1"]], key, tw.AS_OF - dt.timedelta(hours=2)))
    save_rule(conn, name="price drop alert", trigger_type="competitive",
              trigger_config={"event": "competitor_price_drop", "threshold_pct": 5},
              action_type="send_alert", action_config={"severity": "high", "message": "Rival cut on {listing.sku}"},
              cooldown_minutes=0)
    conn.execute("UPDATE workflow.automation_rules SET created_at = %s", (tw.AS_OF - dt.timedelta(days=30),))
    assert run_tick(conn, as_of=tw.AS_OF).acted == 1
    assert run_tick(conn, as_of=tw.AS_OF).acted == 0
    row = conn.execute("SELECT subject, alert_id IS NOT NULL, payload->>'window' FROM workflow.alert_outbox").fetchone()
    assert row[0] == "Rival cut on GOOD-1" and row[1] and row[2].startswith("alert:")


def test_event_and_time_based_rules_fire_in_their_windows(conn, world):
    save_rule(conn, name="after a task", trigger_type="event", trigger_config={"event_type": "task.completed"},
              action_type="tag_listing", action_config={"tag": "recheck"}, cooldown_minutes=0)
    save_rule(conn, name="mondays", trigger_type="time_based", trigger_config={"cron": "0 9 * * 1"},
              conditions=[{"field": "listing.sku", "operator": "eq", "value": "GOOD-1"}],
              action_type="tag_listing", action_config={"tag": "weekly"}, cooldown_minutes=0)
    conn.execute("UPDATE workflow.automation_rules SET created_at = %s", (tw.AS_OF - dt.timedelta(days=30),))
    done = conn.execute("SELECT id FROM workflow.kanban_stages WHERE is_terminal").fetchone()[0]
    conn.execute("INSERT INTO workflow.tasks (title, task_type, listing_id, stage_id, completed_at) "
                 "VALUES ('done', 'other', %s, %s, %s)", (world["LOW-STOCK-1"], done, tw.AS_OF - dt.timedelta(hours=1)))
    report = run_tick(conn, as_of=tw.AS_OF)
    by_name = {o.rule.name: o for o in report.outcomes}
    assert by_name["after a task"].acted == 1 and by_name["mondays"].acted == 1
    windows = {w for (w,) in conn.execute("SELECT window_key FROM workflow.rule_executions").fetchall()}
    assert any(w.startswith("task:") for w in windows) and "cron:2026-11-16T09:00:00+00:00" in windows


def test_rules_evaluate_before_the_first_dbt_build(conn):
    tw.seed_default_rules(conn)
    conn.execute("DROP SCHEMA marts CASCADE")
    report = Engine(conn, as_of=tw.AS_OF).tick(preview=True)
    assert not [o.skipped for o in report.outcomes if o.skipped]
    # no scores, margins nor sales yet (a reorder point from 0 sales is 0): nothing matches, nothing fails
    assert {o.rule.name: len(o.matches) for o in report.outcomes} == {
        "Competitor undercut: propose a price": 0, "Low listing score: create a fix task": 0, "Low stock: alert": 0}


def test_backtest_replays_each_day_with_cooldowns_and_writes_nothing(conn):
    tw.seed_default_rules(conn)
    days = backtest(conn, find_rule(conn, "Low listing score: create a fix task"), dt.date(2026, 11, 18),
                    dt.date(2026, 11, 22))
    # the score row is dated 11-19: nothing before, acted on 11-19, then held back by the 7-day cooldown
    assert [(d.day.day, d.matched, d.would_act) for d in days] == [(18, 0, 0), (19, 1, 1), (20, 1, 0), (21, 1, 0),
                                                                   (22, 1, 0)]
    assert days[2].held == {"cooldown": 1}
    assert _count(conn, "SELECT count(*) FROM workflow.rule_executions") == 0


def test_a_price_rule_dry_run_shows_the_guarded_price_and_writes_nothing(conn):
    tw.seed_default_rules(conn)
    outcome = preview_rule(conn, find_rule(conn, "Competitor undercut: propose a price"), as_of=tw.AS_OF)
    assert outcome.lines == [
        "UNDERCUT-1: would propose 19.00 (proposed: 1% below the cheapest in-stock rival at 17.00: limited to a 5.00% "
        "step; 20.00 -> 19.00; floor 15.00, ceiling 25.00, step 5.00%) because competitor.max_undercut_pct=15.00; "
        "margin.margin_is_complete=True"]
    assert _count(conn, "SELECT count(*) FROM pricing.price_changes") == 0
