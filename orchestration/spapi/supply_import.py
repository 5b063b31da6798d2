"""Import the seller's supply spreadsheets (suppliers, components, component prices, bills of materials)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Mapping

import psycopg
from psycopg.types.json import Jsonb

from orchestration.spapi.copy import copy_frame
from orchestration.spapi.sqlfiles import run
from orchestration.spapi.supply_csv import FILES, PROBLEM_SCHEMA, read_supply_file
from orchestration.spapi.upsert_common import count_inserted, default_marketplace

_STAGING = {"suppliers.csv": "supplier_in", "components.csv": "component_in",
            "component_prices.csv": "price_in", "bill_of_materials.csv": "bom_in"}


def _rates(fx_rates_to_gbp: Mapping[str, object] | None) -> dict[str, str]:
    rates = {}
    for currency, rate in (fx_rates_to_gbp or {}).items():
        try:
            value = Decimal(str(rate))
        except InvalidOperation:
            raise ValueError(f"fx_rates_to_gbp[{currency!r}] = {rate!r} is not a number") from None
        if not value > 0:
            raise ValueError(f"fx_rates_to_gbp[{currency!r}] must be positive")
        rates[currency.upper()] = str(value)
    return rates


def _upsert(conn: psycopg.Connection, name: str, params: dict, counts: dict, label: str) -> None:
    counts[f"{label}_inserted"], counts[f"{label}_updated"] = count_inserted(run(conn, "supply", name, params))


def import_supply_files(conn: psycopg.Connection, folder: Path, run_id: str | None = None, *,
                        fx_rates_to_gbp: Mapping[str, object] | None = None) -> dict[str, int]:
    """Load whichever of the four files the folder holds; bad rows go to raw.quarantine, good rows load.

    `fx_rates_to_gbp` ({"USD": 0.7874}: GBP per unit of the currency) prices non-GBP rows that carry
    no fx_rate_to_gbp column of their own. Re-importing the same files changes nothing.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"supply import folder {folder} does not exist")
    params = {"fx_rates": Jsonb(_rates(fx_rates_to_gbp)), "run_id": run_id}
    with conn.transaction():
        params["marketplace"] = default_marketplace(conn)
        for table in ("supplier_in", "component_in", "price_in", "bom_in", "problem_in"):
            run(conn, "supply", f"create_{table}")
        files = []
        with conn.cursor() as cur:
            for spec in FILES:
                path = folder / spec.name
                if not path.is_file():
                    continue
                files.append(spec.name)
                good, problems = read_supply_file(path, spec)
                if good.height:
                    copy_frame(cur, _STAGING[spec.name], good)
                if problems.height:
                    copy_frame(cur, "problem_in", problems.select(list(PROBLEM_SCHEMA)))
        counts: dict[str, int] = {"files_read": len(files)}
        _upsert(conn, "upsert_suppliers", params, counts, "suppliers")
        run(conn, "supply", "check_components", params)
        _upsert(conn, "upsert_components", params, counts, "components")
        run(conn, "supply", "stage_prices", params)
        run(conn, "supply", "check_prices", params)
        _upsert(conn, "upsert_prices", params, counts, "component_prices")
        run(conn, "supply", "stage_bom", params)
        run(conn, "supply", "check_bom", params)
        _upsert(conn, "upsert_bom", params, counts, "bom_lines")
        counts["bom_lines_removed"] = run(conn, "supply", "remove_bom_lines", params).rowcount
        cur = run(conn, "supply", "staged_good")
        for label, good in zip([c.name for c in cur.description], cur.fetchone()):
            if label == "quarantined":
                counts[label] = good
            else:
                counts[f"{label}_unchanged"] = good - counts[f"{label}_inserted"] - counts[f"{label}_updated"]
        run(conn, "supply", "resolve_quarantine", params | {"files": files})
        run(conn, "supply", "quarantine", params)
        return counts
