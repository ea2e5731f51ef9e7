"""dbt models as Dagster assets (dagster-dbt), keyed and grouped by their dbt folder."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_command import before_dbt, build_args
from orchestration.resources import WAREHOUSE_POOL, dbt_project


class MutwhTranslator(DagsterDbtTranslator):
    """dbt sources map onto the ingestion assets (``raw/<table>``); seeds are ``reference/<seed>``;
    models are ``<layer>/<model>``. Groups: ``reference``, ``staging``, and for intermediate and
    mart models the domain folder (``membership``, ``zorgkas``, ``dmw``, ``finance``)."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec.replace_attributes(key=dg.AssetKey(["raw", props["name"]]))
        if props["resource_type"] == "seed":
            return spec.replace_attributes(key=dg.AssetKey(["reference", props["name"]]), group_name="reference")
        fqn = props["fqn"]  # [project, layer, domain..., model]
        layer = fqn[1] if len(fqn) > 2 else "models"
        group = fqn[2] if layer != "staging" and len(fqn) > 3 else layer
        return spec.replace_attributes(key=dg.AssetKey([layer, props["name"]]), group_name=group)


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=MutwhTranslator(),
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """``dbt build``: seeds, models and their data tests, reported as asset checks
    (the command is ``orchestration.dbt_command.build_args``, which says what is left out and why)."""
    before_dbt(say=context.log.warning)
    yield from dbt.cli(build_args(), context=context).stream()
