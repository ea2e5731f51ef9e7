"""Export folder assets (SPEC §6): one yearly-partitioned asset per folder under
``$MUTWH_HOME/exports/<year>/<folder>/``, assembling the tables that each domain declares in an
``EXPORTS`` list of its ``exports/<domain>.py`` module."""

import dagster as dg

from exports.tables import WORKBOOKS, ExportSpec, discover_export_specs, publish_folder
from orchestration.partitions import require_loaded_year, yearly_partitions
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource


def build_export_asset(folder: str, specs: list[ExportSpec]) -> dg.AssetsDefinition:
    marts = sorted({dg.AssetKey(list(key)) for spec in specs for key in spec.marts}, key=lambda k: k.path)

    @dg.asset(
        key=["exports", folder],
        group_name="exports",
        kinds={"csv", "xlsx"},
        deps=marts,
        partitions_def=yearly_partitions,
        pool=WAREHOUSE_POOL,
        description=f"`exports/<year>/{folder}/`: CSV per table, `{WORKBOOKS[folder]}`, `manifest.json`.",
    )
    def _export(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        year = int(context.partition_key)
        paths = warehouse.paths
        with warehouse.connect(read_only=True) as con:
            require_loaded_year(con, year)
            tables = [table for spec in specs for table in spec.tables(con, year)]
        target = paths.exports / str(year) / folder
        written = publish_folder(
            target, tables, WORKBOOKS[folder], context.run.run_id, paths.landing, checks={"upstream_blocking_checks": True}
        )
        return dg.MaterializeResult(
            metadata={
                "folder": dg.MetadataValue.path(str(target)),
                "files": dg.MetadataValue.json([p.name for p in written]),
                **{f"rows_{t.name}": len(t.rows) for t in tables},
            }
        )

    return _export


def build_export_assets() -> list[dg.AssetsDefinition]:
    by_folder: dict[str, list[ExportSpec]] = {}
    for spec in discover_export_specs():
        by_folder.setdefault(spec.folder, []).append(spec)
    return [build_export_asset(folder, specs) for folder, specs in sorted(by_folder.items())]


export_assets = build_export_assets()
