"""CLI verbs `listing-helper forecast [--sku SKU]` and `listing-helper prices suggest [--sku SKU]`.

orchestration/cli.py calls `register(subparsers)`; the commands run the same code as the Dagster assets.
"""

from __future__ import annotations

import argparse

from orchestration.forecasting.summary import demo_summary

__all__ = ["register", "demo_summary"]


def _connect():
    from orchestration import cli
    from orchestration.db import connection, migrate

    url = cli._database_url()
    conn = connection.connect(url, autocommit=True)
    migrate.migrate(conn)
    return conn


def _listing_ids(conn, skus: list[str] | None) -> list[str] | None:
    if not skus:
        return None
    found = dict(conn.execute("SELECT sku, id::text FROM catalog.listings WHERE sku = ANY(%s)", (skus,)).fetchall())
    missing = [s for s in skus if s not in found]
    if missing:
        raise ValueError(f"no listing with SKU {', '.join(missing)} in catalog.listings")
    return [found[s] for s in skus]


def cmd_forecast(args: argparse.Namespace) -> int:
    from orchestration.forecasting.runs import run_forecasts

    with _connect() as conn:
        result = run_forecasts(conn, listing_ids=_listing_ids(conn, args.sku))
    fc = result.forecast
    print(f"Forecast from {fc.origin} for {len(fc.days)} days: {result.forecast_rows} rows written "
          f"(inventory.forecasts), {result.reorder_rows} reorder suggestions (inventory.reorder_suggestions)")
    if args.sku:
        rows = fc.history.rows_for(_listing_ids_from(fc, args.sku))
        p10, p90 = fc.quantiles(0.1), fc.quantiles(0.9)
        for i in rows:
            weekly = [fc.mean[i, k:k + 7].sum() for k in range(0, min(28, len(fc.days)), 7)]
            print(f"\n{fc.history.skus[i]} ({fc.history.categories[i]}): expected units per week, next 4 weeks: "
                  + ", ".join(f"{w:.1f}" for w in weekly)
                  + f"; day 1: {fc.mean[i, 0]:.2f} (80 %: {p10[i, 0]:.0f}-{p90[i, 0]:.0f})")
        for r in result.reorders:
            print(f"  {r.message}")
    else:
        for r in sorted((r for r in result.reorders if r.reorder_now), key=lambda r: (r.stockout_date is None,
                                                                                      r.stockout_date, r.sku))[:10]:
            print(f"  {r.sku}: {r.message}")
    return 0


def _listing_ids_from(fc, skus: list[str]) -> list[str]:
    by_sku = {s: lid for s, lid in zip(fc.history.skus, fc.history.listing_ids)}
    return [by_sku[s] for s in skus if s in by_sku]


def cmd_prices_suggest(args: argparse.Namespace) -> int:
    from orchestration.price_suggestions.run import run

    with _connect() as conn:
        result = run(conn, listing_ids=_listing_ids(conn, args.sku))
    print(f"Price suggestions for {result.suggested_on}: {result.written} listings (pricing.price_suggestions; "
          f"optimal_price and price_confidence on pricing.current_prices)")
    skus = dict(zip(result.history.listing_ids, result.history.skus))
    shown = result.suggestions if args.sku else sorted(
        (s for s in result.suggestions if s.status == "suggested"),
        key=lambda s: -((s.profit_at_optimal or 0) - (s.profit_now or 0)))[:10]
    for s in shown:
        print(f"  {skus[s.listing_id]}: {s.message}")
    if args.sku:
        missing = set(args.sku) - {skus[s.listing_id] for s in result.suggestions}
        for sku in sorted(missing):
            print(f"  {sku}: no sales history, so no suggestion.")
    return 0


def register(subparsers) -> None:
    """Add `forecast` and `prices suggest` to the listing-helper parser's subcommands."""
    forecast = subparsers.add_parser("forecast", help="forecast daily units (90 days) and suggest reorders")
    forecast.add_argument("--sku", action="append", help="show this listing (repeatable); all are forecast")
    forecast.set_defaults(func=cmd_forecast)

    prices = subparsers.add_parser("prices", help="price suggestions").add_subparsers(dest="prices_command",
                                                                                      required=True)
    suggest = prices.add_parser("suggest", help="estimate elasticities and suggest profit-maximising prices")
    suggest.add_argument("--sku", action="append", help="only this listing (repeatable)")
    suggest.set_defaults(func=cmd_prices_suggest)
