"""The dbt domain's Definitions."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import settings
from orchestration.assets.dbt.assets import dbt_project, listing_helper_dbt_models

dbt_build_job = dg.define_asset_job(
    "dbt_build", selection=dg.AssetSelection.assets(listing_helper_dbt_models),
    description="Every dbt model and test (staging, intermediate, marts) with `dbt build`.",
)

defs = dg.Definitions(
    assets=[listing_helper_dbt_models],
    jobs=[dbt_build_job],
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir), dbt_executable=settings.venv_tool("dbt")
        )
    },
)
