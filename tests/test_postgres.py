"""The same dbt project on PostgreSQL (issue 9), against a real server.

A throw-away PostgreSQL cluster (Debian's server, installed with apt-get when missing; see
``benchmarks.postgres_cluster``) listens on 127.0.0.1 under this test's tmp directory. One small synthetic
landing zone is run through the whole pipeline twice — ``mutwh run`` on the DuckDB file and with
``MUTWH_TARGET=postgres`` on the server — and every export CSV must be byte-identical: the marts'
figures, the number formats, the pseudonyms. Then the raw tables hold no INSZ of the landing zone
and the same pseudonyms as the DuckDB file.

Run with ``make test-postgres`` (``pytest -m postgres``); ``.ci/run`` runs it after ``make test``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.pipeline import assert_same_export_csvs, generate_landing, run_beside_duckdb
from support.privacy import INSZ_TOKEN

from benchmarks.postgres_cluster import Unavailable, start_cluster
from sources.contract import SOURCES

pytestmark = pytest.mark.postgres

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    try:
        server = start_cluster(tmp_path_factory.mktemp("postgres"))
    except Unavailable as reason:
        pytest.skip(f"no PostgreSQL server for the test: {reason}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    return generate_landing(tmp_path_factory.mktemp("landing"))


def test_pipeline_on_postgres_writes_the_same_exports_as_on_duckdb(cluster, landing, tmp_path):
    duck_home, pg_home = run_beside_duckdb(tmp_path, landing, "PostgreSQL", {"MUTWH_TARGET": "postgres", **cluster.env})
    assert not (pg_home / "warehouse.duckdb").exists(), "with MUTWH_TARGET=postgres the DuckDB file is not used"
    assert_same_export_csvs(duck_home, pg_home, "PostgreSQL")

    # The raw tables on the server: the same pseudonyms as the DuckDB file, and never an INSZ.
    import psycopg2

    landing_insz = set()
    for path in [*landing.rglob("*.csv"), *landing.rglob("*.parquet")]:
        frame = (
            pl.read_parquet(path) if path.suffix == ".parquet" else pl.read_csv(path, separator=";", infer_schema=False)
        )
        for column in frame.select(pl.col(pl.String)).columns:
            landing_insz |= set(INSZ_TOKEN.findall(" ".join(v for v in frame[column].to_list() if v)))
    assert landing_insz, "the landing zone has no INSZ to look for"
    with duckdb.connect(str(duck_home / "warehouse.duckdb"), read_only=True) as duck_con:
        server = psycopg2.connect(
            host=cluster.env["PGHOST"], port=cluster.port, user=cluster.role, dbname=cluster.database
        )
        try:
            with server.cursor() as cur:
                for name in SOURCES:
                    cur.execute(f"select * from raw.{name} order by _source_file, _source_row")
                    pg_rows = cur.fetchall()
                    duck_rows = duck_con.sql(f"select * from raw.{name} order by _source_file, _source_row").fetchall()
                    assert pg_rows == duck_rows, f"raw.{name} differs between DuckDB and PostgreSQL"
                    text = " ".join(str(v) for row in pg_rows for v in row)
                    leaked = set(INSZ_TOKEN.findall(text)) & landing_insz
                    assert not leaked, f"raw.{name} on PostgreSQL holds INSZ of the landing zone"
        finally:
            server.close()


def test_postgres_reads_through_the_duckdb_shaped_connection(cluster, monkeypatch):
    """Exports use ``?`` placeholders and ``.columns``/``.fetchall()``; the wrapper translates."""
    from exports.tables import fetch_rows
    from mutwh.warehouse import connect_postgres

    for key, value in cluster.env.items():
        monkeypatch.setenv(key, value)
    con = connect_postgres(read_only=True)
    try:
        rows = fetch_rows(con, "select ? as year, '50%' as share, ? like 'a%' as matches", [2023, "abc"])
        assert rows == [{"year": 2023, "share": "50%", "matches": True}]
        assert con.sql("select 1 as one").pl().to_dicts() == [{"one": 1}]
    finally:
        con.close()


def test_dbt_unit_tests_pass_on_postgres(cluster, tmp_path, monkeypatch):
    """The KPI rules' unit tests (hand-computed rows) give the same verdicts on PostgreSQL. dbt
    reads the column types of a tested model's parents from the database, so the seeds and models
    are built first, on empty raw tables (not with ``--empty``: dbt-postgres then renders
    ``ref(...) as alias`` as a subquery with two aliases, a syntax error)."""
    from mutwh.warehouse import connect_postgres
    from sources.ingest_postgres import ensure_raw_schema

    for key, value in cluster.env.items():
        monkeypatch.setenv(key, value)
    con = connect_postgres()
    try:
        for source in SOURCES.values():
            ensure_raw_schema(con, source)
    finally:
        con.close()
    env = dict(os.environ) | {"MUTWH_HOME": str(tmp_path), "MUTWH_TARGET": "postgres"}
    dbt = Path(sys.executable).parent / "dbt"
    for command in (
        ["build", "--exclude-resource-type", "unit_test", "--exclude-resource-type", "test"],
        ["test", "--select", "test_type:unit"],
    ):
        result = subprocess.run(
            [
                str(dbt if dbt.exists() else "dbt"),
                *command,
                "--project-dir",
                "dbt_project",
                "--profiles-dir",
                "dbt_project",
                "--target-path",
                str(tmp_path / "target"),
                "--log-path",
                str(tmp_path / "logs"),
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, f"dbt {' '.join(command)}:\n{result.stdout[-4000:]}"
    assert "ERROR=0" in result.stdout and "FAIL=" not in result.stdout.replace("FAIL=0", "")
