"""Jobs operators launch from the UI (SPEC §8): ingest, annual report (a year), DMW monthly.

The partitioning of a job follows from its selected assets: yearly exports, monthly DMW monitoring."""

import dagster as dg

from orchestration.keys import raw_key
from sources.contract import SOURCES

RAW = dg.AssetSelection.groups("raw")
DBT = dg.AssetSelection.groups("reference", "staging") | dg.AssetSelection.key_prefixes("intermediate", "marts")

ingest_job = dg.define_asset_job(
    "ingest",
    selection=RAW,
    description="Ingest every landing source into raw (validation, pseudonyms, quarantine) with its checks.",
)

annual_report_job = dg.define_asset_job(
    "annual_report",
    selection=RAW | DBT | dg.AssetSelection.groups("exports", "dashboards"),
    description="Ingest, build every model and publish the exports and dashboards of one reporting year.",
)

# The DMW landing sources (SPEC §4: their names start with dmw_), as contract.py declares them.
DMW_RAW = dg.AssetSelection.assets(*[raw_key(name) for name in SOURCES if name.startswith("dmw_")])

# Only the DMW sources, their staging models and the DMW domain (intermediate, marts, monthly
# monitoring), so a new month of DMW files does not rebuild membership or zorgkas models. (Plain
# "downstream of the DMW sources" would reach every mart through int_reporting_years, a view that
# needs no rebuild.) The DMW dashboard is rendered again so that it shows the new month.
dmw_monthly_job = dg.define_asset_job(
    "dmw_monthly",
    selection=DMW_RAW.downstream(depth=1)
    | dg.AssetSelection.groups("dmw", "dmw_monitoring")
    | dg.AssetSelection.assets(["dashboards", "dmw_norms"]),
    description="Re-ingest the DMW sources, rebuild the DMW models, publish the month's norm progress (CSV, "
    "the year's inspection workbook) and render the DMW dashboard again.",
)
