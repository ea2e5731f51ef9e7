"""The same dbt project on Apache Spark (issue 19): ``MUTWH_TARGET=spark`` against a local Spark
session (pyspark, started by dbt-spark's ``session`` method in dbt's own process).

One small synthetic landing zone runs through the whole pipeline twice, side by side: ``mutwh run``
on the DuckDB file, and with ``MUTWH_TARGET=spark``, where the ingestion hands its raw tables to
Spark as Parquet, dbt-spark builds every model, and the exports read Spark's marts. Every export
CSV must be byte-identical.

Run with ``make test-spark`` (``pytest -m spark``), which installs the ``spark`` extra (pyspark,
dbt-spark); ``.ci/run`` installs a Java runtime first when there is none. Skips when pyspark or
Java is missing.
"""

from __future__ import annotations

import importlib.util
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from support.pipeline import YEARS, export_csvs, finish, start_mutwh_run

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_available():
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        pytest.skip("pyspark/dbt-spark are not installed: run make test-spark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: Spark needs one (.ci/run installs Debian's default-jre-headless)")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    from sources.generator import generate

    out = tmp_path_factory.mktemp("landing")
    generate(out, YEARS, scale=0.002, seed=7, progress=False)
    return out


def first_difference(expected: bytes, actual: bytes) -> str:
    old, new = expected.decode().splitlines(), actual.decode().splitlines()
    first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    return (
        f"line {first + 1}:\n  duckdb: {old[first] if first < len(old) else '<end>'}\n"
        f"  spark:  {new[first] if first < len(new) else '<end>'}"
    )


def test_pipeline_on_spark_writes_the_same_exports_as_on_duckdb(spark_available, landing, tmp_path):
    duck_home, spark_home = tmp_path / "duckdb", tmp_path / "spark"
    started = time.perf_counter()
    duck_run = start_mutwh_run(duck_home, landing, {})
    spark_run = start_mutwh_run(spark_home, landing, {"MUTWH_TARGET": "spark"})
    duck_exit, duck_stderr, duck_seconds = finish(duck_run, started)
    spark_exit, spark_stderr, spark_seconds = finish(spark_run, started)
    print(f"mutwh run, side by side: DuckDB {duck_seconds:.0f}s, Spark {spark_seconds:.0f}s")
    assert spark_exit == duck_exit, f"DuckDB exit {duck_exit}, Spark exit {spark_exit}:\n{spark_stderr[-4000:]}"
    assert duck_exit in (0, 1), duck_stderr[-4000:]

    # Spark computed the marts: they are its Parquet files, and the DuckDB file holds raw tables only
    marts = spark_home / "spark" / "warehouse" / "marts.db"
    assert (marts / "fct_membership_year").is_dir(), "dbt-spark built no marts under MUTWH_HOME/spark"
    with duckdb.connect(str(spark_home / "warehouse.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.sql("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"raw"}, f"on Spark the DuckDB file is the ingestion's only, found schemas {schemas}"

    expected, actual = export_csvs(duck_home), export_csvs(spark_home)
    assert expected, "the DuckDB run wrote no export CSV"
    assert sorted(actual) == sorted(expected)
    different = [name for name in expected if actual[name] != expected[name]]
    details = [f"{name} {first_difference(expected[name], actual[name])}" for name in different[:5]]
    assert not different, f"{len(different)} of {len(expected)} export CSVs differ:\n" + "\n".join(details)
