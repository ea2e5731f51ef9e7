"""The single Dagster code location (SPEC §8): assembles the per-domain definitions."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.ingestion.assets import ingestion_assets, landing_specs
from orchestration.defs.publish.assets import dashboards_index, ingestion_summary
from orchestration.defs.transform.assets import dbt_models
from orchestration.resources import shared_resources

defs = dg.Definitions(
    assets=[*landing_specs, *ingestion_assets, dbt_models, ingestion_summary, dashboards_index],
    resources=shared_resources(),
)
