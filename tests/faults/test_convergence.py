"""Faults end in the same tables as a clean run: 30 % throttling and server errors, and a run killed at
seeded moments then restarted. Compared by per-table row counts and checksums (fault_kit.fingerprints)."""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import time

import dagster as dg
import psycopg
import pytest

from fault_kit import clean_run, differences, environment, fingerprints, ingest, migrated, platform_env, world
from orchestration.sandbox import SandboxServer
from orchestration.spapi import retry

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clean(scratch, tmp_path_factory):
    """The world ingested once without faults: the fingerprints every faulty run must reach."""
    url = clean_run(scratch, tmp_path_factory.mktemp("clean-home"))
    prints = fingerprints(url)
    assert prints["analytics.performance_metrics"][0] > 0 and prints["catalog.listings"][0] > 0
    return prints


# About 30 % of all calls fail: 15 % throttled (429 + x-amzn-RateLimit-Limit), then 18 % of the rest 500/503,
# on every operation ("*": every SP-API operation, the LWA token endpoint and the document download).
THIRTY_PERCENT = {"throttle": {"*": {"fraction": 0.15, "seed": 7}},
                  "server_errors": {"*": {"fraction": 0.18, "seed": 8, "status": 503}}}


def test_thirty_percent_throttling_and_server_errors_still_converge(clean, scratch, tmp_path, monkeypatch, caplog):
    # The waits are real sleeps: cap them so the advertised 60 s of createReport takes milliseconds here.
    # The rate header is still read and the retry path is the production one; only the ceiling is lowered.
    monkeypatch.setattr(retry, "MAX_WAIT_SECONDS", 0.02)
    monkeypatch.setattr(retry, "BACKOFF_BASE_SECONDS", 0.005)
    url = migrated(scratch)
    caplog.set_level(logging.INFO, logger="orchestration.spapi.retry")
    with SandboxServer(world(), faults=THIRTY_PERCENT) as server, \
            environment(platform_env(url, tmp_path, server)):
        ingest(server)
    retried = [r.getMessage() for r in caplog.records if r.name == "orchestration.spapi.retry"]
    throttled = {m.split()[1] for m in retried if "throttled HTTP 429" in m}
    failed = {m.split()[1] for m in retried if "server HTTP 503" in m}
    # The faults really hit, on many operations, both kinds.
    assert len(throttled) >= 4 and len(failed) >= 4, (throttled, failed)
    assert {"createReport", "getReport", "getReportDocument", "downloadDocument"} <= throttled | failed
    assert differences(fingerprints(url), clean) == {}


KILLABLE_RUN = """
from datetime import date
import dagster as dg
from orchestration import pipeline
from orchestration.spapi.supply_files import download_supply_files
instance = dg.DagsterInstance.ephemeral()
download_supply_files({base_url!r}, pipeline.supply_folder())
pipeline.run_job("spapi_snapshot_ingestion", instance)
pipeline.run_job("spapi_daily_ingestion", instance,
                 pipeline.range_tags(date.fromisoformat({first!r}), date.fromisoformat({last!r})))
"""


def _progress(url: str) -> int:
    """Report documents landed plus API responses recorded: how far an ingestion has got."""
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT (SELECT count(*) FROM raw.report_documents) "
                            "+ (SELECT count(*) FROM raw.api_responses)").fetchone()[0]


@pytest.fixture(scope="module")
def full_progress(scratch, tmp_path_factory):
    """How many documents + responses a whole run records (a second clean run, counted)."""
    return _progress(clean_run(scratch, tmp_path_factory.mktemp("count-home")))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_run_killed_at_a_seeded_moment_and_restarted_ends_like_a_clean_run(seed, clean, full_progress, scratch,
                                                                            tmp_path):
    chooser = random.Random(seed)
    kill_after = chooser.randint(1, full_progress - 1)  # after this many documents/responses ...
    extra_delay = chooser.uniform(0.0, 0.15)  # ... and a little later: inside a download, parse or upsert
    url = migrated(scratch)
    # Slow downloads a touch so the moment is inside the run, not after it.
    with SandboxServer(world(), faults={"delay_seconds": {"downloadDocument": 0.05}}) as server, \
            environment(platform_env(url, tmp_path, server)):
        script = KILLABLE_RUN.format(base_url=server.base_url, first=server.world.start_date.isoformat(),
                                     last=server.world.end_date.isoformat())
        process = subprocess.Popen([sys.executable, "-c", script], env=dict(os.environ), start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        try:
            while _progress(url) < kill_after:
                assert process.poll() is None, "the run ended before it could be killed"
                assert time.monotonic() < deadline, "the run made no progress"
                time.sleep(0.02)
            time.sleep(extra_delay)
            assert process.poll() is None, "the run ended before it could be killed"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        assert process.returncode == -signal.SIGKILL
        killed_at = _progress(url)
        assert 0 < killed_at <= full_progress  # at the end: killed inside the last upserts
        ingest(server, dg.DagsterInstance.ephemeral())  # the restart: the same jobs again
    assert differences(fingerprints(url), clean) == {}
