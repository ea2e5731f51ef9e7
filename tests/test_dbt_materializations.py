"""The project's own DuckDB materializations (dbt_project/macros/materializations): a view is
replaced by `create or replace view`, a table by drop and create in one transaction. A rebuild
leaves no `__dbt_tmp`/`__dbt_backup` relation behind, and a model that fails keeps the table it had.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
from support.dbt_run import create_raw_warehouse, failures, run_dbt
from support.raw_rows import raw_rows

LEDGER = raw_rows(
    "finance_ledger",
    [
        {"entity": "VMOB Solidaris Verzekeringen", "rubric": "Premies", "year": year, "amount_eur": Decimal(amount)}
        for year, amount in ((2022, "85131756"), (2023, "91978473"))
    ],
)
STAGING_VIEW = "stg_finance_ledger__ledger_lines"
MART = "fct_finance_year"


def _relations(home) -> dict[str, str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select table_schema || '.' || table_name, table_type from information_schema.tables "
            "where table_schema in ('staging', 'marts')"
        ).fetchall()
    return dict(rows)


def _mart_rows(home) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"select * from marts.{MART} order by all").fetchall()


def test_a_rebuild_replaces_views_and_tables_in_place(tmp_path):
    home = tmp_path / "home"
    create_raw_warehouse(home, {"finance_ledger": LEDGER})
    build = ("build", "--select", f"+{MART}", "--exclude-resource-type", "test", "unit_test")
    first = run_dbt(home, *build)
    assert first.success, failures(first) or first.exception
    built, rows = _relations(home), _mart_rows(home)
    assert built[f"staging.{STAGING_VIEW}"] == "VIEW" and built[f"marts.{MART}"] == "BASE TABLE"
    assert rows, "the mart has the ledger's years"

    again = run_dbt(home, *build)
    assert again.success, failures(again) or again.exception
    assert _relations(home) == built  # no __dbt_tmp or __dbt_backup left, same kinds
    assert _mart_rows(home) == rows
    statements = (home / "logs" / "dbt.log").read_text()
    assert "create or replace view" in statements  # the project's materializations, not dbt-duckdb's swap
    assert "__dbt_tmp" not in statements and "__dbt_backup" not in statements


def test_a_failing_model_keeps_the_table_it_had(tmp_path):
    home = tmp_path / "home"
    create_raw_warehouse(home, {"finance_ledger": LEDGER})
    built = run_dbt(home, "run", "--select", f"+{MART}")
    assert built.success, failures(built) or built.exception
    rows = _mart_rows(home)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute(f"drop view staging.{STAGING_VIEW}")  # the mart's query can no longer bind

    failed = run_dbt(home, "run", "--select", MART)
    assert not failed.success and failures(failed) == {MART: "error"}
    assert _mart_rows(home) == rows  # the drop of the old table was rolled back with the create
    assert not [name for name in _relations(home) if name.endswith(("__dbt_tmp", "__dbt_backup"))]
