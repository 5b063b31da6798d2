"""The seller's supply spreadsheets into suppliers, components, component prices and bills of materials."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path


from orchestration.sandbox import reports
from orchestration.sandbox.admin_routes import INVENTORY_FILES
from orchestration.sandbox.faults import Faults
from orchestration.sandbox.world_supply import USD_PER_GBP
from orchestration.spapi import upserts
from sandbox_landing import MERCHANT_LISTINGS, fingerprint, land

USD_RATE = {"USD": Decimal(1) / Decimal(str(USD_PER_GBP))}


def _write_files(folder: Path, tables: dict[str, list[dict]]) -> Path:
    """The files exactly as GET /_sandbox/inventory/{name}.csv serves them."""
    for name, columns in INVENTORY_FILES.items():
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(tables[name.removesuffix(".csv")])
        (folder / name).write_bytes(buf.getvalue().encode("utf-8"))
    return folder


def _listed(conn, world) -> None:
    upserts.upsert_listings(conn, land(conn, MERCHANT_LISTINGS, reports.merchant_listings(world, Faults())))


def _counts(conn) -> tuple[int, ...]:
    return conn.execute("select (select count(*) from inventory.suppliers), (select count(*) from inventory.components), "
                        "(select count(*) from inventory.component_prices), "
                        "(select count(*) from inventory.bill_of_materials)").fetchone()


def test_supply_files_load_with_the_worlds_values_and_a_reimport_changes_nothing(conn, world, tmp_path):
    _listed(conn, world)
    supply = world.supply()
    folder = _write_files(tmp_path, supply)
    counts = upserts.import_supply_files(conn, folder, run_id="run-supply", fx_rates_to_gbp=USD_RATE)
    assert counts["quarantined"] == 0 and counts["files_read"] == 4
    assert _counts(conn) == (len(supply["suppliers"]), len(supply["components"]), len(supply["component_prices"]),
                             len(supply["bill_of_materials"]))

    supplier = conn.execute("select name, country, is_domestic, lead_time_days, payment_terms from inventory.suppliers "
                            "where code = 'YKPOWR'").fetchone()
    assert supplier == ("Yongkang Powertec Tools Co., Ltd.", "CN", False, 65, "30% deposit, 70% before shipping")
    battery = conn.execute(
        "select c.name, c.unit_of_measure, s.code from inventory.components c "
        "join inventory.suppliers s on s.id = c.default_supplier_id where c.sku = 'CMP-BATT-20AH'").fetchone()
    assert battery == ("18V Li-ion battery 2.0Ah", "each", "YKPOWR")

    # A USD price: the rate paid is stored, duty comes from the supplier, GBP freight is converted
    # into the price currency per 1000 units so no fraction of a penny is lost.
    row = next(r for r in supply["component_prices"] if r["supplier_code"] == "YKPOWR" and r["min_quantity"] == 1)
    stored = conn.execute(
        "select p.unit_cost, p.currency, p.fx_rate_to_gbp, p.import_duty_pct, p.shipping_cost, p.shipping_units, "
        "p.valid_to from inventory.component_prices p join inventory.components c on c.id = p.component_id "
        "where c.sku = %s and p.min_quantity = 1 and p.valid_from = %s",
        (row["component_sku"], row["valid_from"])).fetchone()
    rate = USD_RATE["USD"].quantize(Decimal("0.000001"))
    assert stored[:4] == (Decimal(row["unit_price"]), "USD", rate, Decimal("1.70"))
    assert stored[4:6] == ((Decimal("0.85") / rate * 1000).quantize(Decimal("0.01")), 1000)
    # A GBP price: freight per unit as it is.
    gbp = conn.execute("select p.shipping_cost, p.shipping_units, p.fx_rate_to_gbp from inventory.component_prices p "
                       "join inventory.suppliers s on s.id = p.supplier_id where s.code = 'MIDFIX' limit 1").fetchone()
    assert gbp == (Decimal("0.02"), 1, None)
    bom = conn.execute("select c.sku, b.quantity, b.notes from inventory.bill_of_materials b "
                       "join catalog.listings l on l.id = b.listing_id join inventory.components c on c.id = b.component_id "
                       "where l.sku = 'M-CLL-0010' order by c.sku").fetchall()
    expected = sorted((r["component_sku"], Decimal(str(r["quantity"])), r["notes"] or None)
                      for r in supply["bill_of_materials"] if r["listing_sku"] == "M-CLL-0010")
    assert bom == expected and len(bom) >= 2

    before = fingerprint(conn)
    again = upserts.import_supply_files(conn, folder, fx_rates_to_gbp=USD_RATE)
    assert again["component_prices_unchanged"] == len(supply["component_prices"])
    assert sum(v for k, v in again.items() if k.endswith(("_inserted", "_updated", "_removed"))) == 0
    assert fingerprint(conn) == before


def test_a_bad_row_is_quarantined_with_file_line_and_field_while_the_others_load(conn, world, tmp_path):
    _listed(conn, world)
    supply = world.supply()
    prices = [dict(r) for r in supply["component_prices"]]
    prices[4]["unit_price"] = "abc"  # data line 5 = line 6 of the file
    folder = _write_files(tmp_path, {**supply, "component_prices": prices})

    counts = upserts.import_supply_files(conn, folder, run_id="run-bad", fx_rates_to_gbp=USD_RATE)
    assert counts["quarantined"] == 1 and counts["component_prices_inserted"] == len(prices) - 1
    quarantined = conn.execute("select source, operation, source_document_id, line_number, field, value, reason, "
                               "dagster_run_id, raw_record like %s from raw.quarantine",
                               (f"{prices[4]['component_sku']},%",)).fetchall()
    assert quarantined == [("manual_upload", "import_supply_files", "component_prices.csv", 6, "unit_price", "abc",
                            "unit_price 'abc' is not a number", "run-bad", True)]
    before = fingerprint(conn)
    upserts.import_supply_files(conn, folder, fx_rates_to_gbp=USD_RATE)
    assert fingerprint(conn) == before  # the same bad row is not quarantined twice

    prices[4]["unit_price"] = "0.1234"  # the seller fixes the line: it loads and the entry is resolved
    _write_files(tmp_path, {**supply, "component_prices": prices})
    assert upserts.import_supply_files(conn, folder, fx_rates_to_gbp=USD_RATE)["component_prices_inserted"] == 1
    assert conn.execute("select resolved_at is not null from raw.quarantine").fetchall() == [(True,)]


def test_prices_without_a_rate_to_gbp_and_unknown_references_are_quarantined(conn, world, tmp_path):
    _listed(conn, world)
    conn.execute("delete from system.settings where key = 'fx.rates_to_gbp'")  # a seller who removed the shipped rates
    supply = world.supply()
    boms = [*supply["bill_of_materials"], {"listing_sku": "NOT-OUR-SKU", "component_sku": "PKG-BOX-S", "quantity": 1,
                                           "notes": ""}]
    folder = _write_files(tmp_path, {**supply, "bill_of_materials": boms})
    counts = upserts.import_supply_files(conn, folder)  # no rates for USD anywhere
    usd = [r for r in supply["component_prices"] if r["currency"] == "USD"]
    assert usd and counts["quarantined"] == len(usd) + 1
    assert counts["component_prices_inserted"] == len(supply["component_prices"]) - len(usd)
    reasons = conn.execute("select field, count(*), min(reason) from raw.quarantine group by field order by field").fetchall()
    assert reasons == [
        ("currency", len(usd), "no rate to GBP for USD: add an fx_rate_to_gbp column, pass fx_rates_to_gbp, "
                               "or set system.settings fx.rates_to_gbp"),
        ("listing_sku", 1, "unknown listing SKU NOT-OUR-SKU in marketplace A1F83G8C2ARO7P: not in catalog.listings")]
    # Quarantined BOM lines keep the file from removing any listing's stored lines.
    assert counts["bom_lines_removed"] == 0

    conn.execute("insert into system.settings (key, value) values ('fx.rates_to_gbp', '{\"USD\": 0.787402}')")
    counts = upserts.import_supply_files(conn, folder)
    assert counts["component_prices_inserted"] == len(usd)
    assert conn.execute("select distinct fx_rate_to_gbp from inventory.component_prices where currency = 'USD'"
                        ).fetchall() == [(Decimal("0.787402"),)]
    assert conn.execute("select count(*) from raw.quarantine where resolved_at is null").fetchone()[0] == 1


def test_a_bom_line_removed_from_the_file_is_removed(conn, world, tmp_path):
    _listed(conn, world)
    supply = world.supply()
    folder = _write_files(tmp_path, supply)
    upserts.import_supply_files(conn, folder, fx_rates_to_gbp=USD_RATE)
    boms = [r for r in supply["bill_of_materials"]
            if not (r["listing_sku"] == "M-CLL-0010" and r["component_sku"] == "PKG-FBA-LABEL")]
    assert len(boms) == len(supply["bill_of_materials"]) - 1
    _write_files(tmp_path, {**supply, "bill_of_materials": boms})
    assert upserts.import_supply_files(conn, folder, fx_rates_to_gbp=USD_RATE)["bom_lines_removed"] == 1
    assert conn.execute("select count(*) from inventory.bill_of_materials").fetchone()[0] == len(boms)
