"""One report from request to raw rows, shared by every SP-API report asset."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import dagster as dg

from orchestration.assets.spapi.resources import SpApiResource
from orchestration.resources import WarehouseResource
from orchestration.spapi import loading, report_requests


@dataclass
class ReportLoad:
    report_type: str
    status: str  # DONE or CANCELLED (no data)
    report_document_id: str | None
    rows_loaded: int = 0
    rows_quarantined: int = 0
    error: str | None = None
    ignored_headers: tuple[str, ...] = ()


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1) - timedelta(seconds=1)


def fetch_and_load(context: dg.AssetExecutionContext, warehouse: WarehouseResource, spapi: SpApiResource, *,
                   report_type: str, start: datetime | None = None, end: datetime | None = None,
                   options: dict | None = None, report_date: date | None = None) -> ReportLoad:
    """Request (or reuse) the report, keep its bytes, load its rows; the window's older rows are replaced."""
    with warehouse.connect(autocommit=True) as conn:
        report_requests.commit_without_waiting_for_disk(conn)
        fetched = report_requests.fetch_report(
            conn, spapi.reports(), report_type=report_type, data_start_time=start, data_end_time=end,
            report_options=options, run_id=context.run_id,
            partition_key=context.partition_key if context.has_partition_key else None,
            poll_interval=spapi.report_poll_ms / 1000, max_polls=spapi.report_max_polls,
        )
        if fetched.status == "CANCELLED":
            context.log.info("%s %s..%s: Amazon has no data (CANCELLED); zero rows", report_type, start, end)
            return ReportLoad(report_type, "CANCELLED", None)
        with conn.transaction():
            result = loading.load_document(conn, report_type=report_type, report_document_id=fetched.report_document_id,
                                           report_date=report_date, run_id=context.run_id)
            superseded = loading.supersede_older_documents(conn, report_type=report_type,
                                                           report_document_id=fetched.report_document_id)
        if result.error:
            context.log.error("%s document %s is unusable: %s", report_type, fetched.report_document_id, result.error)
        elif superseded:
            context.log.info("%s: replaced %s row(s) of older documents for the same window", report_type, superseded)
        return ReportLoad(report_type, "DONE", fetched.report_document_id, result.rows_loaded, result.rows_quarantined,
                          result.error, tuple(result.ignored_headers))


def load_metadata(loads: list[ReportLoad]) -> dict:
    rows = sum(load.rows_loaded for load in loads)
    quarantined = sum(load.rows_quarantined for load in loads)
    return {
        "reports": len(loads),
        "reports_without_data": sum(load.status == "CANCELLED" for load in loads),
        "rows_loaded": dg.MetadataValue.int(rows),
        "rows_quarantined": dg.MetadataValue.int(quarantined),
        "unusable_documents": [load.report_document_id for load in loads if load.error],
        "ignored_headers": sorted({h for load in loads for h in load.ignored_headers}),
    }


def quarantine_check(loads: list[ReportLoad], max_share: float, check_name: str = "quarantine_share_below_threshold") -> dg.AssetCheckResult:
    rows = sum(load.rows_loaded for load in loads)
    quarantined = sum(load.rows_quarantined for load in loads)
    unusable = [load.report_document_id for load in loads if load.error]
    share = quarantined / (rows + quarantined) if rows + quarantined else 0.0
    return dg.AssetCheckResult(
        check_name=check_name,
        passed=share <= max_share and not unusable,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"quarantine_share": share, "max_share": max_share, "unusable_documents": unusable,
                  "where_to_look": "raw.quarantine (file, line, field, reason)"},
    )


def max_quarantine_share(warehouse: WarehouseResource) -> float:
    with warehouse.connect() as conn:
        row = conn.execute("SELECT value FROM system.settings WHERE key = 'quarantine.max_share'").fetchone()
    return float(row[0]) if row else 0.05
