"""Tables the dbt models read that no pipeline writes: the migrations seed them and the seller edits them.

Declared as external assets so the asset graph names them, with a group, an owner and a description,
instead of showing two bare keys without a home.
"""

import dagster as dg

OWNERS = ["team:analytics"]

seller_inputs = [
    dg.AssetSpec(["system", "settings"], group_name="system", owners=OWNERS, kinds={"postgres"},
                 description="Settings that tune scoring weights, fees, VAT, margins, sync budgets and retention "
                             "(system.settings): defaults from the migrations, changed by the seller."),
    dg.AssetSpec(["pricing", "costs"], group_name="pricing", owners=OWNERS, kinds={"postgres"},
                 description="Dated per-listing costs the seller adds to the bill of materials or uses instead of it "
                             "(packaging, prep, inbound freight): pricing.costs."),
]
