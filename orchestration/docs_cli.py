"""CLI verb `listing-helper docs`: dbt's documentation of the marts (descriptions, columns, lineage, dashboards).

orchestration/cli.py calls `register(subparsers)`. `dbt docs generate` reads the column types from the
configured database, then `dbt docs serve` shows the site on 127.0.0.1 until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from orchestration import settings

__all__ = ["register", "docs_folder", "generate_docs"]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def docs_folder() -> Path:
    # Not dbt_project/target: generating there would rewrite the manifest a running Dagster UI reads.
    return settings.home_dir() / "dbt-docs"


def _dbt(args: list[str], target_path: Path) -> int:
    env = {**os.environ, "DBT_PROFILES_DIR": str(settings.DBT_PROJECT_DIR)}
    return subprocess.call(
        [settings.venv_tool("dbt"), *args, "--project-dir", str(settings.DBT_PROJECT_DIR),
         "--target-path", str(target_path)],
        env=env, cwd=settings.DBT_PROJECT_DIR,
    )


def _built_marts(url: str) -> int:
    from orchestration.db import connection

    with connection.connect(url, autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts'").fetchone()[0]


def generate_docs(url: str, target_path: Path) -> Path:
    """`dbt docs generate` into target_path (index.html, manifest.json, catalog.json, static_index.html)."""
    target_path.mkdir(parents=True, exist_ok=True)
    if not _built_marts(url):
        print("The marts are not built in this database yet: the docs show descriptions and lineage but no "
              "column types. Run `listing-helper dbt build` (or `listing-helper demo`) first.")
    # --static also writes one self-contained static_index.html to share with people who run no server.
    if _dbt(["docs", "generate", "--static"], target_path) != 0:
        raise RuntimeError("dbt docs generate failed (its output is above)")
    missing = [name for name in ("index.html", "catalog.json", "manifest.json") if not (target_path / name).exists()]
    if missing:
        raise RuntimeError(f"dbt docs generate wrote no {', '.join(missing)} in {target_path}")
    return target_path


def cmd_docs(args: argparse.Namespace) -> int:
    from orchestration import cli

    url = cli._database_url()
    target = Path(args.target_path).resolve() if args.target_path else docs_folder()
    generate_docs(url, target)
    print(f"dbt docs written to {target} (static_index.html is one file you can share)")
    if args.generate_only:
        return 0
    if args.host not in LOOPBACK:
        print("WARNING: the docs server has no login and shows every model's SQL. Put it behind an "
              "authenticating proxy (docs/bi-guide.md).")
    print(f"dbt docs on http://{args.host}:{args.port}; Ctrl-C stops it")
    serve = ["docs", "serve", "--host", args.host, "--port", str(args.port)]
    return _dbt(serve + (["--no-browser"] if args.no_browser else []), target)


def register(subparsers) -> None:
    docs = subparsers.add_parser("docs", help="generate and serve dbt's documentation of the marts (for analysts)")
    docs.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1; the site has no login)")
    docs.add_argument("--port", type=int, default=8080)
    docs.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    docs.add_argument("--generate-only", action="store_true", help="write the docs files and stop (no server)")
    docs.add_argument("--target-path", help="where to write the docs (default ./.listing-helper/dbt-docs)")
    docs.set_defaults(func=cmd_docs)
