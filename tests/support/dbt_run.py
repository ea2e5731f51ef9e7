"""Running dbt in tests: the raw schema exactly as ingestion creates it, dbt in-process with its
target and logs in the test's own MUTWH_HOME, and what to read back (failures, manifest).

Shared by the test modules that build (parts of) the warehouse; test_dbt_project tests them.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner, dbtRunnerResult

from sources.contract import SOURCES, raw_column_name, raw_schema
from sources.insz import pseudonymise

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def pseudonym(label: str) -> str:
    return pseudonymise(label, b"test-key")


def create_raw_warehouse(home: Path, rows: dict[str, list[dict]]) -> None:
    """Empty raw.<source> tables exactly as the ingestion creates them, plus the given rows."""
    home.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("create schema raw")
        for source in SOURCES.values():
            columns = raw_schema(source)
            con.execute(
                f"create table raw.{source.name} ("
                + ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
                + ")"
            )
            # an optional column may be left out of a row, as it may be left out of a landing file
            optional = {raw_column_name(c) for c in source.columns if not c.required}
            for row in rows.get(source.name, []):
                con.execute(
                    f"insert into raw.{source.name} values ({', '.join('?' for _ in columns)})",
                    [row.get(name) if name in optional else row[name] for name, _ in columns],
                )


def run_dbt(home: Path, *args: str) -> dbtRunnerResult:
    """dbt in-process on the warehouse of ``home``: MUTWH_HOME points at it for the invocation (the
    profile reads it), and dbt's target and logs are inside it."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MUTWH_HOME", str(home))
        # dbt's debug log in home/logs, which some tests read (a pipeline build leaves it out:
        # orchestration.dbt_command.before_dbt, which an earlier test may have run in this process)
        mp.setenv("DBT_LOG_LEVEL_FILE", "debug")
        mp.chdir(home)  # the DuckDB profile's path is relative: dbt runs in MUTWH_HOME (mutwh-dbt)
        try:
            return dbtRunner().invoke(
                [
                    *args,
                    "--project-dir",
                    str(DBT_PROJECT_DIR),
                    "--profiles-dir",
                    str(DBT_PROJECT_DIR),
                    "--target-path",
                    str(home / "target"),
                    "--log-path",
                    str(home / "logs"),
                ]
            )
        finally:
            release_duckdb()


def release_duckdb() -> None:
    """Close the DuckDB database that dbt-duckdb keeps open in-process after an invocation.

    dbt-duckdb holds its environment (and the read-write DuckDB instance) in a class attribute until
    the process exits, so a later ``duckdb.connect(..., read_only=True)`` on the same file in this
    process fails with "different configuration than existing connections".
    """
    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def failures(result: dbtRunnerResult) -> dict[str, str]:
    """Node name -> status for every node that did not pass."""
    return {r.node.name: str(r.status) for r in (result.result or []) if str(r.status) not in ("success", "pass")}


def build_with_upstream(home: Path, models, *, also: tuple[str, ...] = (), exclude: str = "") -> dbtRunnerResult:
    """``dbt build`` of ``models`` and everything upstream of them (plus the nodes ``also``), with the
    tests whose parents are all selected (``--indirect-selection cautious``); asserts it succeeded."""
    args = ["build", "--select", *(f"+{m}" for m in models), *also, "--indirect-selection", "cautious"]
    result = run_dbt(home, *args, *(("--exclude", exclude) if exclude else ()))
    assert result.success, failures(result) or result.exception
    return result


def load_manifest(home: Path) -> dict:
    return json.loads((home / "target" / "manifest.json").read_text())


def assert_unit_tests_pass(result: dbtRunnerResult, names: set[str]) -> None:
    """Every dbt unit test in ``names`` ran in ``result`` and passed, and the invocation succeeded."""
    assert result.exception is None, result.exception
    statuses = {r.node.name: str(r.status) for r in result.result if r.node.resource_type == "unit_test"}
    assert set(statuses) >= names, sorted(names - set(statuses))
    assert {name: statuses[name] for name in names if statuses[name] != "pass"} == {}
    assert result.success


def documented_models(home: Path, models: tuple[str, ...], marts: tuple[str, ...]) -> dict[str, dict]:
    """The manifest's model nodes by name, once every one of ``models`` is asserted to be described,
    with every column described, and every one of ``marts`` to have an enforced contract with a data
    type for every column."""
    nodes = {n["name"]: n for n in load_manifest(home)["nodes"].values() if n["resource_type"] == "model"}
    for name in models:
        node = nodes[name]
        assert node["description"] and node["columns"], name
        assert [c for c, col in node["columns"].items() if not col["description"]] == [], name
        if name in marts:
            assert node["config"]["contract"]["enforced"], name
            assert [c for c, col in node["columns"].items() if not col["data_type"]] == [], name
    return nodes


def build_dmw_marts(home: Path, rows: dict[str, list[dict]]) -> Path:
    """Raw tables with ``rows``, then the seeds and models of the DMW marts (no tests): the warehouse
    the DMW export tests publish from."""
    create_raw_warehouse(home, rows)
    result = run_dbt(
        home,
        "build",
        "--select",
        "+path:models/marts/dmw",
        "--resource-type",
        "seed",
        "--resource-type",
        "model",
        "--threads",
        "4",
    )
    assert result.success, failures(result) or result.exception
    return home


def publish_dmw_inspection(home: Path, folder: Path, run_id: str = "test-run") -> Path:
    """The DMW inspection tables of 2024 from the warehouse of ``home`` (build_dmw_marts), published
    into ``folder`` as the yearly export publishes them."""
    from exports.dmw_inspection import tables
    from exports.tables import publish_folder

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        publish_folder(folder, tables(con, 2024), "inspection.xlsx", run_id, home, [])
    return folder


def dmw_inspection_fixtures(rows: dict[str, list[dict]]):
    """The module-scoped fixtures of a DMW export test module: ``warehouse``, the DMW marts built on
    ``rows`` (build_dmw_marts), and ``published``, its inspection export of 2024. In the module:
    ``warehouse, published = dmw_inspection_fixtures(ROWS)``."""
    import pytest

    @pytest.fixture(scope="module")
    def warehouse(tmp_path_factory) -> Path:
        return build_dmw_marts(tmp_path_factory.mktemp("mutwh_dmw"), rows)

    @pytest.fixture(scope="module")
    def published(warehouse: Path, tmp_path_factory) -> Path:
        return publish_dmw_inspection(warehouse, tmp_path_factory.mktemp("exports") / "2024" / "inspection")

    return warehouse, published


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    """Header and rows of an exported CSV."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)
