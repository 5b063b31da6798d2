"""Attribution: every listing change as an event, measured against unchanged listings, with a verdict and a chart."""

import base64

import dagster as dg

from orchestration.attribution import measure
from orchestration.resources import WarehouseResource

GROUP = "attribution"
OWNERS = ["team:data-platform"]
CHARTS_IN_METADATA = 3

_TOP = """
select l.sku, e.summary, c.png
from analytics.attribution_events e
join catalog.listings l on l.id = e.listing_id
join analytics.attribution_charts c on c.event_id = e.id
where e.verdict in ('improved', 'worsened')
order by e.confidence desc nulls last, e.change_timestamp desc
limit %s
"""


class AttributionConfig(dg.Config):
    charts: int = 60  # before/after charts kept up to date: clear verdicts first, then the newest changes


@dg.asset(key=["analytics", "attribution_events"],
          deps=[["catalog", "listing_versions"], ["catalog", "listing_images"], ["pricing", "price_history"],
                ["analytics", "performance_metrics"]],
          group_name=GROUP, owners=OWNERS, kinds={"postgres", "python"},
          description="Each change of a listing (title, bullets, description, search terms, images, A+, price, "
                      "finished task) with its diff and date, measured per outcome (sessions, conversion, units, "
                      "sales) by difference in differences against unchanged listings of the same category: effect, "
                      "90% interval, minimum detectable effect, placebo, synthetic-control cross-check, verdict "
                      "(improved, worsened, inconclusive) and a before/after chart (analytics.attribution_estimates, "
                      "analytics.attribution_charts).")
def attribution_events(context: dg.AssetExecutionContext, config: AttributionConfig, warehouse: WarehouseResource):
    with warehouse.connect(autocommit=True) as conn:
        counts = measure.measure(conn, charts=config.charts)
        top = conn.execute(_TOP, (CHARTS_IN_METADATA,)).fetchall()
    metadata = {k: dg.MetadataValue.int(int(v)) for k, v in counts.items()}
    if top:
        # The sharpest results, readable in the Dagster UI: sentence and chart.
        md = "\n\n".join(f"**{sku}**: {text}\n\n![chart](data:image/png;base64,{base64.b64encode(bytes(png)).decode()})"
                         for sku, text, png in top)
        metadata["sharpest_results"] = dg.MetadataValue.md(md)
    return dg.MaterializeResult(metadata=metadata)
