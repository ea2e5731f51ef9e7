"""The pipeline's stages as plain functions, outside Dagster, for the benchmark harness.

Each stage does exactly what its Dagster asset does (same functions), so timing a stage measures
the product, not a re-implementation. ``python -m benchmarks.stages <stage> [arg]`` runs one
stage and prints a JSON line with the rows it processed.
"""

from __future__ import annotations

import json
import sys

from mutwh.home import Home

# the warehouse connection the Dagster assets get (same settings, e.g. DuckDB's memory limit),
# without importing Dagster, whose import would be timed as part of every stage
from mutwh.warehouse import connect_warehouse


def lower_bound(home: Home) -> int:
    """One DuckDB pass that only reads every landing file once: ``count(*)`` per source, plus a hash
    of every column, since a bare ``count(*)`` of a Parquet file reads only its footer."""
    import duckdb

    from sources.contract import SOURCES

    total = 0
    read_all = "select count(*), sum(hash(columns(*))) from"
    with duckdb.connect() as con:
        for name in SOURCES:
            folder = home.landing / name
            parquet = [str(p) for p in sorted(folder.glob("*.parquet"))]
            csv = [str(p) for p in sorted(folder.glob("*.csv"))]
            if parquet:
                total += con.sql(f"{read_all} read_parquet({parquet}, union_by_name=true)").fetchall()[0][0]
            if csv:
                options = "delim=';', header=true, all_varchar=true, union_by_name=true"
                total += con.sql(f"{read_all} read_csv({csv}, {options})").fetchall()[0][0]
    return total


def plain_sql(home: Home, first_year: str, last_year: str) -> int:
    """The plain-SQL baseline (benchmarks/plain_sql.py) on the landing zone: rows of figures computed."""
    from benchmarks.plain_sql import compute

    return sum(len(rows) for rows in compute(home.landing, int(first_year), int(last_year)).values())


def ingest(home: Home, source_name: str) -> int:
    from sources.contract import SOURCES
    from sources.ingest import ingest_source
    from sources.insz import pseudonym_key

    with connect_warehouse(home) as con:
        result = ingest_source(home.landing, SOURCES[source_name], con, home.quarantine, pseudonym_key())
    return result.rows_in


def gx(home: Home) -> int:
    """Every suite (one per source) in one process, as the pipeline's single gx_suites check step runs them."""
    from orchestration.quality.gx_suites import run_suites
    from sources.contract import SOURCES

    return sum(int(result["rows_validated"]) for result in run_suites(list(SOURCES), home.warehouse, home.gx))


def dbt(home: Home) -> int:
    from orchestration.dbt_command import run_dbt_build

    run_dbt_build()
    with connect_warehouse(home, read_only=True) as con:
        return con.sql("select count(*) from raw.members").fetchall()[0][0]


def exports(home: Home) -> int:
    from exports.labels import load_presentation
    from exports.tables import WORKBOOKS, discover_export_specs, publish_folder
    from orchestration.runner import loaded_years

    rows = 0
    specs = discover_export_specs()
    for year in loaded_years(home):
        with connect_warehouse(home, read_only=True) as con:
            by_folder: dict[str, list] = {}
            for spec in specs:
                by_folder.setdefault(spec.folder, []).extend(spec.tables(con, year))
            presentation = load_presentation(con)
        for folder, tables in by_folder.items():
            publish_folder(
                home.exports / str(year) / folder, tables, WORKBOOKS[folder], "bench", home.landing, [], presentation
            )
            rows += sum(len(t.rows) for t in tables)
    return rows


def dashboards(home: Home) -> int:
    from dashboards.pages import render_all
    from dashboards.render import BuildInfo

    with connect_warehouse(home, read_only=True) as con:
        return len(render_all(con, home.dashboards, BuildInfo(run_id="bench")))


def main(argv: list[str]) -> None:
    home = Home.from_env()
    stage, *args = argv
    rows = globals()[stage](home, *args)
    print(json.dumps({"stage": stage, "args": args, "rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1:])
