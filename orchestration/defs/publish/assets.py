"""Publication assets: exports and dashboards under ``$MUTWH_HOME`` (SPEC §6–§7).

The annual-report, inspection and dashboard assets of later issues plug in here; until then an
ingestion summary (rows per raw table, quarantined rows) is published so that ``make demo`` ends
with real files in both folders.
"""


import html

import dagster as dg

from exports.writer import write_csv_atomic
from orchestration.defs.ingestion.assets import ingestion_assets
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
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
    write_csv_atomic(target, rows, ["source", "rows_loaded", "rows_quarantined"])
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target)), "sources": len(rows)})


@dg.asset(
    key=["dashboards", "index"],
    group_name="dashboards",
    kinds={"html"},
    deps=[ingestion_summary.key],
    description="`dashboards/index.html`: entry page linking every dashboard.",
)
def dashboards_index(warehouse: WarehouseResource) -> dg.MaterializeResult:
    paths = warehouse.paths
    paths.dashboards.mkdir(parents=True, exist_ok=True)
    summary = (paths.exports / "ingestion_summary.csv").read_text(encoding="utf-8").splitlines()
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split(",")) + "</tr>" for line in summary[1:]
    )
    page = (
        "<!doctype html><html lang='nl'><meta charset='utf-8'><title>Mutualiteit — dashboards</title>"
        "<body style='font-family:sans-serif'><h1>Dashboards</h1>"
        "<p>Ledenaantallen, zorgkas-kwaliteit en DMW-erkenningsnormen volgen hier.</p>"
        "<h2>Inlading per bron</h2><table border='1' cellpadding='4'>"
        "<tr><th>bron</th><th>rijen geladen</th><th>rijen in quarantaine</th></tr>"
        f"{rows}</table></body></html>\n"
    )
    target = paths.dashboards / "index.html"
    tmp = target.with_suffix(".html.tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(target)
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(target))})
