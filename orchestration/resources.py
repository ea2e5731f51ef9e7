"""Resources shared by all domains: the warehouse (DuckDB file or PostgreSQL) and the dbt project."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from mutwh.home import Home
from mutwh.warehouse import connect_warehouse, holding_warehouse
from orchestration.dbt_command import DBT_PROJECT_DIR, dbt_executable, parse_project


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB file under ``$MUTWH_HOME``; writers connect one at a time, readers read-only."""

    home: str | None = None  # None: $MUTWH_HOME when a step runs (not when definitions load)

    @property
    def paths(self) -> Home:
        return Home(Path(self.home)) if self.home else Home.from_env()

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        """A step (or an in-process run) that uses the warehouse holds it from before its start
        until after its end: ``holding_warehouse`` makes the pool's one slot a guarantee."""
        with holding_warehouse(self.paths, say=context.log.info if context.log else None):
            yield self

    def connect(self, read_only: bool = False) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """The DuckDB file, or with ``MUTWH_TARGET=postgres`` a ``mutwh.warehouse.PostgresConnection``
        offering the same ``sql(query, params)`` to exports, dashboards and checks."""
        return connect_warehouse(self.paths, read_only=read_only)


@cache
def dbt_project() -> DbtProject:
    """The dbt project, built once. Its manifest is prepared at build time (``make``/tests/CI:
    ``dbt parse``), and only parsed here when it is missing (a bare ``pip install -e .``).

    Not ``prepare_if_dev()``: under ``dagster dev`` it re-parsed the project (~14 s) in the code
    server and again in every run worker, and with dagster-dbt's default executable (``dbt`` on
    ``PATH``), which a plain shell running ``make ui`` does not have."""
    Home.from_env()  # the profile reads MUTWH_HOME
    project = DbtProject(project_dir=DBT_PROJECT_DIR, target_path=DBT_PROJECT_DIR / "target")
    if not project.manifest_path.exists():
        parse_project()
    return project


class MutwhDbtResource(DbtCliResource):
    """dagster-dbt's resource, told the version of the dbt it starts instead of asking it.

    ``DbtCliResource`` runs ``dbt --version`` before the first command of each step, to choose
    between dbt-core and the Fusion engine: one more start of dbt, ~3-4 s of every run's dbt
    step (py-spy of ``mutwh run``, benchmarks/profile.md). The dbt next to this interpreter
    (``dbt_executable``: ``mutwh-dbt`` or the venv's ``dbt``) is this venv's dbt-core, whose version
    its package metadata gives; a dbt found elsewhere on ``PATH`` is still asked."""

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            try:
                return Version(metadata.version("dbt-core"))
            except metadata.PackageNotFoundError:
                pass
        return super()._cli_version


def shared_resources() -> dict:
    return {
        "warehouse": WarehouseResource(),
        "dbt": MutwhDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
    }
