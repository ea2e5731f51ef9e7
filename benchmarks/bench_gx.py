"""What the GX suites cost: ``raw.contributions`` at growing sizes, and all 15 raw tables at full scale.

Tables are synthetic, built with DuckDB SQL over ``range()`` from the contract (columns, types,
codes, ranges, date order), so every suite passes and the timing is the cost of a clean run.

    # raw.contributions (~9 M rows at full scale): whole table vs sample
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_gx contributions --rows 200000 1000000 5000000
    # all 15 tables at estimated full-scale sizes, one run_suite each, for several max_rows
    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_gx all --max-rows 100000 200000

Prints one JSON line per measurement; ``run_suite_seconds`` covers the DuckDB read, GX and the
Data Docs pages. GX's import (paid once per process) is printed apart.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from orchestration.quality.gx_suites import DEFAULT_MAX_ROWS, build_suite, read_raw_table, run_suite, to_pandas
from sources.contract import SOURCES, Column, Source, raw_column_name, raw_schema

# Rows per raw table at full scale (~3.6 M persons, SPEC scale 1.0, three years), rounded up:
# an estimate for timing, not a contract. Tables below the sample size cost the same either way.
FULL_SCALE_ROWS = {
    "members": 4_000_000,
    "vt_periods": 1_200_000,
    "zorgkas_affiliations": 3_000_000,
    "contributions": 9_000_000,
    "zorgkas_dossiers": 150_000,
    "zorgkas_payments": 3_000_000,
    "zorgkas_mutations": 500_000,
    "dmw_registrations": 150_000,
    "dmw_proactive_actions": 100_000,
    "dmw_housing_advice": 30_000,
    "dmw_aid_loans": 60_000,
    "dmw_personal_alarms": 40_000,
    "dmw_staff": 2_000,
    "finance_ledger": 5_000,
    "staff_departments": 200,
    "member_indicators": 1_500_000,
    "vt_mailings": 800_000,
    "right_renewals": 9_000_000,
}


def _sql_value(source: Source, column: Column) -> str:
    """A valid SQL expression of row number ``i``; dates grow along the column order (date_order)."""
    position = source.columns.index(column)
    if column.is_insz:
        value = "md5((i * 2 // 3)::varchar)"
    elif column.kind == "code":
        codes = ", ".join(f"'{c}'" for c in column.codes)
        value = f"[{codes}][1 + i % {len(column.codes)}]"
    elif column.kind == "date":
        # an end column listed before its start (right_renewals: decided_on, letter_sent_on) comes after it
        starts = [source.columns.index(source.column(s)) for s, e in source.date_order if e == column.name]
        position = max([position, *(p + 1 for p in starts)])
        value = f"date '2000-01-01' + ({30 * position} + i % 3000)::integer"
    elif column.kind == "month":
        value = "date_trunc('month', date '2015-01-01' + (i % 3000)::integer)::date"
    elif column.kind == "int":
        low = int(column.min_value) if column.min_value is not None else 0
        value = f"({low} + i % 10)::integer"
    elif column.kind == "decimal":
        value = "((i % 100) / 200.0)::decimal(18, 2)"
    elif column.kind == "bool":
        value = "i % 2 = 0"
    elif column.kind == "postcode":
        value = "'2000'"
    else:
        value = f"'{column.name}_' || i::varchar"
    rules = [r for r in source.null_when if r.column == column.name]
    for rule in rules:  # empty exactly for the rule's codes
        when = source.column(rule.when_column)
        exempt = ", ".join(str(when.codes.index(c)) for c in rule.codes)
        value = f"case when i % {len(when.codes)} in ({exempt}) then null else {value} end"
    if not column.required and column.name not in source.key and not rules:
        value = f"case when i % 5 = 0 then null else {value} end"
    return f"{value} as {raw_column_name(column)}"


def build_table(duckdb_path: Path, source_name: str, rows: int) -> None:
    """A clean synthetic ``raw.<source>`` of ``rows`` rows in the contract's raw schema."""
    import duckdb

    source = SOURCES[source_name]
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_schema(source))
    values = ",\n".join(_sql_value(source, c) for c in source.columns)
    with duckdb.connect(str(duckdb_path)) as con:
        con.sql("create schema if not exists raw")
        con.sql(f"drop table if exists raw.{source_name}")
        con.sql(f"create table raw.{source_name} ({columns})")
        con.sql(
            f"insert into raw.{source_name} select {values}, "
            f"'{source_name}_' || (i % 3)::varchar || '.csv' as _source_file, i // 3 + 2 as _source_row "
            f"from range({int(rows)}) as r(i)"
        )


def measure(duckdb_path: Path, gx_dir: Path, source_name: str, max_rows: int) -> dict:
    started = time.perf_counter()
    table, rows_in_table, sampled = read_raw_table(source_name, duckdb_path, max_rows)
    read = time.perf_counter() - started
    started = time.perf_counter()
    frame = to_pandas(table)
    convert = time.perf_counter() - started
    del table, frame
    cpu = time.process_time()
    result = run_suite(source_name, duckdb_path, gx_dir, max_rows=max_rows)
    cpu = time.process_time() - cpu
    return {
        "source": source_name,
        "max_rows": max_rows,
        "rows_in_table": rows_in_table,
        "rows_validated": result["rows_validated"],
        "sampled": sampled,
        "success": result["success"],
        "failed": result["failed"],
        "read_seconds": round(read, 2),
        "to_pandas_seconds": round(convert, 2),
        "run_suite_seconds": result["seconds"],
        "run_suite_cpu_seconds": round(cpu, 2),
    }


def _emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def bench_contributions(db: Path, gx_dir: Path, sizes: list[int], max_rows: list[int]) -> None:
    """``raw.contributions`` at each size: sampled at each ``max_rows`` below it, and whole."""
    for rows in sizes:
        build_table(db, "contributions", rows)
        for limit in sorted({*max_rows, rows}):
            if limit <= rows:
                mode = "full" if limit == rows else "sampled"
                _emit({"mode": mode, **measure(db, gx_dir, "contributions", limit)})


def bench_all(db: Path, gx_dir: Path, scale: float, max_rows: list[int]) -> None:
    """All 15 tables at ``FULL_SCALE_ROWS * scale``: one ``run_suite`` each, per ``max_rows``."""
    started = time.perf_counter()
    for name, rows in FULL_SCALE_ROWS.items():
        if not _has_rows(db, name, int(rows * scale)):
            build_table(db, name, int(rows * scale))
    _emit({"mode": "build_tables", "seconds": round(time.perf_counter() - started, 1)})
    keys = ("rows_in_table", "rows_validated", "sampled", "success", "failed", "seconds")
    for limit in max_rows:
        total = cpu_total = 0.0
        for name in FULL_SCALE_ROWS:
            cpu = time.process_time()
            result = run_suite(name, db, gx_dir, max_rows=limit)
            cpu = time.process_time() - cpu
            total, cpu_total = total + result["seconds"], cpu_total + cpu
            measured = {k: result[k] for k in keys}
            _emit({"mode": "all", "source": name, "max_rows": limit, **measured, "cpu_seconds": round(cpu, 2)})
        _emit({"mode": "all_total", "max_rows": limit, "seconds": round(total, 1), "cpu_seconds": round(cpu_total, 1)})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["contributions", "all"])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 1_000_000, 5_000_000])
    parser.add_argument("--max-rows", type=int, nargs="+", default=[DEFAULT_MAX_ROWS])
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies FULL_SCALE_ROWS (mode all)")
    parser.add_argument("--dir", type=Path, help="keep the warehouse here instead of a temporary folder")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench_gx_") as tmp:
        folder = args.dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db, gx_dir = folder / "warehouse.duckdb", folder / "gx"
        started = time.perf_counter()
        build_suite("contributions")  # GX's import, paid once per process
        _emit({"mode": "import_gx", "seconds": round(time.perf_counter() - started, 2)})
        if args.mode == "contributions":
            bench_contributions(db, gx_dir, args.rows, args.max_rows)
        else:
            bench_all(db, gx_dir, args.scale, args.max_rows)


def _has_rows(db: Path, name: str, rows: int) -> bool:
    import duckdb

    if not db.exists():
        return False
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.sql(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?",
            params=[name],
        ).fetchall()[0][0]
        return bool(found) and con.sql(f"select count(*) from raw.{name}").fetchall()[0][0] == rows


if __name__ == "__main__":
    main()
