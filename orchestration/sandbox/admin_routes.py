"""Sandbox-only endpoints: BOM/supplier spreadsheets, planted ground truth, faults, clock, health."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from .faults import Faults
from .http_util import ApiError, Request, Response, json_response

if TYPE_CHECKING:
    from .server import SandboxServer

INVENTORY_FILES = {
    "suppliers.csv": ["supplier_code", "supplier_name", "country", "currency", "lead_time_days", "import_duty_pct",
                      "shipping_cost_per_unit", "payment_terms"],
    "components.csv": ["component_sku", "description", "unit_of_measure", "default_supplier_code"],
    "component_prices.csv": ["component_sku", "supplier_code", "min_quantity", "unit_price", "currency",
                             "valid_from", "valid_to"],
    "bill_of_materials.csv": ["listing_sku", "component_sku", "quantity", "notes"],
}


def inventory_file(server: "SandboxServer", req: Request) -> Response:
    name = req.captures["file"]
    if name not in INVENTORY_FILES:
        raise ApiError(404, "NotFound", f"No inventory file {name}; one of {sorted(INVENTORY_FILES)}.")
    rows = server.world.supply()[name.removesuffix(".csv")]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=INVENTORY_FILES[name], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(200, buf.getvalue().encode("utf-8"), {"Content-Type": "text/csv; charset=utf-8"})


def ground_truth(server: "SandboxServer", req: Request) -> Response:
    return json_response(server.world.ground_truth())


def get_faults(server: "SandboxServer", req: Request) -> Response:
    return json_response(server.faults.to_dict())


def set_faults(server: "SandboxServer", req: Request) -> Response:
    """Replace the fault settings (unspecified ones return to defaults) or, with "merge": true, update them."""
    body = req.json()
    merge = bool(body.pop("merge", False))
    data = {**server.faults.to_dict(), **body} if merge else body
    try:
        faults = Faults.from_dict(data)
    except (TypeError, ValueError) as exc:
        raise ApiError(400, "InvalidInput", str(exc)) from None
    server.set_faults(faults)
    return json_response(faults.to_dict())


def advance_day(server: "SandboxServer", req: Request) -> Response:
    days = int(req.json().get("days", 1))
    if not 1 <= days <= 366:
        raise ApiError(400, "InvalidInput", "days must be between 1 and 366.")
    end = server.world.advance_day(days)
    return json_response({"end_date": end.isoformat(), "today": server.world.today.isoformat()})


def health(server: "SandboxServer", req: Request) -> Response:
    w = server.world
    return json_response({"status": "ok", "seed": w.seed, "listing_count": w.listing_count,
                          "start_date": w.start_date.isoformat(), "end_date": w.end_date.isoformat(),
                          "marketplace_id": w.marketplace_id, "seller_id": server.credentials.seller_id})
