"""One database URL for the whole platform: the user's, or the embedded server's, handed to dbt and Dagster."""

from __future__ import annotations

import os
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg

from orchestration import settings


def redact(url: str) -> str:
    """The URL with its password replaced, safe for logs, metadata and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{quote(user)}:***@{netloc[-1]}"))


def url_components(url: str) -> dict[str, str]:
    """host, port, user, password, dbname of a libpq URL (dbt's profile needs them apart)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgresql", "postgres"}:
        raise ValueError(f"database URL must start with postgresql:// (got {redact(url)})")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or os.environ.get("USER", "postgres")),
        "password": unquote(parts.password or ""),
        "dbname": (parts.path or "/").lstrip("/") or "postgres",
    }


def with_database(url: str, dbname: str) -> str:
    """The same server and credentials, another database."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{dbname}"))


def export_connection_env(url: str) -> None:
    """Make the URL visible to child processes: dbt reads its parts, Dagster reads the URL."""
    parts = url_components(url)
    os.environ[settings.DATABASE_URL_ENV] = url
    os.environ["LISTING_HELPER_PGHOST"] = parts["host"]
    os.environ["LISTING_HELPER_PGPORT"] = parts["port"]
    os.environ["LISTING_HELPER_PGUSER"] = parts["user"]
    os.environ["LISTING_HELPER_PGPASSWORD"] = parts["password"]
    os.environ["LISTING_HELPER_PGDATABASE"] = parts["dbname"]


def resolve_database_url(*, start_embedded: bool = True) -> str:
    """The configured URL, else the embedded server's (started if needed)."""
    url = settings.configured_database_url()
    if url:
        return url
    if not start_embedded:
        raise RuntimeError(
            f"no database configured: set {settings.DATABASE_URL_ENV} or run `listing-helper db start`"
        )
    from orchestration.db.embedded import EmbeddedPostgres

    return EmbeddedPostgres(settings.home_dir()).ensure_running()


def connect(url: str, **kwargs) -> psycopg.Connection:
    """A connection whose failure message never carries the password."""
    try:
        return psycopg.connect(url, **kwargs)
    except psycopg.OperationalError as exc:
        message = str(exc)
        password = urlsplit(url).password
        if password:
            message = message.replace(password, "***").replace(quote(password), "***")
        raise ConnectionError(f"cannot connect to {redact(url)}: {message.strip()}") from None
