"""Every dbt model as a Dagster asset, built with `dbt build` (tests become asset checks)."""


import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration import settings
from orchestration.assets.dbt.translator import ListingHelperDbtTranslator
from orchestration.db import connection
from orchestration.resources import WarehouseResource

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)

# dbt on PostgreSQL deadlocks when two invocations touch the same models: one pool, limit 1.
DBT_POOL = "dbt"


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=ListingHelperDbtTranslator(),
    pool=DBT_POOL,
)
def listing_helper_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # dbt's profile reads the connection parts from the environment of this process.
    connection.export_connection_env(warehouse.database_url)
    yield from dbt.cli(["build"], context=context).stream()
