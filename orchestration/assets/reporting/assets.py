"""Report assets: the due scheduled exports (one per schedule and tick) and the charts, into the export folder."""


import base64

import dagster as dg

from orchestration.reporting import charts, exports, schedules
from orchestration.resources import WarehouseResource

# Embedded in the asset's metadata (Markdown data URIs); bigger PNGs are only linked by path.
MAX_EMBEDDED_PNG_BYTES = 200_000


@dg.asset(group_name="reporting", owners=["team:analytics"], description="Scheduled exports (reporting.schedules) whose latest cron tick has "
          "no file yet, written to their folders and recorded in reporting.exports with row counts and sha256.")
def scheduled_report_exports(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(autocommit=True) as conn:
        run = schedules.run_due(conn, dagster_run_id=context.run_id)
    for name, why in run.invalid:
        context.log.warning(f"schedule {name!r} skipped: {why}")
    if run.failed:
        raise dg.Failure(f"{len(run.failed)} scheduled export(s) failed: "
                         + "; ".join(f"{d.schedule_name}: {why}" for d, why in run.failed),
                         metadata={"written": len(run.written)})
    return dg.MaterializeResult(metadata={
        "exports_written": len(run.written), "already_exported": len(run.already_done),
        "invalid_schedules": len(run.invalid),
        "rows": sum(e.row_count for e in run.written),
        "files": dg.MetadataValue.json([{"template": e.template, "path": str(e.path), "rows": e.row_count,
                                         "sha256": e.sha256} for e in run.written])})


@dg.asset(group_name="reporting", owners=["team:analytics"], description="Charts as PNG in exports/charts: score trend, margin waterfall, "
          "our price against the top rival's, and the latest attribution before/after charts.")
def report_charts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    folder = exports.default_folder() / "charts"
    with warehouse.connect(autocommit=True) as conn:
        run = charts.write_charts(conn, folder)
    metadata: dict = {"folder": dg.MetadataValue.path(str(folder)), "charts": len(run.written),
                      "skipped": dg.MetadataValue.json(run.skipped)}
    for name, path in run.written.items():
        data = path.read_bytes()
        metadata[name] = (dg.MetadataValue.md(f"![{name}](data:image/png;base64,{base64.b64encode(data).decode()})")
                          if len(data) <= MAX_EMBEDDED_PNG_BYTES else dg.MetadataValue.path(str(path)))
    return dg.MaterializeResult(metadata=metadata)
