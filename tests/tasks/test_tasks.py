"""The task board: priority from expected GBP, ease and urgency; add, move, complete with the change it produced."""

import argparse
import datetime as dt
import math

import pytest

from orchestration.automation.engine import run_tick
from orchestration.automation.rules import save_rule
from orchestration.tasks import board
from orchestration.tasks.cli import register
from orchestration.tasks.priority import score_tasks


def _task(conn, task_id):
    return conn.execute("SELECT priority_score, priority_breakdown, created_by FROM workflow.tasks WHERE id = %s",
                        (task_id,)).fetchone()


def test_impact_is_expected_gbp_from_revenue_and_score_gap(conn, skus):
    big = board.add_task(conn, "DRILL-1", "Add images")
    small = board.add_task(conn, "SCREWS-1", "Add images")
    score, b, created_by = _task(conn, big)
    assert created_by == "user"
    # 28 days of GBP 100 revenue (the 12 older days do not count), 6 top-fix points x 0.5 % a point
    assert float(b["revenue_gbp"]) == 2800 and float(b["uplift_pct"]) == 3.0
    assert float(b["expected_gain_gbp"]) == pytest.approx(84.0)
    assert float(b["impact_score"]) == round(10 * math.log(85) / math.log(501), 1)
    assert b["uplift_source"].startswith("prior: 6.0 score points")
    assert set(b) >= {"impact_score", "ease_score", "urgency_score"}
    w = {"impact": 0.5, "urgency": 0.3, "ease": 0.2}
    assert float(score) == pytest.approx(round(10 * sum(float(b[f"{k}_score"]) * v for k, v in w.items()), 2))
    small_score, small_b, _ = _task(conn, small)
    assert float(small_b["expected_gain_gbp"]) == pytest.approx(4.2)
    assert score > small_score  # same fix, twenty times the revenue


def test_due_date_and_lost_buy_box_raise_urgency(conn, skus):
    later = board.add_task(conn, "SAW-1", "Check the price", task_type="pricing")
    overdue = board.add_task(conn, "SAW-1", "Check it now", task_type="pricing",
                             due_date=dt.date.today() - dt.timedelta(days=1))
    relaxed = board.add_task(conn, "DRILL-1", "Check the price", task_type="pricing")
    assert float(_task(conn, later)[1]["urgency_score"]) == 8     # SAW-1 lost the Buy Box
    assert float(_task(conn, overdue)[1]["urgency_score"]) == 10
    assert float(_task(conn, relaxed)[1]["urgency_score"]) == 3
    assert float(_task(conn, later)[1]["ease_score"]) == 9        # a price task is easy (ease_by_type)


def test_measured_past_changes_replace_the_prior(conn, skus):
    def past_change(day, effect):
        event = conn.execute(
            "INSERT INTO analytics.attribution_events (listing_id, change_type, change_timestamp) "
            "VALUES (%s, 'price_change', %s) RETURNING id", (skus["SAW-1"], day)).fetchone()[0]
        conn.execute("INSERT INTO analytics.attribution_estimates (event_id, outcome_metric, method, method_version, "
                     "effect_pct, ci_level, verdict, inputs) VALUES (%s, 'revenue', 'diff_in_diff_poisson', '1', %s, "
                     "0.9, 'inconclusive', '{}')", (event, effect))

    base = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    for i, effect in enumerate([10, 20]):
        past_change(base + dt.timedelta(days=30 * i), effect)
    task = board.add_task(conn, "DRILL-1", "Beat the rival", task_type="pricing")
    assert _task(conn, task)[1]["uplift_source"].startswith("prior")  # two measured: fewer than the 3 required
    past_change(base + dt.timedelta(days=90), 60)
    score_tasks(conn, [task])
    b = _task(conn, task)[1]
    assert b["uplift_source"] == "median of 3 measured past changes" and float(b["uplift_pct"]) == 20
    assert float(b["expected_gain_gbp"]) == pytest.approx(560.0)  # 2800 x 20 %
    # content tasks are not priced by price changes
    other = board.add_task(conn, "DRILL-1", "Add images")
    assert _task(conn, other)[1]["uplift_source"].startswith("prior")


def test_rule_created_tasks_get_the_same_priority(conn, skus):
    save_rule(conn, name="low score task", trigger_type="threshold",
              trigger_config={"metric": "score.total", "operator": "lt", "value": 70}, action_type="create_task",
              action_config={"task_type": "optimization", "title_template": "Fix {listing.sku}"})
    conn.execute("UPDATE workflow.automation_rules SET created_at = now() - interval '1 day'")
    report = run_tick(conn)
    assert report.queries["score the new tasks (one per tick)"] == 2  # scored before the insert
    rule_tasks = dict(conn.execute("SELECT l.sku, t.id::text FROM workflow.tasks t JOIN catalog.listings l "
                                   "ON l.id = t.listing_id WHERE t.created_by = 'rule'").fetchall())
    assert set(rule_tasks) == {"DRILL-1", "SCREWS-1"}
    mine = board.add_task(conn, "DRILL-1", "Fix DRILL-1 by hand")
    assert _task(conn, rule_tasks["DRILL-1"])[0] == _task(conn, mine)[0] is not None
    assert _task(conn, rule_tasks["DRILL-1"])[0] > _task(conn, rule_tasks["SCREWS-1"])[0]
    summary = board.demo_summary(conn)
    assert summary[0].startswith("Open tasks by priority (3 of 3 shown")
    assert summary[-1].split()[3] == "SCREWS-1:"  # lowest last


def _out(capsys) -> str:
    """What the command printed, without the CLI's "Database: ..." line."""
    return "".join(line for line in capsys.readouterr().out.splitlines(True) if not line.startswith("Database: "))


def _cli(argv, monkeypatch, url) -> int:
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", url)
    parser = argparse.ArgumentParser(prog="listing-helper")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_add_move_complete_links_the_change_and_audits(conn, skus, migrated_db, monkeypatch, capsys):
    drill = skus["DRILL-1"]
    # a price change before the task started is not the task's
    conn.execute("INSERT INTO pricing.price_changes (listing_id, old_price, new_price, requested_by, status, created_at) "
                 "VALUES (%s, 10, 9.5, 'user', 'accepted', now() - interval '1 day')", (drill,))
    assert _cli(["tasks", "add", "DRILL-1", "Cut the price to win the Buy Box", "--type", "pricing"],
                monkeypatch, migrated_db) == 0
    out = _out(capsys)
    assert out.startswith("added ") and "[Backlog] DRILL-1: Cut the price" in out
    task_id = conn.execute("SELECT id::text FROM workflow.tasks").fetchone()[0]
    short = task_id[:8]

    assert _cli(["tasks", "move", short, "Nowhere"], monkeypatch, migrated_db) == 1
    assert "no stage 'Nowhere'; stages: Backlog, To Analyze" in _out(capsys)
    assert _cli(["tasks", "move", short, "done"], monkeypatch, migrated_db) == 1
    assert "tasks complete" in _out(capsys)
    assert _cli(["tasks", "move", short, "in progress"], monkeypatch, migrated_db) == 0
    assert _out(capsys).strip() == f"{short}: Backlog -> In Progress"
    assert _cli(["tasks", "move", short, "In Progress"], monkeypatch, migrated_db) == 0  # again: no-op
    assert "already in In Progress" in _out(capsys)

    # the change made after the task started, and its attribution event
    change = conn.execute("INSERT INTO pricing.price_changes (listing_id, old_price, new_price, requested_by, status) "
                          "VALUES (%s, 9.5, 8.99, 'user', 'accepted') RETURNING id::text", (drill,)).fetchone()[0]
    conn.execute("INSERT INTO pricing.price_changes (listing_id, old_price, new_price, requested_by, status, dry_run) "
                 "VALUES (%s, 9.5, 8.0, 'automation_rule', 'proposed', true)", (drill,))  # a rehearsal: not a change
    conn.execute("INSERT INTO analytics.attribution_events (listing_id, change_type, change_id, change_timestamp) "
                 "VALUES (%s, 'price_change', %s, now())", (drill, change))
    assert _cli(["tasks", "list", "--stage", "In Progress"], monkeypatch, migrated_db) == 0
    assert "[In Progress] DRILL-1" in _out(capsys)
    assert _cli(["tasks", "complete", short, "--outcome", "Down to 8.99, Buy Box back"], monkeypatch, migrated_db) == 0
    out = _out(capsys)
    assert f"In Progress -> Done; linked to the price change {change[:8]}" in out and "1 attribution event" in out
    stage, outcome, source, linked, completed = conn.execute(
        "SELECT s.name, t.outcome, t.change_source, t.change_id::text, t.completed_at FROM workflow.tasks t "
        "JOIN workflow.kanban_stages s ON s.id = t.stage_id WHERE t.id = %s", (task_id,)).fetchone()
    assert (stage, outcome, source, linked) == ("Done", "Down to 8.99, Buy Box back", "price_change", change)
    assert completed is not None
    assert conn.execute("SELECT task_id::text FROM analytics.attribution_events WHERE change_id = %s",
                        (change,)).fetchone()[0] == task_id
    assert _cli(["tasks", "complete", short, "--outcome", "again"], monkeypatch, migrated_db) == 1
    assert "already completed" in _out(capsys)

    audit = conn.execute("SELECT action, changes FROM system.audit_log WHERE entity_type = 'task' AND entity_id = %s "
                         "ORDER BY created_at, id", (task_id,)).fetchall()
    assert [a for a, _ in audit] == ["create", "update", "update"]
    assert audit[1][1]["stage"] == {"old": "Backlog", "new": "In Progress"}
    assert audit[2][1]["change"]["id"] == change
    events = conn.execute("SELECT s.name, e.moved_by FROM workflow.task_events e JOIN workflow.kanban_stages s "
                          "ON s.id = e.to_stage_id WHERE e.task_id = %s ORDER BY e.created_at", (task_id,)).fetchall()
    assert [s for s, _ in events] == ["Backlog", "In Progress", "Done"]
    assert all(m.startswith("user") for _, m in events)

    assert _cli(["tasks", "list"], monkeypatch, migrated_db) == 0
    assert "no tasks open" in _out(capsys)
    assert _cli(["tasks", "list", "--all", "--sku", "DRILL-1"], monkeypatch, migrated_db) == 0
    assert f"linked to price_change {change[:8]}" in _out(capsys)


def test_bad_input_is_named(conn, skus, migrated_db, monkeypatch, capsys):
    assert _cli(["tasks", "add", "NOPE-1", "Something"], monkeypatch, migrated_db) == 1
    assert _out(capsys).strip() == "tasks: no listing with SKU 'NOPE-1'"
    assert _cli(["tasks", "move", "zz-not-an-id", "Review"], monkeypatch, migrated_db) == 1
    assert "is not a task id" in _out(capsys)
    assert _cli(["tasks", "list", "--sku", "NOPE-1"], monkeypatch, migrated_db) == 1
    with pytest.raises(board.TaskError, match="--outcome needs text"):
        board.complete_task(conn, "00", "  ")


def test_a_later_attribution_event_finds_its_task(conn, skus):
    task = board.add_task(conn, "SAW-1", "Rewrite the title")
    version = conn.execute("INSERT INTO catalog.listing_versions (listing_id, version_number, title, change_type) "
                           "VALUES (%s, 1, 'New title', 'manual') RETURNING id::text", (skus["SAW-1"],)).fetchone()[0]
    done = board.complete_task(conn, task, "New title live")
    assert done["change"]["source"] == "listing_version" and done["attribution_events_linked"] == 0
    conn.execute("INSERT INTO analytics.attribution_events (listing_id, change_type, change_id, change_timestamp) "
                 "VALUES (%s, 'title_update', %s, now())", (skus["SAW-1"], version))
    assert conn.execute("SELECT task_id::text FROM analytics.attribution_events").fetchone()[0] == task
    # no change since the task started: completed, nothing linked
    other = board.add_task(conn, "SCREWS-1", "Think about it")
    assert board.complete_task(conn, other, "Decided not to")["change"] is None
