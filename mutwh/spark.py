"""Apache Spark as the warehouse (``MUTWH_TARGET=spark``, README "Spark").

The ingestion stays what it is on every target: it validates, pseudonymises and quarantines into
``raw.<source>`` of the DuckDB file, which also keeps the shrink guard's previous row counts and
``raw._ingested_files`` for the manifest. On Spark it then hands each raw table over as Parquet
under ``$MUTWH_HOME/spark/raw/<source>/``, which dbt registers as the external table
``raw.<source>`` at the start of every run (``macros/spark/raw_sources.sql``); dbt-spark builds the
models there, as Parquet tables under ``$MUTWH_HOME/spark/warehouse/<schema>.db/<table>/``.

Exports, dashboards and checks read the result through the same DuckDB connection shape as on the
other targets: ``spark_reader`` is an in-memory DuckDB whose ``marts``, ``intermediate`` and
``reference`` schemas are views over Spark's Parquet files and whose ``raw`` schema is the
ingestion's tables, so publication has one code path whatever engine computed the marts.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from mutwh.home import Home

SPARK_DIR = "spark"
READ_SCHEMAS = ("reference", "intermediate", "marts")  # Spark's views (staging) have no files


def check_spark() -> None:
    """Spark can run: dbt-spark is installed, and a local session (no ``MUTWH_SPARK_HOST``) has
    pyspark and a Java runtime. Raises ``WarehouseConfigError`` (exit 2) saying what is missing."""
    from mutwh.warehouse import WarehouseConfigError

    missing = []
    if importlib.util.find_spec("dbt.adapters.spark") is None:
        missing.append("dbt-spark (pip install -e '.[spark]')")
    if not os.environ.get("MUTWH_SPARK_HOST"):
        if importlib.util.find_spec("pyspark") is None:
            missing.append("pyspark (pip install -e '.[spark]')")
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            missing.append("a Java runtime (apt-get install default-jre-headless)")
    if missing:
        raise WarehouseConfigError("MUTWH_TARGET=spark needs " + ", ".join(missing))


def spark_root(home: Home) -> Path:
    return home.root / SPARK_DIR


def raw_folder(home: Home) -> Path:
    return spark_root(home) / "raw"


def warehouse_folder(home: Home) -> Path:
    return spark_root(home) / "warehouse"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def hand_over_raw(con, home: Home, table: str) -> Path:
    """``raw.<table>`` of the ingestion's DuckDB connection as ``spark/raw/<table>/part-0.parquet``,
    replaced whole: written aside, then swapped in, so Spark never reads half a table."""
    folder = raw_folder(home)
    target, aside, old = folder / table, folder / f".{table}.new", folder / f".{table}.old"
    for leftover in (aside, old):
        shutil.rmtree(leftover, ignore_errors=True)
    aside.mkdir(parents=True)
    con.execute(f"copy (select * from raw.{table}) to {_quoted(aside / 'part-0.parquet')} (format parquet)")
    if target.exists():
        target.rename(old)
    aside.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return target


def spark_reader(home: Home):
    """A read-only view of what Spark built, in the DuckDB shape the exports use (see module doc)."""
    import duckdb

    from mutwh.warehouse import duckdb_config

    con = duckdb.connect(config=duckdb_config())
    con.execute("set enable_progress_bar = false")
    if home.warehouse.exists():
        con.execute(f"attach {_quoted(home.warehouse)} as ingestion (read_only)")
        con.execute("create schema raw")
        for (table,) in con.sql(
            "select table_name from information_schema.tables where table_catalog = 'ingestion' "
            "and table_schema = 'raw' order by table_name"
        ).fetchall():
            con.execute(f'create view raw."{table}" as select * from ingestion.raw."{table}"')
    for schema in READ_SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
        folder = warehouse_folder(home) / f"{schema}.db"
        for table in sorted(p for p in folder.glob("*") if p.is_dir()) if folder.is_dir() else []:
            if any(table.glob("*.parquet")):
                con.execute(
                    f'create view {schema}."{table.name}" as select * from read_parquet({_quoted(table / "*.parquet")})'
                )
    return con
