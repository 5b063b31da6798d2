"""Change events beyond versions and prices: image sets and A+ from the sync's audit rows, finished tasks (linked
to the change they caused, else an event of their own), template applications; re-recording adds nothing."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from psycopg.types.json import Jsonb

from orchestration.attribution import measure

DAY = dt.datetime(2026, 6, 10, 9, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def recorded(migrated_db):
    with psycopg.connect(migrated_db, autocommit=True) as conn:
        conn.execute("select system.ensure_partitions('system.audit_log', %s, %s)", (DAY - dt.timedelta(days=40), DAY))
        a, b = (conn.execute("insert into catalog.listings (asin, sku, title) values (%s, %s, %s) returning id::text",
                             (asin, sku, "Cordless Drill")).fetchone()[0]
                for asin, sku in (("B000000001", "DRILL-1"), ("B000000002", "DRILL-2")))
        image = {"url": "https://m.media-amazon.com/a.jpg", "image_type": "MAIN"}
        conn.execute("insert into system.audit_log (entity_type, entity_id, action, changes, source, created_at) "
                     "values ('listing', %s, 'update', %s, 'sp_api_sync', %s)",
                     (a, Jsonb({"images": {"old": [image], "new": [image, {**image, "image_type": "PT01"}]}}),
                      DAY - dt.timedelta(days=30)))
        conn.execute("insert into system.audit_log (entity_type, entity_id, action, changes, source, created_at) "
                     "values ('listing', %s, 'update', %s, 'user', %s)",
                     (a, Jsonb({"aplus_enabled": {"old": False, "new": True}}), DAY - dt.timedelta(days=20)))
        for n, (title, created) in enumerate((("Cordless Drill", DAY - dt.timedelta(days=60)),
                                              ("Cordless Drill 18V", DAY)), 1):
            conn.execute("insert into catalog.listing_versions (listing_id, version_number, title, change_type, "
                         "change_source, change_reason, created_at) values (%s, %s, %s, %s, %s, %s, %s)",
                         (a, n, title, "sync" if n == 1 else "auto", "sp_api_sync" if n == 1 else "rule-7",
                          None if n == 1 else "template 'Drill titles'", created))
        done = conn.execute("select id from workflow.kanban_stages where is_terminal").fetchone()[0]
        for listing, title, when in ((a, "Rewrite the title", DAY - dt.timedelta(hours=20)),
                                     (b, "Ask supplier for photos", DAY - dt.timedelta(days=5))):
            conn.execute("insert into workflow.tasks (title, task_type, listing_id, stage_id, completed_at) "
                         "values (%s, 'optimization', %s, %s, %s)", (title, listing, done, when))
        first = measure.record_events(conn)
        second = measure.record_events(conn)
        rows = conn.execute("select l.sku, e.change_type, e.change_source, e.change_diff, e.task_id is not null, "
                            "e.analysis_notes from analytics.attribution_events e "
                            "join catalog.listings l on l.id = e.listing_id order by e.change_timestamp").fetchall()
    return first, second, rows


def test_images_a_plus_templates_and_tasks_become_events(recorded):
    _, _, rows = recorded
    kinds = [(sku, kind, source) for sku, kind, source, *_ in rows]
    assert kinds == [("DRILL-1", "image_add", "audit_log"), ("DRILL-1", "aplus_update", "audit_log"),
                     ("DRILL-2", "other", "task"), ("DRILL-1", "title_update", "listing_version")]
    title = rows[-1]
    assert title[3] == {"title": {"old": "Cordless Drill", "new": "Cordless Drill 18V"}}
    assert title[4] is True  # the finished task "Rewrite the title" is linked to the change it caused
    assert "applied by a rule" in title[5]


def test_recording_again_adds_nothing(recorded):
    first, second, _ = recorded
    assert sum(first.values()) >= 5
    assert second == {k: 0 for k in second}
