"""Ingestion summary export: rows loaded and quarantined per landing source, for operators."""

import dagster as dg

from exports.tables import INGESTION_SUMMARY_COLUMNS
from mutwh.files import write_csv_atomic
from orchestration.defs.ingestion.assets import ingestion_assets
from orchestration.instance import WAREHOUSE_POOL
from orchestration.resources import WarehouseResource
from sources.contract import SOURCES


@dg.asset(
    key=["exports", "ingestion_summary"],
    pool=WAREHOUSE_POOL,
    group_name="exports",
    kinds={"csv"},
    deps=[a.key for a in ingestion_assets],
    description="`exports/ingestion_summary.csv`: rows loaded and quarantined per landing source.",
)
def ingestion_summary(warehouse: WarehouseResource) -> dg.MaterializeResult:
    paths = warehouse.paths
    rows = []
    with warehouse.connect(read_only=True) as con:
        for name in SOURCES:
            loaded = con.sql(f"select count(*) from raw.{name}").fetchall()[0][0]
            quarantine = paths.quarantine / name / "quarantine.csv"
            quarantined = max(sum(1 for _ in quarantine.open(encoding="utf-8")) - 1, 0) if quarantine.exists() else 0
            rows.append({"source": name, "rows_loaded": loaded, "rows_quarantined": quarantined})
    target = paths.exports / "ingestion_summary.csv"
    write_csv_atomic(target, rows, INGESTION_SUMMARY_COLUMNS)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target)), "sources": len(rows)})
