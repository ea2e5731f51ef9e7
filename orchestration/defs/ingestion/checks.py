"""Great Expectations suite per raw table as blocking asset checks (SPEC §8).

Row-level validity is enforced at full volume during ingestion (Polars) and by dbt tests; the GX
suites are the independent second opinion on the loaded tables, run on a deterministic sample of
at most 200 000 rows per table so that GX's pandas engine stays proportionate (STYLE.md pitfalls;
cost measured in benchmarks/bench_gx.py). The suites (one per source) run in one step, in a worker
process that the run starts before its first step (``GxResource``): GX is imported while ingestion
runs, and its memory is given back before dbt starts.
"""

import dagster as dg

from orchestration.instance import WAREHOUSE_POOL
from orchestration.keys import GX_CHECK, raw_key
from orchestration.resources import GxResource, WarehouseResource
from sources.contract import SOURCES

_SPECS = [
    dg.AssetCheckSpec(
        GX_CHECK,
        asset=raw_key(source.name),
        blocking=True,
        description=f"Great Expectations suite raw_{name}: keys, allowed codes, ranges, date order, pseudonyms.",
    )
    for name, source in SOURCES.items()
]


@dg.multi_asset_check(specs=_SPECS, pool=WAREHOUSE_POOL, can_subset=True, name="gx_suites")
def gx_suites(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, gx: GxResource):
    paths = warehouse.paths
    selected = {key.asset_key for key in context.selected_asset_check_keys}
    names = [name for name, source in SOURCES.items() if raw_key(source.name) in selected]
    for name, result in zip(names, gx.run_suites(names, paths.warehouse, paths.gx), strict=True):
        yield dg.AssetCheckResult(
            asset_key=raw_key(SOURCES[name].name),
            check_name=GX_CHECK,
            passed=bool(result["success"]),
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows_in_table": result["rows_in_table"],
                "rows_validated": result["rows_validated"],
                "sampled": result["sampled"],
                "expectations_evaluated": result["evaluated"],
                "failed_expectations": dg.MetadataValue.json(result["failed"]),
                "seconds": result["seconds"],
                "data_docs": dg.MetadataValue.path(str(result["data_docs"])),
            },
        )


gx_checks = [gx_suites]
