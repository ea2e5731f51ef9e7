"""Dashboard assets (SPEC §7): one asset per page of ``dashboards.pages.DASHBOARDS`` and the index.

Thin on purpose: the pages are built in the ``dashboards`` package from the marts. A dashboard
opens the DuckDB file read-only, so it waits in the warehouse pool like every other reader. The
"data built" time on the charts is when the marts it reads were last materialised, so rendering
again without rebuilding the marts gives the same bytes for the same run id.
"""

from datetime import UTC, datetime

import dagster as dg

from dashboards.pages import DASHBOARDS, INDEX, Dashboard, build_page, render_index_page, write_page
from dashboards.render import BuildInfo, fmt_built_at, render_page
from orchestration.instance import WAREHOUSE_POOL
from orchestration.keys import mart_key, seed_key
from orchestration.resources import WarehouseResource


def mart_keys(dashboard: Dashboard) -> list[dg.AssetKey]:
    return [mart_key(model) for model in dashboard.marts]


def data_built_at(context: dg.AssetExecutionContext, keys: list[dg.AssetKey], warehouse: WarehouseResource):
    """Latest materialisation of the marts read; the warehouse file's modification time when the
    marts were built outside this Dagster instance; ``None`` when neither is known."""
    stamps = []
    for key in keys:
        event = context.instance.get_latest_materialization_event(key)
        if event is not None:
            stamps.append(event.timestamp)
    if stamps:
        return datetime.fromtimestamp(max(stamps), tz=UTC)
    path = warehouse.paths.warehouse
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC) if path.exists() else None


def build_dashboard_asset(dashboard: Dashboard) -> dg.AssetsDefinition:
    marts = mart_keys(dashboard)

    @dg.asset(
        key=["dashboards", dashboard.name],
        group_name="dashboards",
        kinds={"plotly", "html"},
        deps=[*marts, *(seed_key(seed) for seed in dashboard.seeds)],
        pool=WAREHOUSE_POOL,
        description=f"`dashboards/{dashboard.filename}`: {dashboard.title}. {dashboard.description}",
    )
    def _dashboard(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        info = BuildInfo(run_id=context.run.run_id, built_at=data_built_at(context, marts, warehouse))
        with warehouse.connect(read_only=True) as con:
            page = build_page(dashboard.name, con)
        target = write_page(warehouse.paths.dashboards / dashboard.filename, render_page(page, info))
        empty = [chart for chart in page.charts if chart.figure is None and not chart.html]
        if empty:  # not an error: the marts may not be built yet; the page says so
            context.log.warning(
                f"{dashboard.filename}: nog geen gegevens for {len(empty)} chart(s): "
                + "; ".join(f"{c.title} ({c.empty})" for c in empty)
            )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(target)),
                "charts": len(page.charts),
                "charts_without_data": len(empty),
                "data_built_at": fmt_built_at(info.built_at),
                "period": page.period or "nog geen gegevens",
            }
        )

    return _dashboard


page_assets = [build_dashboard_asset(d) for d in DASHBOARDS]


@dg.asset(
    key=["dashboards", "index"],
    group_name="dashboards",
    kinds={"html"},
    deps=[a.key for a in page_assets],
    description=f"`dashboards/{INDEX}`: entry page linking every dashboard.",
)
def dashboards_index(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    target = write_page(warehouse.paths.dashboards / INDEX, render_index_page(context.run.run_id))
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "dashboards": dg.MetadataValue.json([d.filename for d in DASHBOARDS]),
        }
    )


dashboard_assets = [*page_assets, dashboards_index]
