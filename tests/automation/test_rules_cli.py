"""`listing-helper rules ...` through the parser hook the lead wires into orchestration/cli.py."""

import argparse

import pytest
import tiny_world as tw

from orchestration.automation.cli import register
from orchestration.automation.fields import RuleError


def _run(argv, monkeypatch, url) -> int:
    monkeypatch.setenv("LISTING_HELPER_DATABASE_URL", url)
    parser = argparse.ArgumentParser(prog="listing-helper")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_list_check_dry_run_and_backtest_speak_the_sellers_words(conn, migrated_db, monkeypatch, capsys):
    tw.seed_default_rules(conn)
    assert _run(["rules", "list"], monkeypatch, migrated_db) == 0
    out = capsys.readouterr().out
    assert "Low stock: alert" in out and "cooldown 1440 min per listing, at most 100 a day" in out

    assert _run(["rules", "check", "Low stock: alert"], monkeypatch, migrated_db) == 0
    assert capsys.readouterr().out.strip().endswith("Low stock: alert: valid")

    assert _run(["rules", "dry-run", "Low stock: alert"], monkeypatch, migrated_db) == 0
    out = capsys.readouterr().out
    assert "1 listings match, 1 would be acted on" in out and "(nothing written)" in out
    assert "LOW-STOCK-1: would send a high email alert 'Low stock on LOW-STOCK-1" in out
    assert conn.execute("SELECT count(*) FROM workflow.rule_executions").fetchone()[0] == 0

    assert _run(["rules", "backtest", "Low listing score: create a fix task", "--from", "2026-11-18", "--to",
                 "2026-11-20"], monkeypatch, migrated_db) == 0
    out = capsys.readouterr().out
    assert "would have acted 1 times over 3 days" in out and "2026-11-20: 1 matched, 0 would act, held back" in out


def test_an_unknown_rule_or_a_reversed_window_is_a_clear_error(conn, migrated_db, monkeypatch):
    with pytest.raises(RuleError, match="no rule named 'nope'"):
        _run(["rules", "dry-run", "nope"], monkeypatch, migrated_db)
    tw.seed_default_rules(conn)
    with pytest.raises(RuleError, match="before --from"):
        _run(["rules", "backtest", "Low stock: alert", "--from", "2026-11-20", "--to", "2026-11-01"],
             monkeypatch, migrated_db)
