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
  AND NOT p.is_own_asin
ORDER BY p.asin
"""


@dg.asset(key=["competitors", "tracking"], deps=[["catalog", "listings"], ["catalog", "keywords"]], group_name=GROUP,
          owners=OWNERS, retry_policy=RETRY, kinds={"postgres"},
          description="Rivals proposed for each of your listings (best sellers, product finder, search terms, Buy Box "
                      "sellers), linked only when priced within your band (setting competitors.price_band); pinned "
                      "and ignored competitors keep the seller's choice.")
def competitor_discovery(context: dg.AssetExecutionContext, warehouse: WarehouseResource, keepa: KeepaResource):
    with warehouse.connect(autocommit=True) as conn:
        counts = discovery.discover_competitors(conn, keepa.client(), run_id=context.run_id)
    return dg.MaterializeResult(metadata=counts)


@dg.multi_asset(
    specs=[dg.AssetSpec(["competitors", "price_history"], deps=[["competitors", "tracking"]], group_name=GROUP,
                        owners=OWNERS, kinds={"postgres"},
                        description="Price (Amazon, new, new FBA, Buy Box incl. shipping), rank, offers, rating, "
                                    "reviews and Buy Box seller per competitor over time, in pence as Keepa sends "
                                    "them; your own ASINs too (is_own_asin), for who holds their Buy Box."),
           dg.AssetSpec(["competitors", "products"], deps=[["competitors", "tracking"]], group_name=GROUP,
                        owners=OWNERS, description="Each tracked competitor's current price, rank, rating and Buy Box; "
                                                   "your own ASINs flagged is_own_asin.")],
    retry_policy=RETRY,
)
def competitor_history(context: dg.AssetExecutionContext, warehouse: WarehouseResource, keepa: KeepaResource):
    with warehouse.connect(autocommit=True) as conn:
        rivals = [row[0] for row in conn.execute(TRACKED_ASINS).fetchall()]
        ours = ingest.our_asins(conn)
        summary = ingest.ingest_products(conn, keepa.client(), rivals + ours, run_id=context.run_id,
                                         days=keepa.history_days)
    yield dg.MaterializeResult(asset_key=["competitors", "price_history"],
                               metadata={"asins": len(rivals), "own_asins": len(ours), **summary})
    yield dg.MaterializeResult(asset_key=["competitors", "products"])


@dg.asset(key=["competitors", "alerts"], deps=[["competitors", "price_history"]], group_name=GROUP, owners=OWNERS,
          kinds={"postgres"}, retry_policy=RETRY,
          description="Rivals' price drops and rises, stock-outs, rank jumps, new rivals and listing changes, and "
                      "the Buy Box lost on your own ASINs, each written once with its severity (setting "
                      "alerts.competitor_thresholds) and the listings it affects.")
def competitor_alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource, keepa: KeepaResource):
    with warehouse.connect(autocommit=True) as conn:
        counts = alerts.detect_alerts(conn, seller_ids=keepa.seller_id or None, run_id=context.run_id)
    return dg.MaterializeResult(metadata={"alerts_written": sum(counts.values()), **counts,
                                          "buy_box_watch": "on" if keepa.seller_id else "off: no seller id"})


keepa_assets = [competitor_discovery, competitor_history, competitor_alerts]
