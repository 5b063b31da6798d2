"""Runs the asset graph once, in process, job by job: what `listing-helper demo` and the end-to-end tests use."""

from __future__ import annotations

import contextlib
import logging
import os
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from orchestration import settings

# Dagster's own event log stays in the instance (and the UI); the terminal gets our one-line stages.
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


class PipelineError(RuntimeError):
    pass


@dataclass(frozen=True)
class SandboxSession:
    """A running sandbox and the environment that points the SP-API resource at it."""

    base_url: str
    env: dict[str, str]


def prepare_dbt_manifest() -> Path:
    """`dbt parse`: Dagster reads the dbt manifest when it loads the definitions (a build artifact, not in git)."""
    import subprocess

    result = subprocess.run(
        [settings.venv_tool("dbt"), "parse", "--quiet", "--project-dir", str(settings.DBT_PROJECT_DIR),
         "--profiles-dir", str(settings.DBT_PROJECT_DIR)],
        capture_output=True, text=True, cwd=settings.DBT_PROJECT_DIR,
    )
    if result.returncode != 0:
        raise PipelineError(f"dbt parse failed; fix the dbt project (dbt_project/):\n{result.stdout}{result.stderr}")
    return settings.DBT_PROJECT_DIR / "target" / "manifest.json"


def sandbox_environment(server) -> dict[str, str]:
    c = server.credentials
    return {
        "LISTING_HELPER_SPAPI_LWA_APP_ID": c.lwa_app_id,
        "LISTING_HELPER_SPAPI_LWA_CLIENT_SECRET": c.lwa_client_secret,
        "LISTING_HELPER_SPAPI_REFRESH_TOKEN": c.refresh_token,
        "LISTING_HELPER_SPAPI_SELLER_ID": c.seller_id,
        "LISTING_HELPER_SPAPI_ENDPOINT": server.base_url,
        "LISTING_HELPER_SPAPI_LWA_TOKEN_URL": server.lwa_token_url,
        # The sandbox finishes a report within a few polls; Amazon takes minutes.
        "LISTING_HELPER_SPAPI_REPORT_POLL_MS": "10",
        "LISTING_HELPER_KEEPA_API_KEY": c.keepa_key,
        "LISTING_HELPER_KEEPA_BASE_URL": server.base_url,
    }


def supply_folder() -> Path:
    return settings.home_dir() / "imports" / "supply"


def _failure_summary(result: dg.ExecuteInProcessResult) -> str:
    lines = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[-1] if error else "unknown error"
            lines.append(f"{event.step_key}: {message}")
    return "; ".join(lines) or "the run failed before any step started"


def run_job(name: str, instance: dg.DagsterInstance, tags: dict[str, str] | None = None,
            log_file: Path | None = None) -> dg.ExecuteInProcessResult:
    """Run a job in process; with `log_file`, what the job prints (dbt's output, warnings) goes there."""
    with _output_to(log_file):
        from orchestration.definitions import defs  # importing it warns about beta APIs: into the log too

        result = defs.resolve_job_def(name).execute_in_process(
            instance=instance, tags=tags or {}, run_config=QUIET, raise_on_error=False
        )
    if not result.success:
        raise PipelineError(
            f"job {name} failed: {_failure_summary(result)}. The run (id {result.run_id}) and its logs are in the "
            "Dagster UI (`listing-helper ui`)" + (f" and {log_file}" if log_file else "")
            + "; fix the cause and re-run: finished steps are idempotent."
        )
    return result


@contextlib.contextmanager
def _output_to(log_file: Path | None):
    if log_file is None:
        yield
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers, root.level = [handler], logging.INFO
    try:
        with open(log_file, "a") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                warnings.catch_warnings():
            warnings.simplefilter("default")
            logging.captureWarnings(True)
            yield
    finally:
        logging.captureWarnings(False)
        root.handlers, root.level = saved_handlers, saved_level
        handler.close()


def days_to_ingest(instance: dg.DagsterInstance, first_day: date, last_day: date, repull_days: int = 7,
                   asset_key: tuple[str, ...] = ("analytics", "performance_metrics")) -> tuple[date, date] | None:
    """Days of `asset_key`'s daily partitions never materialized, plus the trailing week (late traffic)."""
    done = instance.get_materialized_partitions(dg.AssetKey(list(asset_key)))
    missing = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)
               if (first_day + timedelta(days=i)).isoformat() not in done]
    start = min([*missing, last_day - timedelta(days=repull_days - 1)])
    return max(start, first_day), last_day


def range_tags(first: date, last: date) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat()}


def export_environment(env: dict[str, str]) -> None:
    os.environ.update(env)


def sandbox_spapi_config(server):
    """An SP-API client configuration pointing at a running sandbox."""
    from orchestration.spapi.client import SpApiConfig

    c = server.credentials
    return SpApiConfig(lwa_app_id=c.lwa_app_id, lwa_client_secret=c.lwa_client_secret, refresh_token=c.refresh_token,
                       seller_id=c.seller_id, endpoint=server.base_url, lwa_token_url=server.lwa_token_url)
