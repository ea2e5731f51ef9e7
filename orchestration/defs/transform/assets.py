"""dbt models as Dagster assets (dagster-dbt), keyed and grouped by their dbt folder."""


import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

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
    """``dbt build``: seeds, models and their data tests, reported as asset checks.

    dbt unit tests check the SQL of the KPI rules, not the data: they run in ``make test``, and
    are left out here because they cost a third of the build's CPU time without telling anything
    new about a production load; so are the staging tests tagged ``contract_recheck``, which repeat
    the row checks that ingestion already applied to every landing row."""
    yield from dbt.cli(
        ["build", "--exclude-resource-type", "unit_test", "--exclude", "tag:contract_recheck", *year_vars()],
        context=context,
    ).stream()


def year_vars() -> list[str]:
    """Reporting years chosen on the command line (``mutwh run --years``) as dbt vars."""
    years = os.environ.get("MUTWH_YEARS")
    if not years:
        return []
    first, _, last = years.partition("-")
    return ["--vars", json.dumps({"min_year": int(first), "max_year": int(last or first)})]
