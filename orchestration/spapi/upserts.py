"""Move landed SP-API data (raw.*) and the seller's supply spreadsheets into the operational tables.

Every function takes an autocommit connection, does all its writes in one transaction (a failure
leaves nothing half-done; the sales and traffic upsert has one per month of its range), is idempotent
(re-running it changes nothing) and returns counts for Dagster metadata; `run_id` is recorded as the
audit rows' source_id and the quarantine's run.

    upsert_listings(conn, report_document_id)         merchant listings -> listings, current prices, price history
    upsert_catalog_content(conn)                       Catalog Items payloads -> content, versions, images
    upsert_sales_and_traffic(conn, first, last)        latest traffic document of each day -> performance metrics
    upsert_inventory(conn, report_document_id)         FBA inventory -> stock and stock history
    upsert_fee_estimates(conn, report_document_id)     FBA fee estimates -> referral and FBA fee per unit
    upsert_suppressed(conn, report_document_id)        suppressed listings -> status 'suppressed' and back
    upsert_keywords(conn, report_document_id)          Brand Analytics search terms -> keywords
    import_supply_files(conn, folder)                  suppliers/components/prices/BOM CSVs -> inventory.*

The SQL lives in orchestration/spapi/sql/*.sql, one file per upsert.
"""

from orchestration.spapi.supply_import import import_supply_files
from orchestration.spapi.upsert_content import upsert_catalog_content
from orchestration.spapi.upsert_listings import upsert_listings, upsert_suppressed
from orchestration.spapi.upsert_reports import (upsert_fee_estimates, upsert_inventory, upsert_keywords,
                                                upsert_sales_and_traffic)

__all__ = ["import_supply_files", "upsert_catalog_content", "upsert_fee_estimates", "upsert_inventory",
           "upsert_keywords", "upsert_listings", "upsert_sales_and_traffic", "upsert_suppressed"]
