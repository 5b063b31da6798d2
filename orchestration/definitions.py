"""The Dagster code location: one Definitions per domain, merged. Nothing else belongs here."""

import dagster as dg

from orchestration.assets.alerts import definitions as alerts_domain
from orchestration.assets.attribution import definitions as attribution_domain
from orchestration.assets.automation import definitions as automation_domain
from orchestration.assets.dbt import definitions as dbt_domain
from orchestration.assets.forecasting import definitions as forecasting_domain
from orchestration.assets.keepa import definitions as keepa_domain
from orchestration.assets.maintenance import jobs as maintenance_domain
from orchestration.assets.reporting import definitions as reporting_domain
from orchestration.assets.spapi import definitions as spapi_domain
from orchestration.assets.writeback import definitions as writeback_domain
from orchestration.resources import WarehouseResource

defs = dg.Definitions.merge(
    dg.Definitions(resources={"warehouse": WarehouseResource(database_url=dg.EnvVar("LISTING_HELPER_DATABASE_URL"))}),
    dbt_domain.defs,
    maintenance_domain.defs,
    spapi_domain.defs,
    keepa_domain.defs,
    writeback_domain.defs,
    forecasting_domain.defs,
    attribution_domain.defs,
    automation_domain.defs,
    alerts_domain.defs,
    reporting_domain.defs,
)
