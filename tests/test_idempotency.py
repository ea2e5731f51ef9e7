"""Idempotency (SPEC §9): the same inputs give the same warehouse and byte-identical CSV exports;
re-ingesting a file, or the same file landed twice under another name, never duplicates rows.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from support.pipeline import export_bytes, run_mutwh

from sources.contract import SOURCES
from sources.ingest import IngestResult, ingest_source

KEY = b"test-key"


def quarantine_bytes(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted((home / "quarantine").rglob("*")) if p.is_file()}


def warehouse_digest(warehouse: Path, schemas: tuple[str, ...] | None = None) -> dict[str, tuple[int, str]]:
    """Rows and a content hash of every table and view (of ``schemas``)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        relations = con.sql("select table_schema, table_name from information_schema.tables order by all").fetchall()
        digest = {}
        for schema, table in relations:
            if schemas and schema not in schemas:
                continue
            rows = con.sql(f'select * from "{schema}"."{table}" order by all').fetchall()
            digest[f"{schema}.{table}"] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return digest


def ingest_all(home: Path) -> dict[str, IngestResult]:
    results = {}
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for source in SOURCES.values():
            results[source.name] = ingest_source(home / "landing", source, con, home / "quarantine", KEY)
    return results


def counts(results: dict[str, IngestResult]) -> dict[str, tuple]:
    return {
        name: (r.files, r.rows_in, r.rows_loaded, r.rows_quarantined, r.rejection_reasons)
        for name, r in results.items()
    }


@pytest.fixture(scope="module")
def generated_landing(tmp_path_factory) -> Path:
    """A small generated landing zone with the generator's defects, shared read-only."""
    from sources.generator import generate

    landing = tmp_path_factory.mktemp("idempotency") / "landing"
    generate(landing, [2022, 2023], scale=0.001, seed=3, clean=False, fmt="parquet", progress=False)
    return landing


def test_ingesting_the_same_landing_zone_twice_changes_nothing(home, generated_landing):
    shutil.copytree(generated_landing, home / "landing", dirs_exist_ok=True)
    first = ingest_all(home)
    warehouse, quarantine = warehouse_digest(home / "warehouse.duckdb"), quarantine_bytes(home)
    assert sum(r.rows_quarantined for r in first.values()) > 0 and all(r.reconciles for r in first.values())

    second = ingest_all(home)

    assert counts(second) == counts(first)
    assert warehouse_digest(home / "warehouse.duckdb") == warehouse
    assert quarantine_bytes(home) == quarantine


def test_a_file_landed_twice_under_another_name_is_not_loaded_twice(home, generated_landing):
    """Every row of the copy meets the key it already has in the original: quarantined as a
    duplicate (or for its own defect), never loaded a second time."""
    shutil.copytree(generated_landing, home / "landing", dirs_exist_ok=True)
    before = ingest_all(home)
    copies = {}
    for name in SOURCES:
        original = sorted((home / "landing" / name).glob("*.parquet"))[0]
        copy = original.with_name(f"zz_copy_of_{original.name}")
        shutil.copy(original, copy)
        copies[name] = (original.name, copy.name)

    after = ingest_all(home)

    for name in copies:
        added = after[name].rows_in - before[name].rows_in
        assert added > 0 or name in ("finance_ledger", "staff_departments"), name
        assert after[name].rows_loaded == before[name].rows_loaded, name
        assert after[name].rows_quarantined == before[name].rows_quarantined + added, name
        assert after[name].reconciles
    reasons = (home / "quarantine" / "members" / "quarantine.csv").read_text(encoding="utf-8")
    original, copy = copies["members"]
    assert f"members/{copy}" in reasons and f"first seen in members/{original} row" in reasons


@pytest.mark.slow
def test_two_runs_on_the_same_inputs_give_byte_identical_csv_exports(home):
    """Whatever exports exist: the ingestion summary, every yearly export folder, the quarantine."""
    from sources.generator import generate

    generate(home / "landing", [2022, 2023], scale=0.001, seed=3, clean=False, fmt="csv", progress=False)

    first = run_mutwh(home, "run", "--years", "2022-2023")
    first_csv, first_quarantine = export_bytes(home, (".csv",)), quarantine_bytes(home)
    first_warehouse = warehouse_digest(home / "warehouse.duckdb", ("raw", "staging", "intermediate", "marts"))
    first_all = export_bytes(home)

    second = run_mutwh(home, "run", "--years", "2022-2023")

    assert first.returncode == second.returncode == 0, (first.stderr[-2000:], second.stderr[-2000:])
    assert "exports/ingestion_summary.csv" in first_csv
    assert any(name.startswith("exports/2023/") for name in first_csv), "yearly exports expected"
    assert export_bytes(home, (".csv",)) == first_csv
    assert quarantine_bytes(home) == first_quarantine
    assert warehouse_digest(home / "warehouse.duckdb", ("raw", "staging", "intermediate", "marts")) == first_warehouse
    # beyond the CSV contract: workbooks are reproducible too; manifests differ only by run id and time
    second_all = export_bytes(home)
    assert set(second_all) == set(first_all)
    assert {k: v for k, v in second_all.items() if k.endswith(".xlsx")} == {
        k: v for k, v in first_all.items() if k.endswith(".xlsx")
    }
