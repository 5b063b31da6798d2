"""The seller's supply side: suppliers, components, component prices with quantity breaks, and BOMs."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .world_catalog import Listing

# (code, name, country, currency, lead days, import duty %, freight per unit GBP, payment terms)
SUPPLIERS = [
    ("MIDFIX", "Midlands Fixings Ltd", "GB", "GBP", 4, 0.0, 0.02, "30 days EOM"),
    ("BCPACK", "Black Country Packaging Ltd", "GB", "GBP", 7, 0.0, 0.0, "30 days"),
    ("PENADH", "Pennine Adhesives & Sealants Ltd", "GB", "GBP", 10, 0.0, 0.05, "60 days"),
    ("NBHENG", "Ningbo Hengda Hardware Co., Ltd.", "CN", "USD", 55, 3.7, 0.11, "30% deposit, 70% before shipping"),
    ("YKPOWR", "Yongkang Powertec Tools Co., Ltd.", "CN", "USD", 65, 1.7, 0.85, "30% deposit, 70% before shipping"),
    ("WZSAFE", "Wenzhou Safety Products Co., Ltd.", "CN", "USD", 50, 8.0, 0.14, "T/T 100% before shipping"),
    ("TCPREC", "Taichung Precision Tools Co.", "TW", "USD", 45, 2.7, 0.09, "L/C at sight"),
]
USD_PER_GBP = 1.27
_CATEGORY_SUPPLIER = {"power_tools": "YKPOWR", "workwear_safety": "WZSAFE", "adhesives_sealants": "PENADH"}


def _main_supplier(listing: Listing) -> str:
    origin = listing.spec["kind"]["origin"]
    if listing.category in _CATEGORY_SUPPLIER and (origin != "UK" or listing.category == "adhesives_sealants"):
        return _CATEGORY_SUPPLIER[listing.category]
    return {"UK": "MIDFIX", "TW": "TCPREC", "CN": "NBHENG"}[origin]


def _component_key(listing: Listing) -> str:
    spec = listing.spec
    words = "".join(w[0] for w in spec["kind"]["noun"].split()).upper()
    tail = "".join(ch for ch in f"{spec['spec']}{listing.size or ''}{listing.colour or ''}" if ch.isalnum()).upper()
    return f"CMP-{words}-{tail[:10]}"


def supply_tables(seed: int, listings: list[Listing], as_of: dt.date) -> dict[str, list[dict]]:
    """Rows of the four spreadsheets a seller keeps; deterministic in (seed, listings)."""
    rng = np.random.default_rng([seed, 8])
    suppliers = [
        {"supplier_code": c, "supplier_name": name, "country": country, "currency": cur,
         "lead_time_days": lead, "import_duty_pct": f"{duty:.1f}", "shipping_cost_per_unit": f"{ship:.2f}",
         "payment_terms": terms}
        for c, name, country, cur, lead, duty, ship, terms in SUPPLIERS]
    supplier_currency = {row[0]: row[3] for row in SUPPLIERS}
    components: dict[str, dict] = {}
    prices: list[dict] = []
    boms: list[dict] = []

    def add_component(sku, description, uom, supplier, unit_cost_gbp):
        if sku in components:
            return
        components[sku] = {"component_sku": sku, "description": description, "unit_of_measure": uom,
                           "default_supplier_code": supplier}
        suppliers_for = [supplier]
        if rng.random() < 0.3:  # a second source, usually a dearer UK stockist
            suppliers_for.append("MIDFIX" if supplier != "MIDFIX" else "NBHENG")
        for k, sup in enumerate(suppliers_for):
            fx = USD_PER_GBP if supplier_currency[sup] == "USD" else 1.0
            base = unit_cost_gbp * fx * (1.0 if k == 0 else rng.uniform(1.08, 1.3))
            changed = rng.random() < 0.25  # a price rise inside the last year
            change_day = as_of - dt.timedelta(days=int(rng.integers(30, 300)))
            for min_qty, disc in ((1, 0.0), (500, 0.06), (2000, 0.12)):
                if changed:
                    prices.append(_price_row(sku, sup, min_qty, base * (1 - disc) / 1.08, supplier_currency[sup],
                                             dt.date(2023, 1, 1), change_day - dt.timedelta(days=1)))
                    prices.append(_price_row(sku, sup, min_qty, base * (1 - disc), supplier_currency[sup],
                                             change_day, None))
                else:
                    prices.append(_price_row(sku, sup, min_qty, base * (1 - disc), supplier_currency[sup],
                                             dt.date(2023, 1, 1), None))

    for lst in listings:
        if lst.is_parent or lst.twin_of >= 0:
            if lst.twin_of >= 0:  # the FBM offer of the same product is built from the same parts
                primary_sku = listings[lst.twin_of].sku
                boms.extend([dict(row, listing_sku=lst.sku) for row in boms
                             if row["listing_sku"] == primary_sku and row["component_sku"] != "PKG-FBA-LABEL"])
            continue
        pack = lst.spec["pack"]
        ex_vat = lst.price / 1.2
        landed_target = ex_vat * rng.uniform(0.22, 0.4)
        main = _component_key(lst)
        noun = lst.spec["kind"]["noun"]
        if pack > 1:
            # Fixings are bought bagged as sold: freight is quoted per unit shipped, and a bag of 1,000 wall
            # plugs ships as one unit, not 1,000.
            add_component(main, f"{lst.spec['spec']} {noun} (bag of {pack})", "bag", _main_supplier(lst), landed_target)
            boms.append({"listing_sku": lst.sku, "component_sku": main, "quantity": 1, "notes": ""})
        else:
            desc = " ".join(x for x in (lst.spec["spec"], noun, lst.size, lst.colour) if x)
            add_component(main, desc, "each", _main_supplier(lst), landed_target * 0.85)
            boms.append({"listing_sku": lst.sku, "component_sku": main, "quantity": 1, "notes": ""})
        box = "PKG-BOX-S" if lst.weight_g < 400 else ("PKG-BOX-M" if lst.weight_g < 1500 else "PKG-BOX-L")
        add_component(box, {"PKG-BOX-S": "Mailer box 160x110x40", "PKG-BOX-M": "Carton 250x180x100",
                            "PKG-BOX-L": "Double wall carton 450x340x260"}[box], "each", "BCPACK",
                      {"PKG-BOX-S": 0.18, "PKG-BOX-M": 0.34, "PKG-BOX-L": 0.92}[box])
        boms.append({"listing_sku": lst.sku, "component_sku": box, "quantity": 1, "notes": ""})
        if lst.fulfilment == "AFN":
            add_component("PKG-FBA-LABEL", "FNSKU label 50x25 (roll of 1000)", "each", "BCPACK", 0.012)
            boms.append({"listing_sku": lst.sku, "component_sku": "PKG-FBA-LABEL", "quantity": 1,
                         "notes": "one label per unit"})
        if lst.own_brand:
            add_component("PKG-INSERT", "Branded insert card A6 (thank you / warranty)", "each", "BCPACK", 0.035)
            boms.append({"listing_sku": lst.sku, "component_sku": "PKG-INSERT", "quantity": 1, "notes": ""})
        if lst.category == "power_tools":
            add_component("CMP-BATT-20AH", "18V Li-ion battery 2.0Ah", "each", "YKPOWR", 7.5)
            add_component("CMP-CHGR-18V", "18V charger UK plug", "each", "YKPOWR", 4.2)
            boms.append({"listing_sku": lst.sku, "component_sku": "CMP-BATT-20AH", "quantity": 2,
                         "notes": "kit version"})
            boms.append({"listing_sku": lst.sku, "component_sku": "CMP-CHGR-18V", "quantity": 1, "notes": ""})
    return {"suppliers": suppliers, "components": list(components.values()), "component_prices": prices,
            "bill_of_materials": boms}


def _price_row(sku, supplier, min_qty, price, currency, valid_from, valid_to) -> dict:
    return {"component_sku": sku, "supplier_code": supplier, "min_quantity": min_qty,
            "unit_price": f"{max(price, 0.001):.4f}", "currency": currency,
            "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat() if valid_to else ""}
