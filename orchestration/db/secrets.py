"""Credentials in system.creds, encrypted before they leave the process (AES-256-GCM).

The key comes from LISTING_HELPER_SECRET_KEY (urlsafe base64 of 32 bytes). When it is unset, a key
file is generated once in the project-local home (mode 0600) so the demo works out of the box; a
real deployment sets the variable (docs/decisions/2026-11-25-secrets-at-rest.md).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orchestration import settings


class SecretError(RuntimeError):
    pass


class Secret:
    """A decrypted value that will not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def generate_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def _decode_key(text: str, origin: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise SecretError(f"{origin} must be urlsafe base64 of 32 bytes (generate one: listing-helper secrets new-key)")
    return key


def load_key(home: Path | None = None) -> bytes:
    configured = os.environ.get(settings.SECRET_KEY_ENV)
    if configured:
        return _decode_key(configured, settings.SECRET_KEY_ENV)
    path = (home or settings.home_dir()) / "secret.key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generate_key())
    return _decode_key(path.read_text(), str(path))


def fingerprint(key: bytes) -> str:
    return hashlib.sha256(b"listing-helper-key:" + key).hexdigest()[:16]


class SecretStore:
    """Read and write system.creds; the name is authenticated with the ciphertext (associated data)."""

    def __init__(self, conn: psycopg.Connection, key: bytes | None = None):
        self.conn = conn
        self.key = key or load_key()
        self._aead = AESGCM(self.key)

    def put(self, name: str, provider: str, value: str) -> None:
        nonce = os.urandom(12)
        ciphertext = self._aead.encrypt(nonce, value.encode(), name.encode())
        self.conn.execute(
            """
            INSERT INTO system.creds (name, provider, ciphertext, nonce, key_fingerprint)
            VALUES (%s, %s, %s, %s, %s)
            ON CONFLICT (name) DO UPDATE SET provider = EXCLUDED.provider, ciphertext = EXCLUDED.ciphertext,
                nonce = EXCLUDED.nonce, key_fingerprint = EXCLUDED.key_fingerprint, updated_at = now()
            """,
            (name, provider, ciphertext, nonce, fingerprint(self.key)),
        )

    def get(self, name: str) -> Secret | None:
        row = self.conn.execute(
            "SELECT ciphertext, nonce, key_fingerprint FROM system.creds WHERE name = %s", (name,)
        ).fetchone()
        if row is None:
            return None
        ciphertext, nonce, key_fingerprint = row
        if key_fingerprint != fingerprint(self.key):
            raise SecretError(
                f"credential {name!r} was encrypted with another key (fingerprint {key_fingerprint}); "
                f"set {settings.SECRET_KEY_ENV} to that key"
            )
        try:
            plain = self._aead.decrypt(bytes(nonce), bytes(ciphertext), name.encode())
        except InvalidTag:
            raise SecretError(f"credential {name!r} failed authentication (tampered or wrong key)") from None
        self.conn.execute("UPDATE system.creds SET last_used_at = now() WHERE name = %s", (name,))
        return Secret(plain.decode())

    def names(self) -> list[tuple[str, str, str]]:
        return self.conn.execute(
            "SELECT name, provider, key_fingerprint FROM system.creds ORDER BY name"
        ).fetchall()

    def delete(self, name: str) -> bool:
        return self.conn.execute("DELETE FROM system.creds WHERE name = %s", (name,)).rowcount > 0
