"""The dbt domain's Definitions: the dbt models, the job that builds them with their write-backs, its schedule."""

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration import settings
from orchestration.assets.dbt.assets import dbt_project, listing_helper_daily_dbt_models, listing_helper_dbt_models
from orchestration.assets.dbt.seller_inputs import seller_inputs

# The write-back assets (orchestration/assets/writeback) copy mart values into operational tables;
# they run in the same job so that a failing dbt test stops them.
marts_selection = (dg.AssetSelection.assets(listing_helper_dbt_models, listing_helper_daily_dbt_models)
                   | dg.AssetSelection.groups("write_backs"))

dbt_build_job = dg.define_asset_job(
    "dbt_build", selection=marts_selection,
    description="Every dbt model and test (staging, intermediate, marts) with `dbt build`, then the write-backs "
                "(scores, landed costs, margins, threat scores). Daily models take the run's partition window.",
)

dbt_daily_schedule = dg.build_schedule_from_partitioned_job(dbt_build_job, hour_of_day=6, minute_of_hour=30)

defs = dg.Definitions(
    assets=[listing_helper_dbt_models, listing_helper_daily_dbt_models, *seller_inputs],
    jobs=[dbt_build_job],
    schedules=[dbt_daily_schedule],
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir), dbt_executable=settings.venv_tool("dbt")
        )
    },
)
