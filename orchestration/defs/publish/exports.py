"""Export folder assets (SPEC §6): one yearly-partitioned asset per folder under
``$MUTWH_HOME/exports/<year>/<folder>/``, assembling the tables that each domain declares in an
``EXPORTS`` list of its ``exports/<domain>.py`` module.

Every ``manifest.json`` states the outcome of each asset check upstream of the published tables
(GX suites, row reconciliation, dbt tests), as the Dagster instance last recorded it."""

import datetime as dt

import dagster as dg

from exports.tables import WORKBOOKS, ExportSpec, discover_export_specs, publish_folder
from orchestration.event_log import latest_evaluations
from orchestration.instance import WAREHOUSE_POOL
from orchestration.partitions import require_loaded_year, yearly_partitions
from orchestration.resources import WarehouseResource

# The seeds every workbook reads: its Dutch labels and the names next to codes (exports/labels.py).
PRESENTATION_SEEDS = tuple(
    ("reference", seed) for seed in ("export_labels", "ziekenfondsen", "zorgkassen", "erkende_dmw", "landsbonden")
)


def export_marts(specs: list[ExportSpec]) -> list[dg.AssetKey]:
    keys = {key for spec in specs for key in spec.marts} | set(PRESENTATION_SEEDS)
    return sorted({dg.AssetKey(list(key)) for key in keys}, key=lambda k: k.path)


def upstream_checks(context: dg.AssetExecutionContext, keys: list[dg.AssetKey]) -> list[dict]:
    """Latest evaluation of every asset check on ``keys`` and everything upstream of them: check,
    asset, passed (None when never evaluated in this instance), severity, and the run and time of
    that evaluation (an earlier run's when the last build left the asset as it was: the seeds)."""
    # The whole code location's graph: an in-process run (`mutwh run`) has no repository on its
    # context, and a job's own graph lacks the checks of assets it does not select.
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    assets = set(keys)
    for key in keys:
        assets |= graph.get_ancestor_asset_keys(key)
    check_keys = sorted(
        (c for c in graph.asset_check_keys if c.asset_key in assets),
        key=lambda c: (c.asset_key.to_user_string(), c.name),
    )
    latest = latest_evaluations(context.instance, check_keys)
    checks = []
    for check_key in check_keys:
        record = latest.get(check_key)
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        entry = {
            "check": check_key.name,
            "asset": check_key.asset_key.to_user_string(),
            "passed": None,
            "severity": None,
            "run_id": None,
            "evaluated_at": None,
        }
        if evaluation is not None:
            entry |= {
                "passed": bool(evaluation.passed),
                "severity": evaluation.severity.value,
                "run_id": record.run_id,
                "evaluated_at": dt.datetime.fromtimestamp(record.event.timestamp, dt.UTC).isoformat(timespec="seconds"),
            }
        checks.append(entry)
    return checks


def publish_export_folder(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, folder: str, specs: list[ExportSpec], year: int
) -> dg.MaterializeResult:
    """Read the folder's tables of one year from the marts and publish them with their manifest."""
    from exports.labels import load_presentation

    paths = warehouse.paths
    with warehouse.connect(read_only=True) as con:
        require_loaded_year(con, year)
        tables = [table for spec in specs for table in spec.tables(con, year)]
        presentation = load_presentation(con)
    for table in tables:
        table.period = table.period or f"verslagjaar {year}"
    checks = upstream_checks(context, export_marts(specs))
    target = paths.exports / str(year) / folder
    written = publish_folder(
        target, tables, WORKBOOKS[folder], context.run.run_id, paths.landing, checks=checks, presentation=presentation
    )
    failed = [f"{c['asset']} / {c['check']}" for c in checks if c["passed"] is False]
    if failed:  # not fatal here: a blocking check stops publication in the run that evaluates it
        context.log.warning(f"{target}/manifest.json records {len(failed)} failed check(s): " + "; ".join(failed))
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(target)),
            "files": dg.MetadataValue.json([p.name for p in written]),
            "upstream_checks_failed": len(failed),
            **{f"rows_{t.name}": len(t.rows) for t in tables},
        }
    )


def build_export_asset(folder: str, specs: list[ExportSpec]) -> dg.AssetsDefinition:
    @dg.asset(
        key=["exports", folder],
        group_name="exports",
        kinds={"csv", "xlsx"},
        deps=export_marts(specs),
        partitions_def=yearly_partitions,
        pool=WAREHOUSE_POOL,
        description=f"`exports/<year>/{folder}/`: CSV per table, `{WORKBOOKS[folder]}`, `manifest.json`.",
    )
    def _export(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        return publish_export_folder(context, warehouse, folder, specs, int(context.partition_key))

    return _export


def specs_by_folder() -> dict[str, list[ExportSpec]]:
    by_folder: dict[str, list[ExportSpec]] = {}
    for spec in discover_export_specs():
        by_folder.setdefault(spec.folder, []).append(spec)
    return by_folder


export_assets = [build_export_asset(folder, specs) for folder, specs in sorted(specs_by_folder().items())]
