"""Competitors from Keepa: who they are, their price and rank history, and what changed."""

import dagster as dg

from orchestration.assets.keepa.resources import KeepaResource
from orchestration.keepa import alerts, discovery, ingest
from orchestration.resources import WarehouseResource

GROUP = "competitors"
OWNERS = ["team:data-platform"]
RETRY = dg.RetryPolicy(max_retries=2, delay=60, backoff=dg.Backoff.EXPONENTIAL)

# Competitors the seller has not ignored on every listing they were linked to.
TRACKED_ASINS = """
SELECT p.asin FROM competitors.products p
WHERE EXISTS (SELECT 1 FROM competitors.tracking t WHERE t.competitor_id = p.id AND t.status <> 'ignored')
ORDER BY p.asin
"""


@dg.asset(key=["competitors", "tracking"], deps=[["catalog", "listings"], ["catalog", "keywords"]], group_name=GROUP,
          owners=OWNERS, retry_policy=RETRY, kinds={"postgres"},
          description="Rivals proposed for each of your listings (best sellers, product finder, search terms, Buy Box "
                      "sellers); pinned and ignored competitors keep the seller's choice.")
def competitor_discovery(context: dg.AssetExecutionContext, warehouse: WarehouseResource, keepa: KeepaResource):
    with warehouse.connect(autocommit=True) as conn:
        counts = discovery.discover_competitors(conn, keepa.client(), run_id=context.run_id)
    return dg.MaterializeResult(metadata=counts)


@dg.multi_asset(
    specs=[dg.AssetSpec(["competitors", "price_history"], deps=[["competitors", "tracking"]], group_name=GROUP,
                        owners=OWNERS, kinds={"postgres"},
                        description="Price (Amazon, new, new FBA, Buy Box incl. shipping), rank, offers, rating and "
                                    "reviews per competitor over time, in pence as Keepa sends them."),
           dg.AssetSpec(["competitors", "products"], deps=[["competitors", "tracking"]], group_name=GROUP,
                        owners=OWNERS, description="Each tracked competitor's current price, rank, rating and Buy Box.")],
    retry_policy=RETRY,
)
def competitor_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource, keepa: KeepaResource):
    with warehouse.connect(autocommit=True) as conn:
        asins = [row[0] for row in conn.execute(TRACKED_ASINS).fetchall()]
        summary = ingest.ingest_products(conn, keepa.client(), asins, run_id=context.run_id, days=keepa.history_days)
    yield dg.MaterializeResult(asset_key=["competitors", "price_history"], metadata={"asins": len(asins), **summary})
    yield dg.MaterializeResult(asset_key=["competitors", "products"])


@dg.asset(key=["competitors", "alerts"], deps=[["competitors", "price_history"]], group_name=GROUP, owners=OWNERS,
          kinds={"postgres"}, retry_policy=RETRY,
          description="Price drops and rises, Buy Box lost, stock-outs, rank jumps, new rivals and listing changes, "
                      "each written once with its severity and the listings it affects.")
def competitor_alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect(autocommit=True) as conn:
        counts = alerts.detect_alerts(conn, run_id=context.run_id)
    return dg.MaterializeResult(metadata={"alerts_written": sum(counts.values()), **counts})


keepa_assets = [competitor_discovery, competitor_history, competitor_alerts]
