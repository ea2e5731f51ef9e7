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
from pathlib import Path

import duckdb
import pytest
from support.pipeline import assert_same_export_csvs, generate_landing, run_beside_duckdb

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_available():
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        pytest.skip("pyspark/dbt-spark are not installed: run make test-spark")
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: Spark needs one (.ci/run installs Debian's default-jre-headless)")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    return generate_landing(tmp_path_factory.mktemp("landing"))


def test_pipeline_on_spark_writes_the_same_exports_as_on_duckdb(spark_available, landing, tmp_path):
    duck_home, spark_home = run_beside_duckdb(tmp_path, landing, "Spark", {"MUTWH_TARGET": "spark"})

    # Spark computed the marts: they are its Parquet files, and the DuckDB file holds raw tables only
    marts = spark_home / "spark" / "warehouse" / "marts.db"
    assert (marts / "fct_membership_year").is_dir(), "dbt-spark built no marts under MUTWH_HOME/spark"
    with duckdb.connect(str(spark_home / "warehouse.duckdb"), read_only=True) as con:
        schemas = {s for (s,) in con.sql("select distinct table_schema from information_schema.tables").fetchall()}
    assert schemas == {"raw"}, f"on Spark the DuckDB file is the ingestion's only, found schemas {schemas}"

    assert_same_export_csvs(duck_home, spark_home, "Spark")
