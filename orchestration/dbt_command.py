"""The ``dbt build`` the pipeline runs, in one place: the Dagster asset runs it, and the
benchmark's stages run the same command without importing Dagster (its import would be timed).

dbt unit tests check the SQL of the KPI rules, not the data: they run in ``make test`` and are left
out of production builds, as are the staging tests tagged ``contract_recheck``, which repeat the
row checks that ingestion already applied to every landing row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test", "--exclude", "tag:contract_recheck")
YEARS_ENV = "MUTWH_YEARS"
DBT_PARENT_ENV = "MUTWH_DBT_PARENT_PID"  # read by orchestration.dbt_child (no import: it stays light)


def year_vars() -> list[str]:
    """Reporting years chosen on the command line (``mutwh run --years``) as dbt vars."""
    years = os.environ.get(YEARS_ENV)
    if not years:
        return []
    first, _, last = years.partition("-")
    return ["--vars", json.dumps({"min_year": int(first), "max_year": int(last or first)})]


def build_args() -> list[str]:
    return [*BUILD_ARGS, *year_vars()]


def dbt_executable() -> str:
    """The dbt next to this interpreter (the venv's), so it is found without an activated venv,
    through ``mutwh-dbt`` (``orchestration.dbt_child``) so that it dies with its parent."""
    for name in ("mutwh-dbt", "dbt"):
        candidate = Path(sys.executable).parent / name
        if candidate.exists():
            return str(candidate)
    return "dbt"


def before_dbt(say=None) -> None:
    """Just before dbt starts: name this process as the parent that ``mutwh-dbt`` checks is still
    alive, and wait until no other process holds the DuckDB file (dbt would fail on its lock)."""
    from sources.home import Home
    from sources.warehouse import wait_until_writable

    os.environ[DBT_PARENT_ENV] = str(os.getpid())
    wait_until_writable(Home.from_env(), say=say)


def run_dbt_build() -> None:
    """The production build as a plain subprocess (benchmark stages)."""
    before_dbt()
    subprocess.run(
        [dbt_executable(), *build_args(), "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR)],
        check=True,
    )
