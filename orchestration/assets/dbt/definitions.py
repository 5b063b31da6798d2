"""The dbt domain's Definitions."""

import shutil
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.assets.dbt.assets import dbt_project, listing_helper_dbt_models

# dbt installed beside this interpreter (the project's venv), whether or not the venv is on PATH.
_beside_python = Path(sys.executable).parent / "dbt"
DBT_EXECUTABLE = str(_beside_python) if _beside_python.exists() else (shutil.which("dbt") or "dbt")

dbt_build_job = dg.define_asset_job(
    "dbt_build", selection=dg.AssetSelection.assets(listing_helper_dbt_models),
    description="Every dbt model and test (staging, intermediate, marts) with `dbt build`.",
)

defs = dg.Definitions(
    assets=[listing_helper_dbt_models],
    jobs=[dbt_build_job],
    resources={
        "dbt": DbtCliResource(
            project_dir=dbt_project, profiles_dir=str(dbt_project.profiles_dir), dbt_executable=DBT_EXECUTABLE
        )
    },
)
