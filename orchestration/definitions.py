"""The single Dagster code location (SPEC §8): assembles the per-domain definitions."""

import dagster as dg

from orchestration.defs.automation.jobs import annual_report_job, dmw_monthly_job, ingest_job
from orchestration.defs.automation.schedules import annual_report_schedule, dmw_monthly_schedule
from orchestration.defs.automation.sensors import landing_sensor
from orchestration.defs.ingestion.assets import ingestion_assets, landing_specs
from orchestration.defs.ingestion.checks import gx_checks
from orchestration.defs.publish.assets import ingestion_summary
from orchestration.defs.publish.dashboards import dashboard_assets
from orchestration.defs.publish.dmw_monitoring import dmw_inspection_month, dmw_norms_month
from orchestration.defs.publish.exports import export_assets
from orchestration.defs.transform.assets import dbt_models
from orchestration.resources import shared_resources

defs = dg.Definitions(
    assets=[
        *landing_specs,
        *ingestion_assets,
        dbt_models,
        ingestion_summary,
        *export_assets,
        dmw_norms_month,
        dmw_inspection_month,
        *dashboard_assets,
    ],
    asset_checks=gx_checks,
    jobs=[ingest_job, annual_report_job, dmw_monthly_job],
    schedules=[dmw_monthly_schedule, annual_report_schedule],
    sensors=[landing_sensor],
    resources=shared_resources(),
    # Every step that opens the warehouse is in one pool of one slot, so steps run one after the
    # other whatever the executor; a process per step would only add its start-up (~6 s a step).
    # `mutwh run` runs in process too.
    executor=dg.in_process_executor,
)
