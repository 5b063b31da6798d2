"""Write-backs: derived values the seed shows on operational tables, copied from the dbt marts by one asset each.

dbt owns the numbers (DESIGN section 3); these assets only copy them, so nothing is computed twice. They
run after `dbt build` in the same run: a failing error-severity dbt test fails the dbt step, and Dagster
then skips these steps, so a broken mart never reaches the operational tables.
"""

from pathlib import Path

import dagster as dg

from orchestration.assets.dbt.window import window_vars
from orchestration.assets.spapi.partitions import daily_partitions
from orchestration.resources import WarehouseResource

SQL = Path(__file__).with_name("sql")
GROUP = "write_backs"
OWNERS = ["team:analytics"]


def _sql(name: str) -> str:
    return (SQL / f"{name}.sql").read_text()


class ListingScoresConfig(dg.Config):
    rescore: bool = False
    """Overwrite days already scored under an older scoring_version (after a deliberate full refresh)."""


@dg.asset(key=["analytics", "listing_scores"], deps=[["marts", "fct_listing_scores"]], group_name=GROUP,
          owners=OWNERS, partitions_def=daily_partitions, backfill_policy=dg.BackfillPolicy.single_run(),
          description="Daily listing quality scores in the analytics.listing_scores time series, and each "
                      "listing's latest score on catalog.listings.current_score.")
def listing_scores(context: dg.AssetExecutionContext, config: ListingScoresConfig, warehouse: WarehouseResource):
    window = window_vars(context.partition_time_window)
    with warehouse.connect() as conn:
        written = conn.execute(_sql("listing_scores"), {"first_day": window["min_date"], "last_day": window["max_date"],
                                                        "rescore": config.rescore}).rowcount
        current = conn.execute(_sql("current_score")).rowcount
    return dg.MaterializeResult(metadata={"days": f"{window['min_date']} .. {window['max_date']}",
                                          "score_rows_written": written, "listings_current_score_changed": current})


@dg.asset(key=["pricing", "current_price_margins"],
          deps=[["marts", "fct_listing_margins"], ["marts", "fct_listing_landed_costs"]], group_name=GROUP,
          owners=OWNERS,
          description="Landed cost, fees and gross/net margins at the current price onto pricing.current_prices.")
def current_price_margins(warehouse: WarehouseResource):
    with warehouse.connect() as conn:
        changed = conn.execute(_sql("current_price_margins")).rowcount
    return dg.MaterializeResult(metadata={"listings_changed": changed})


@dg.asset(key=["competitors", "threat_scores"], deps=[["marts", "fct_competitor_threat"]], group_name=GROUP,
          owners=OWNERS, description="Competitor threat scores onto competitors.products.threat_score.")
def threat_scores(warehouse: WarehouseResource):
    with warehouse.connect() as conn:
        changed = conn.execute(_sql("threat_scores")).rowcount
    return dg.MaterializeResult(metadata={"competitors_changed": changed})
