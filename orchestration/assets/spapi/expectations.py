"""Great Expectations suites on the raw SP-API loads, surfaced as Dagster asset checks."""

from functools import lru_cache

import dagster as dg
import polars as pl

from orchestration.resources import WarehouseResource


def _suites() -> dict[str, list]:
    import great_expectations as gx

    E = gx.expectations
    non_negative = lambda *cols: [E.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in cols]  # noqa: E731
    percent = lambda *cols: [E.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=100) for c in cols]  # noqa: E731
    return {
        "raw.spapi_sales_and_traffic": [
            E.ExpectColumnValuesToNotBeNull(column="sku"),
            # unit session percentage is units / sessions: over 100 when shoppers buy several units
            *non_negative("sessions", "page_views", "units_ordered", "ordered_product_sales_amount", "unit_session_pct"),
            *percent("buy_box_pct", "session_pct"),
        ],
        "raw.spapi_merchant_listings": [
            E.ExpectColumnValuesToNotBeNull(column="seller_sku"),
            E.ExpectColumnValuesToBeUnique(column="seller_sku"),
            E.ExpectColumnValuesToMatchRegex(column="asin", regex=r"^[A-Z0-9]{10}$", mostly=0.99),
            *non_negative("price", "quantity"),
        ],
        "raw.spapi_fba_inventory": [
            E.ExpectColumnValuesToNotBeNull(column="sku"),
            *non_negative("afn_fulfillable_quantity", "afn_reserved_quantity", "afn_unsellable_quantity"),
        ],
        "raw.spapi_fba_fee_estimates": [
            E.ExpectColumnValuesToNotBeNull(column="sku"),
            *non_negative("estimated_fee_total", "estimated_referral_fee_per_unit"),
        ],
        "raw.spapi_orders": [
            E.ExpectColumnValuesToNotBeNull(column="amazon_order_id"),
            *non_negative("quantity"),
        ],
    }


@lru_cache(maxsize=1)
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate_rows(table: str, frame: pl.DataFrame) -> tuple[bool, list[dict]]:
    """Run the table's suite on the rows; returns success and one summary per expectation."""
    import great_expectations as gx

    context = _context()
    name = table.replace(".", "__")
    source = context.data_sources.add_or_update_pandas(name)
    batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("rows")
    # Decimals become floats for the checks only: the stored values stay exact.
    numeric = frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64))
    batch = batch_definition.get_batch(batch_parameters={"dataframe": numeric.to_pandas()})
    result = batch.validate(gx.ExpectationSuite(name=name, expectations=_suites()[table]))
    summaries = [
        {"expectation": r.expectation_config.type, "column": r.expectation_config.kwargs.get("column"),
         "passed": r.success, "unexpected_rows": r.result.get("unexpected_count", 0)}
        for r in result.results
    ]
    return result.success, summaries


def _rows_loaded_by_run(warehouse: WarehouseResource, table: str, run_id: str) -> pl.DataFrame:
    with warehouse.connect() as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT t.* FROM {table} t JOIN raw.report_documents d USING (report_document_id) WHERE d.dagster_run_id = %s",
            (run_id,),
        )
        columns = [c.name for c in cur.description]
        return pl.DataFrame(cur.fetchall(), schema=columns, orient="row", infer_schema_length=None)


def expectation_check(table: str, asset_key: list[str]) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=asset_key, name="great_expectations_suite", blocking=True,
                    description=f"Great Expectations suite on the rows of {table} loaded by this run.")
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        frame = _rows_loaded_by_run(warehouse, table, context.run.run_id)
        if frame.is_empty():
            return dg.AssetCheckResult(passed=True, metadata={"rows": 0, "note": "no rows loaded by this run"})
        success, summaries = validate_rows(table, frame)
        failed = [s for s in summaries if not s["passed"]]
        return dg.AssetCheckResult(
            passed=success, severity=dg.AssetCheckSeverity.ERROR,
            metadata={"rows": frame.height, "expectations": len(summaries),
                      "failed": dg.MetadataValue.json(failed) if failed else "none"},
        )

    return _check


expectation_checks = [
    expectation_check(table, ["raw", table.split(".")[1]])
    for table in ("raw.spapi_sales_and_traffic", "raw.spapi_merchant_listings", "raw.spapi_fba_inventory",
                  "raw.spapi_fba_fee_estimates", "raw.spapi_orders")
]
