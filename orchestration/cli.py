"""`listing-helper`: the seller's and analyst's command line (demo, database, UI, dbt, secrets)."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import subprocess
import sys
import time

from orchestration import settings
from orchestration.db import connection, migrate


class Stage:
    """Prints one line per pipeline stage: what runs, then counts and elapsed time."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.started = time.monotonic()
        print(f"  … {self.name}", flush=True)
        return self

    def done(self, summary: str) -> None:
        print(f"  ✓ {self.name}: {summary} ({time.monotonic() - self.started:.1f}s)", flush=True)

    def __exit__(self, exc_type, exc, tb):
        if exc is not None:
            print(f"  ✗ {self.name} failed after {time.monotonic() - self.started:.1f}s", flush=True)
        return False


def _database_url() -> str:
    url = settings.configured_database_url()
    if url:
        print(f"Database: {connection.redact(url)} (from {settings.DATABASE_URL_ENV})")
    else:
        with Stage("starting the embedded PostgreSQL") as stage:
            url = connection.resolve_database_url()
            stage.done(f"{connection.redact(url)}, data in {settings.home_dir() / 'postgres'}")
    connection.export_connection_env(url)
    return url


def _migrate(url: str) -> list[str]:
    with connection.connect(url, autocommit=True) as conn:
        return migrate.migrate(conn)


def cmd_db_migrate(args: argparse.Namespace) -> int:
    url = _database_url()
    applied = _migrate(url)
    print(f"Applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "; schema is up to date"))
    return 0


def cmd_db_info(args: argparse.Namespace) -> int:
    url = _database_url()
    with connection.connect(url, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        timescale = migrate.timescaledb_active(conn)
        current = migrate.state(conn)
    print(f"Server:        PostgreSQL {version}")
    print(f"TimescaleDB:   {'active, version ' + timescale if timescale else 'not active'}")
    print(f"Time series:   {current.storage_mode or 'not migrated yet'}")
    print(f"Migrations:    {len(current.applied)} applied, {len(current.pending)} pending"
          + (f", {len(current.changed)} CHANGED since applied: {', '.join(current.changed)}" if current.changed else ""))
    for name in current.pending:
        print(f"  pending: {name}")
    return 1 if current.changed else 0


def cmd_db_start(args: argparse.Namespace) -> int:
    if settings.configured_database_url():
        print(f"{settings.DATABASE_URL_ENV} is set: the embedded server is not used")
        return 0
    _database_url()
    return 0


def cmd_db_stop(args: argparse.Namespace) -> int:
    from orchestration.db.embedded import EmbeddedPostgres

    stopped = EmbeddedPostgres(settings.home_dir()).stop()
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0


def cmd_db_url(args: argparse.Namespace) -> int:
    url = connection.resolve_database_url()
    # The full URL carries the generated password: only on explicit request, for BI tools and psql.
    print(url if args.show_password else connection.redact(url))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.demo import run_demo

    return run_demo(args)


def _dbt(args: list[str]) -> int:
    env = {**os.environ, "DBT_PROFILES_DIR": str(settings.DBT_PROJECT_DIR)}
    return subprocess.call([settings.venv_tool("dbt"), *args, "--project-dir", str(settings.DBT_PROJECT_DIR)], env=env)


def cmd_dbt(args: argparse.Namespace) -> int:
    _database_url()
    return _dbt(args.dbt_args)


def cmd_ui(args: argparse.Namespace) -> int:
    from orchestration.dagster_home import prepare_dagster_home

    from orchestration.spapi.credentials import export_source_env

    url = _database_url()
    _migrate(url)
    with connection.connect(url, autocommit=True) as conn:
        missing = export_source_env(conn)
    if missing:
        print(f"No credentials for {', '.join(missing)}: SP-API/Keepa runs will fail until you set them "
              "(environment or `listing-helper secrets set`), see README.")
    from orchestration.pipeline import prepare_dbt_manifest

    prepare_dbt_manifest()
    home = prepare_dagster_home()
    print(f"Dagster UI on http://{args.host}:{args.port} (instance in {home}); Ctrl-C stops it")
    if args.host not in {"127.0.0.1", "localhost"}:
        print("WARNING: the Dagster UI has no login. Put it behind an authenticating proxy (see README).")
    return subprocess.call(
        [settings.venv_tool("dagster-webserver"), "-w", str(settings.PROJECT_ROOT / "workspace.yaml"),
         "-h", args.host, "-p", str(args.port)],
        cwd=settings.PROJECT_ROOT,
    )


def cmd_secrets_set(args: argparse.Namespace) -> int:
    from orchestration.db.secrets import SecretStore

    # Read from stdin or a prompt, never argv: argv lands in shell history and `ps`.
    value = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else getpass.getpass(f"{args.name}: ")
    if not value:
        print("empty value: nothing stored", file=sys.stderr)
        return 1
    url = _database_url()
    _migrate(url)
    with connection.connect(url, autocommit=True) as conn:
        SecretStore(conn).put(args.name, args.provider, value)
    print(f"stored {args.name} (encrypted)")
    return 0


def cmd_secrets_list(args: argparse.Namespace) -> int:
    from orchestration.db.secrets import SecretStore

    url = _database_url()
    with connection.connect(url, autocommit=True) as conn:
        for name, provider, key in SecretStore(conn).names():
            print(f"{name:40} {provider:12} key {key}")
    return 0


def cmd_secrets_new_key(args: argparse.Namespace) -> int:
    from orchestration.db.secrets import generate_key

    print(generate_key())
    return 0


def cmd_sandbox_serve(args: argparse.Namespace) -> int:
    import json

    from orchestration.sandbox import serve_forever

    if args.host not in {"127.0.0.1", "localhost"}:
        print("WARNING: the sandbox accepts its fixed test credentials from anyone who can reach it.")
    faults = json.loads(args.faults) if args.faults else None
    serve_forever(host=args.host, port=args.port, seed=args.seed, listing_count=args.listings, days=args.days, faults=faults)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="listing-helper", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the whole platform on the sandbox marketplace")
    demo.add_argument("--listings", type=int, default=200, help="listings in the simulated seller (default 200)")
    demo.add_argument("--days", type=int, default=450, help="days of history (default 450)")
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(func=cmd_demo)

    db = sub.add_parser("db", help="database: migrate, info, start, stop, url").add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help="apply pending SQL migrations").set_defaults(func=cmd_db_migrate)
    db.add_parser("info", help="server version, TimescaleDB, migration state").set_defaults(func=cmd_db_info)
    db.add_parser("start", help="start the embedded PostgreSQL").set_defaults(func=cmd_db_start)
    db.add_parser("stop", help="stop the embedded PostgreSQL").set_defaults(func=cmd_db_stop)
    url = db.add_parser("url", help="print the connection URL (password hidden unless asked)")
    url.add_argument("--show-password", action="store_true")
    url.set_defaults(func=cmd_db_url)

    ui = sub.add_parser("ui", help="start the Dagster UI on the configured database")
    ui.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1; the UI has no login)")
    ui.add_argument("--port", type=int, default=3000)
    ui.set_defaults(func=cmd_ui)

    dbt = sub.add_parser("dbt", help="run dbt against the configured database, e.g. `listing-helper dbt build`")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(func=cmd_dbt)

    sandbox = sub.add_parser("sandbox", help="the sandbox marketplace (SP-API and Keepa look-alike)").add_subparsers(dest="sandbox_command", required=True)
    serve = sandbox.add_parser("serve", help="serve a simulated UK DIY seller over HTTP until Ctrl-C")
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--listings", type=int, default=200)
    serve.add_argument("--days", type=int, default=450)
    serve.add_argument("--seed", type=int, default=42)
    serve.add_argument("--faults", help='failure modes as JSON, e.g. \'{"throttle": {"createReport": {"first_n": 2}}}\'')
    serve.set_defaults(func=cmd_sandbox_serve)

    secrets = sub.add_parser("secrets", help="encrypted credentials in system.creds").add_subparsers(dest="secrets_command", required=True)
    put = secrets.add_parser("set", help="store a credential; the value is read from stdin or a prompt")
    put.add_argument("name", help="e.g. sp_api.refresh_token")
    put.add_argument("--provider", required=True, help="sp_api, keepa, smtp, webhook")
    put.set_defaults(func=cmd_secrets_set)
    secrets.add_parser("list", help="names and key fingerprints, never values").set_defaults(func=cmd_secrets_list)
    secrets.add_parser("new-key", help="print a new LISTING_HELPER_SECRET_KEY").set_defaults(func=cmd_secrets_new_key)

    # Domain verbs, each registered by its package.
    from orchestration import docs_cli
    from orchestration.alerts import cli as alerts_cli
    from orchestration.attribution import cli as attribution_cli
    from orchestration.automation import cli as automation_cli
    from orchestration.content import cli as content_cli
    from orchestration.forecasting import cli as forecasting_cli
    from orchestration.reporting import cli as reporting_cli
    from orchestration.tasks import cli as tasks_cli

    for domain in (attribution_cli, forecasting_cli, automation_cli, tasks_cli, content_cli, alerts_cli, reporting_cli, docs_cli):
        domain.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except (migrate.MigrationError, ConnectionError, RuntimeError, ValueError) as exc:  # PipelineError included
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
