"""Every dbt model as a Dagster asset, built with `dbt build` (tests become asset checks).

Split by execution shape (STYLE 7): the incremental models, and what is built from them, are daily
partitioned and get the partition window as dbt vars; everything else is rebuilt whole, first. Taking the
descendants along keeps it two dbt invocations in one order (Dagster would otherwise split the whole-table
models around the daily ones into more steps). Both share one concurrency pool: dbt on PostgreSQL
deadlocks when two invocations touch the same models.
"""

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject, dbt_assets

from orchestration import settings
from orchestration.assets.dbt.translator import ListingHelperDbtTranslator
from orchestration.assets.dbt.window import vars_argument
from orchestration.assets.spapi.partitions import daily_partitions
from orchestration.db import connection
from orchestration.resources import WarehouseResource

dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR)

DBT_POOL = "dbt"
DAILY = "config.materialized:incremental+"  # the incremental models and everything downstream


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild incremental models from all history (e.g. after a change of scoring rules)."""


def _build_args(config: DbtBuildConfig) -> list[str]:
    # Dagster runs the models in several steps (partitioned ones between the others). dbt's default "eager"
    # test selection would run a relationships test from the step of its first parent, before the second
    # parent exists; "buildable" runs it once everything it reads is built or upstream.
    args = ["build", "--indirect-selection", "buildable"]
    return args + ["--full-refresh"] if config.full_refresh else args


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=ListingHelperDbtTranslator(),
    exclude=DAILY,
    pool=DBT_POOL,
)
def listing_helper_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                              config: DbtBuildConfig):
    # dbt's profile reads the connection parts from the environment of this process.
    connection.export_connection_env(warehouse.database_url)
    yield from dbt.cli(_build_args(config), context=context).stream()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=ListingHelperDbtTranslator(),
    select=DAILY,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=DBT_POOL,
    name="listing_helper_daily_dbt_models",
)
def listing_helper_daily_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource,
                                    warehouse: WarehouseResource, config: DbtBuildConfig):
    connection.export_connection_env(warehouse.database_url)
    args = _build_args(config) + vars_argument(context.partition_time_window)
    yield from dbt.cli(args, context=context).stream()
