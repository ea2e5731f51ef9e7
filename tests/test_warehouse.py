"""The warehouse switch (issue 9) without a server: target selection, placeholder translation and
the configuration errors of ``mutwh run``. The PostgreSQL round trip is in test_postgres.py."""

from __future__ import annotations

import pytest

from mutwh.warehouse import (
    DUCKDB_MEMORY_DEFAULT,
    DUCKDB_MEMORY_ENV,
    POSTGRES,
    WarehouseConfigError,
    active_target,
    to_pyformat,
)
from orchestration.cli import main
from orchestration.dbt_command import DBT_PROJECT_DIR


def test_duckdb_is_the_default_and_unknown_targets_are_refused(monkeypatch):
    monkeypatch.delenv("MUTWH_TARGET", raising=False)
    assert active_target() == "duckdb"
    monkeypatch.setenv("MUTWH_TARGET", " PostgreS ")
    assert active_target() == POSTGRES
    monkeypatch.setenv("MUTWH_TARGET", "oracle")
    with pytest.raises(WarehouseConfigError, match="expected one of duckdb, postgres"):
        active_target()


def test_placeholders_become_pyformat_outside_quotes_only():
    assert to_pyformat("select * from t where year = ? and month = ?") == (
        "select * from t where year = %s and month = %s"
    )
    assert to_pyformat("select '?' as q, \"a?\" from t where x like 'a%' and y = ?") == (
        "select '?' as q, \"a?\" from t where x like 'a%%' and y = %s"
    )
    assert to_pyformat("select 100 % 7") == "select 100 %% 7"


def test_run_with_an_unknown_target_or_unreachable_server_is_a_configuration_error(home, monkeypatch, capsys):
    monkeypatch.setenv("MUTWH_TARGET", "oracle")
    assert main(["run"]) == 2
    assert "MUTWH_TARGET='oracle'" in capsys.readouterr().err
    monkeypatch.setenv("MUTWH_TARGET", "postgres")
    monkeypatch.setenv("PGHOST", "127.0.0.1")
    monkeypatch.setenv("PGPORT", "1")  # nothing listens there
    assert main(["run"]) == 2
    assert "cannot be reached" in capsys.readouterr().err


def test_dbt_caps_duckdb_with_the_same_variable_and_default_as_the_python_connections():
    """One memory budget: dbt's profile and mutwh/warehouse.py read the same variable with the same
    default (lowered to 2GB for the ≤ 3 GiB of a scale-1.0 run; benchmarks/profile.md)."""
    profile = (DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8")
    assert f"memory_limit: \"{{{{ env_var('{DUCKDB_MEMORY_ENV}', '{DUCKDB_MEMORY_DEFAULT}') }}}}\"" in profile
