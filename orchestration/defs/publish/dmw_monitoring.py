"""DMW monitoring, month by month (issue: replace the monthly Excel list of seed 004 §2.3.11):
monthly-partitioned assets that publish the year-to-date progress of every erkende DMW on every
norm against the pro-rata line, read from ``marts.fct_dmw_norm_month``: the month's CSV, and the
year's inspection folder again (its workbook's ``dmw_norms_monthly`` sheet then has the month), so
DMW staff see the month after the 2nd-of-month run, not the previous yearly build."""

import dagster as dg

from exports.dmw_inspection import MONTHLY_COLUMNS
from exports.tables import WORKBOOKS, ExportTable, fetch_rows, write_table_csv
from orchestration.defs.publish.exports import export_marts, publish_export_folder, specs_by_folder
from orchestration.instance import WAREHOUSE_POOL
from orchestration.keys import mart_key
from orchestration.partitions import monthly_partitions, require_loaded_month
from orchestration.resources import WarehouseResource

INSPECTION = "inspection"


@dg.asset(
    key=["dmw_monitoring", "dmw_norms_month"],
    group_name="dmw_monitoring",
    kinds={"csv"},
    deps=[mart_key("fct_dmw_norm_month")],
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    description="`exports/<year>/dmw_monitoring/dmw_norms_<YYYY-MM>.csv`: year-to-date norm progress per DMW.",
)
def dmw_norms_month(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    year, month = (int(part) for part in context.partition_key.split("-")[:2])
    with warehouse.connect(read_only=True) as con:
        require_loaded_month(con, year, month)
        rows = fetch_rows(
            con,
            "select year, month, dmw_code, norm_code, achieved_ytd, pro_rata_required, on_track "
            "from marts.fct_dmw_norm_month where year = ? and month = ? order by dmw_code, norm_code",
            [year, month],
        )
    table = ExportTable(f"dmw_norms_{year:04d}-{month:02d}", MONTHLY_COLUMNS, rows)
    target = write_table_csv(warehouse.paths.exports / str(year) / "dmw_monitoring", table)
    off_track = sum(1 for r in rows if r["on_track"] is False)
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(target)), "rows": len(rows), "norms_off_track": off_track}
    )


_inspection_specs = specs_by_folder()[INSPECTION]


@dg.asset(
    key=["dmw_monitoring", "inspection_month"],
    group_name="dmw_monitoring",
    kinds={"csv", "xlsx"},
    deps=export_marts(_inspection_specs),
    partitions_def=monthly_partitions,
    pool=WAREHOUSE_POOL,
    description=(
        f"`exports/<year>/{INSPECTION}/` republished after a month's DMW run: every table of the month's year "
        f"(`{WORKBOOKS[INSPECTION]}`, its `dmw_norms_monthly` sheet up to the latest month), as the yearly export."
    ),
)
def dmw_inspection_month(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    year = int(context.partition_key[:4])
    return publish_export_folder(context, warehouse, INSPECTION, _inspection_specs, year)
