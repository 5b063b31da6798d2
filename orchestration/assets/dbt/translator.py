"""How dbt nodes appear in Dagster: groups named by domain from the model folder."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtProject


class ListingHelperDbtTranslator(DagsterDbtTranslator):
    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        fqn = props.get("fqn", [])
        # models/<layer>/<domain>/<model>.sql -> group "<domain>"; a model straight in a layer -> "<layer>"
        group = fqn[2] if len(fqn) > 3 else (fqn[1] if len(fqn) > 2 else None)
        if props.get("resource_type") != "model" or group is None:
            return spec
        return spec.replace_attributes(group_name=group, owners=["team:analytics"])
