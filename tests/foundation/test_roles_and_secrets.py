"""The BI role reads marts and nothing secret; credentials are encrypted and never printed."""

from __future__ import annotations

import logging
import uuid

import psycopg
import pytest

from orchestration.db import connection
from orchestration.db.secrets import Secret, SecretError, SecretStore, generate_key, load_key

PLAINTEXT = "Atzr|IwEBIReal-Looking-Refresh-Token-0123456789"


@pytest.fixture
def mart(db):
    name = f"marts.bi_probe_{uuid.uuid4().hex[:6]}"
    db.execute(f"CREATE TABLE {name} (listing_sku text, units integer)")
    db.execute(f"INSERT INTO {name} VALUES ('SCREW-4X40', 12)")
    yield name
    db.execute(f"DROP TABLE {name}")


def _as_readonly(db, sql: str):
    db.execute("BEGIN")
    try:
        db.execute("SET LOCAL ROLE listing_helper_readonly")
        return db.execute(sql).fetchall()
    finally:
        db.execute("ROLLBACK")


def test_readonly_role_reads_marts(db, mart):
    assert _as_readonly(db, f"SELECT listing_sku, units FROM {mart}") == [("SCREW-4X40", 12)]


@pytest.mark.parametrize("statement", [
    "INSERT INTO {mart} VALUES ('X', 1)",
    "UPDATE {mart} SET units = 0",
    "DELETE FROM {mart}",
    "CREATE TABLE marts.sneaky (id int)",
    "SELECT * FROM system.creds",
    "SELECT * FROM raw.report_documents",
    "INSERT INTO catalog.listings (asin, sku, title) VALUES ('B0X', 'X', 'x')",
])
def test_readonly_role_cannot_write_or_read_secrets(db, mart, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _as_readonly(db, statement.format(mart=mart))


def test_app_role_can_write_operational_tables(db):
    db.execute("BEGIN")
    try:
        db.execute("SET LOCAL ROLE listing_helper_app")
        db.execute("INSERT INTO catalog.listings (asin, sku, title) VALUES ('B0APPROLE1', 'APP-ROLE', 'Tape measure 5m')")
        assert db.execute("SELECT count(*) FROM catalog.listings WHERE sku = 'APP-ROLE'").fetchone()[0] == 1
    finally:
        db.execute("ROLLBACK")


def test_a_secret_round_trips_and_its_plaintext_is_nowhere_in_the_table(db, caplog):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(db, key=load_key_from(generate_key()))
    store.put("sp_api.refresh_token", "sp_api", PLAINTEXT)
    assert store.get("sp_api.refresh_token").reveal() == PLAINTEXT
    dump = b"".join(db.execute("SELECT row_to_json(c)::text::bytea FROM system.creds c").fetchone())
    raw_bytes = bytes(db.execute("SELECT ciphertext FROM system.creds WHERE name = 'sp_api.refresh_token'").fetchone()[0])
    assert PLAINTEXT.encode() not in dump and PLAINTEXT.encode() not in raw_bytes
    assert "Real-Looking" not in caplog.text


def test_a_secret_never_prints_itself():
    secret = Secret(PLAINTEXT)
    assert PLAINTEXT not in repr(secret) and PLAINTEXT not in str(secret) and PLAINTEXT not in f"{secret}"


def test_the_wrong_key_gives_a_clear_error_without_the_plaintext(db):
    SecretStore(db, key=load_key_from(generate_key())).put("keepa.api_key", "keepa", PLAINTEXT)
    with pytest.raises(SecretError) as error:
        SecretStore(db, key=load_key_from(generate_key())).get("keepa.api_key")
    assert "encrypted with another key" in str(error.value)
    assert PLAINTEXT not in str(error.value)


def test_a_tampered_ciphertext_is_refused(db):
    store = SecretStore(db, key=load_key_from(generate_key()))
    store.put("smtp.password", "smtp", PLAINTEXT)
    db.execute("UPDATE system.creds SET ciphertext = set_byte(ciphertext, 0, get_byte(ciphertext, 0) # 1) WHERE name = 'smtp.password'")
    with pytest.raises(SecretError, match="failed authentication"):
        store.get("smtp.password")


def test_a_bad_key_in_the_environment_is_named_not_echoed(monkeypatch):
    monkeypatch.setenv("LISTING_HELPER_SECRET_KEY", "not-a-real-key")
    with pytest.raises(SecretError) as error:
        load_key()
    assert "LISTING_HELPER_SECRET_KEY" in str(error.value) and "not-a-real-key" not in str(error.value)


def test_connection_errors_and_redacted_urls_hide_the_password():
    url = "postgresql://seller:s3cr3t-pass@127.0.0.1:1/nowhere"
    assert "s3cr3t-pass" not in connection.redact(url) and "***" in connection.redact(url)
    with pytest.raises(ConnectionError) as error:
        connection.connect(url, connect_timeout=2)
    assert "s3cr3t-pass" not in str(error.value)


def load_key_from(encoded: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(encoded)
