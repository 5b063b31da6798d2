"""A run with real-looking credentials leaves none of them anywhere we write: the Dagster event log (asset
metadata, log messages), the run log under LISTING_HELPER_HOME, stdout/stderr, every text column of every
table. system.creds holds them as ciphertext only."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
from pathlib import Path
from urllib.parse import quote

import dagster as dg
import psycopg
import pytest
from psycopg.types.json import Jsonb

from fault_kit import environment, ingest, migrated, platform_env, world
from orchestration import pipeline
from orchestration.db.secrets import SecretStore, generate_key
from orchestration.sandbox import SandboxServer
from orchestration.sandbox.server import SandboxCredentials

pytestmark = pytest.mark.slow


def _closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on: deliveries fail and their errors get stored
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _closed_port()
# Shaped like the real things (lengths, prefixes, alphabets), so a redaction that matches by shape is tested too.
CREDENTIALS = SandboxCredentials(
    lwa_app_id="amzn1.application-oa2-client.7f3c9a1e5b2d4c8e9f0a1b2c3d4e5f60",
    lwa_client_secret="amzn1.oa2-cs.v1.3e8b1f0c7a9d2e4f6b8a0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a",
    refresh_token="Atzr|IwEBIJk3mZq8Xw2Vt9Lr5Nc7Hd1Gf4Bs6Ye0Ua2Pi8Oj3Kl5Mn7Qw9Er1Ty3Uo5Ip7As9Df1Gh3Jk5Lz7Xc9Vb"
                  "1Nm3Qa5Ws7Ed9Rf1Tg3Yh5Uj7Ik9Ol1Pz3Xs5Cd7Vf9Bg1Nh3Mj5Ki7Lo9Pq",
    keepa_key="q7k2m9x4v1c8b5n3z6a0s4d7f2g9h1j5k8l3p6o0i4u7y2t9r1e5w8q3a6s0d4f7g2",
)
SMTP_PASSWORD = "Smtp-Pa55w0rd!x9QvT2#mK7"
WEBHOOK_URL = f"http://127.0.0.1:{PORT}/services/T04ABCDEF12/B05GHIJKL34/xoxWebhookSecret9fK2mQ7vL3pZ8"
SECRETS = {
    "sp_api.lwa_client_secret": CREDENTIALS.lwa_client_secret,
    "sp_api.refresh_token": CREDENTIALS.refresh_token,
    "keepa.api_key": CREDENTIALS.keepa_key,
    "smtp.password": SMTP_PASSWORD,
    "alerts.webhook_url.default": WEBHOOK_URL,
}


def _needles() -> dict[str, str]:
    """Each secret as written, URL-encoded (query strings, form bodies) and JSON-escaped; the webhook's token
    path on its own too (a log that strips the scheme and host would still leak it)."""
    needles = {}
    for name, value in SECRETS.items():
        for variant in {value, quote(value, safe=""), json.dumps(value)[1:-1]}:
            needles[variant] = name
    needles[WEBHOOK_URL.rsplit("/", 1)[1]] = "alerts.webhook_url.default (its token)"
    return needles


def _found_in_text(text: str, where: str) -> list[str]:
    return [f"{name} in {where}" for needle, name in _needles().items() if needle in text]


def _found_in_files(folder: Path) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{name} in {path}" for needle, name in _needles().items() if needle.encode() in data]
    return found


def _found_in_tables(url: str) -> tuple[list[str], int]:
    """Every text-like column (text, varchar, char, json, jsonb, arrays of them) of every table, one query each."""
    found, scanned = [], 0
    with psycopg.connect(url) as conn:
        columns: dict[str, list[str]] = {}
        for schema, table, column in conn.execute(
                "SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c "
                "JOIN information_schema.tables t USING (table_schema, table_name) "
                "WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema') "
                "AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') "
                "     OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar', '_jsonb')))").fetchall():
            columns.setdefault(f'"{schema}"."{table}"', []).append(column)
        needles = list(_needles())
        for table, names in columns.items():
            scanned += 1
            text = " || ' ' || ".join(f'coalesce("{c}"::text, \'\')' for c in names)
            hits = conn.execute(
                f"SELECT DISTINCT n FROM {table}, unnest(%s::text[]) n WHERE position(n IN {text}) > 0",
                (needles,)).fetchall()
            found += [f"{_needles()[n]} in {table}" for (n,) in hits]
    return found, scanned


@pytest.fixture(scope="module")
def secret_run(scratch, tmp_path_factory):
    """The jobs run with the credentials set in the environment *and* stored in system.creds."""
    url = migrated(scratch)
    home = tmp_path_factory.mktemp("home")
    dagster_home = tmp_path_factory.mktemp("dagster")
    secret_key = generate_key()
    env = {"LISTING_HELPER_SECRET_KEY": secret_key,
           "LISTING_HELPER_SMTP_HOST": "127.0.0.1", "LISTING_HELPER_SMTP_PORT": str(PORT),
           "LISTING_HELPER_SMTP_USER": "alerts@example-tools.co.uk", "LISTING_HELPER_SMTP_PASSWORD": SMTP_PASSWORD,
           "LISTING_HELPER_SMTP_SECURITY": "none", "LISTING_HELPER_SMTP_FROM": "alerts@example-tools.co.uk",
           "LISTING_HELPER_ALERT_EMAIL_TO": "owner@example-tools.co.uk",
           "LISTING_HELPER_ALERT_WEBHOOK_URL": WEBHOOK_URL}
    # A bucket big enough that discovery never waits for Keepa tokens (the refill is real time).
    with SandboxServer(world(), credentials=CREDENTIALS, faults={"keepa_token_bucket_max": 100_000}) as server, \
            environment({**platform_env(url, home, server), **env}):
        assert pipeline.sandbox_environment(server)["LISTING_HELPER_SPAPI_REFRESH_TOKEN"] == CREDENTIALS.refresh_token
        with psycopg.connect(url) as conn:
            store = SecretStore(conn)
            for name, value in SECRETS.items():
                store.put(name, name.split(".")[0], value)
            # Two alerts to deliver: the webhook and the e-mail server both refuse, and the errors are stored.
            for key, channel in (("fault-suite-hook", "webhook"), ("fault-suite-mail", "email")):
                conn.execute("INSERT INTO workflow.alert_outbox (idempotency_key, channel, severity, subject, payload)"
                             " VALUES (%s, %s, 'high', 'Low stock on a drill', %s)", (key, channel, Jsonb({})))
        # What a job prints goes to the run log with log_file (as the CLI runs them); the last job runs without
        # one, so its output and every log record at DEBUG (urllib3's request lines included) land in `console`.
        console = io.StringIO()
        handler = logging.StreamHandler(console)
        root = logging.getLogger()
        saved_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            with contextlib.redirect_stdout(console), contextlib.redirect_stderr(console), \
                    dg.DagsterInstance.local_temp(tempdir=str(dagster_home)) as instance:
                log_file = home / "logs" / "fault-suite.log"
                ingest(server, instance, log_file=log_file)
                pipeline.run_job("competitor_discovery", instance, log_file=log_file)
                pipeline.run_job("alert_delivery", instance)
                events = [e for run in instance.get_runs() for e in instance.all_logs(run.run_id)]
        finally:
            root.removeHandler(handler)
            root.setLevel(saved_level)
    return {"console": console.getvalue(), "url": url, "home": home, "dagster_home": dagster_home, "events": events, "secret_key": secret_key}


def test_the_run_used_the_credentials_and_the_alerts_were_attempted(secret_run):
    url = secret_run["url"]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM analytics.performance_metrics").fetchone()[0] > 0  # SP-API worked
        attempts = conn.execute("SELECT channel, attempts, last_error FROM workflow.alert_outbox "
                                "WHERE idempotency_key LIKE 'fault-suite-%' ORDER BY channel").fetchall()
    assert [(c, a > 0, bool(e)) for c, a, e in attempts] == [("email", True, True), ("webhook", True, True)]
    assert len(secret_run["events"]) > 50


def test_no_secret_in_the_dagster_event_log(secret_run):
    from dagster._serdes import serialize_value

    found = []
    for event in secret_run["events"]:
        found += _found_in_text(serialize_value(event), f"event {event.dagster_event_type}")
    assert found == []
    assert _found_in_files(secret_run["dagster_home"]) == []  # the instance's storage, byte for byte


def test_no_secret_in_the_run_logs_the_home_folder_or_the_console(secret_run):
    home, console = secret_run["home"], secret_run["console"]
    assert (home / "logs" / "fault-suite.log").stat().st_size > 0
    assert _found_in_files(home) == []
    assert "alert fault-suite-hook to webhook" in console  # the last job's (failed) delivery was logged here
    assert _found_in_text(console, "stdout/stderr/logging") == []


def _key(text: str) -> bytes:
    from orchestration.db.secrets import _decode_key

    return _decode_key(text, "the test's key")


def test_no_secret_in_any_text_column_and_only_ciphertext_in_system_creds(secret_run):
    found, scanned = _found_in_tables(secret_run["url"])
    assert scanned > 50 and found == []
    with psycopg.connect(secret_run["url"]) as conn:
        for name, value in SECRETS.items():
            ciphertext = conn.execute("SELECT ciphertext FROM system.creds WHERE name = %s", (name,)).fetchone()[0]
            assert value.encode() not in bytes(ciphertext)
            assert SecretStore(conn, key=_key(secret_run["secret_key"])).get(name).reveal() == value  # and it is the value the run used


def test_the_scans_do_find_a_secret_where_there_is_one(secret_run, tmp_path):
    """The checks above pass on an empty result: make sure each scanner would have seen a leak."""
    token = CREDENTIALS.refresh_token
    assert _found_in_text(f"GET /auth/o2/token?refresh_token={quote(token, safe='')}", "a url") != []
    (tmp_path / "leak.log").write_text(json.dumps({"webhook": WEBHOOK_URL}))
    assert _found_in_files(tmp_path) != []
    with psycopg.connect(secret_run["url"], autocommit=True) as conn:
        conn.execute("CREATE TABLE public.fault_suite_leak (note jsonb)")
        conn.execute("INSERT INTO public.fault_suite_leak VALUES (%s)", (Jsonb({"key": CREDENTIALS.keepa_key}),))
        try:
            found, _ = _found_in_tables(secret_run["url"])
        finally:
            conn.execute("DROP TABLE public.fault_suite_leak")
    assert found == ['keepa.api_key in "public"."fault_suite_leak"']
