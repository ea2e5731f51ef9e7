"""Resources shared by all domains: the warehouse (DuckDB file or PostgreSQL) and the dbt project."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version
from pydantic import PrivateAttr

from mutwh.home import Home
from mutwh.warehouse import connect_warehouse, holding_warehouse
from orchestration.dbt_command import DBT_PROJECT_DIR, DbtServer, dbt_executable, parse_project
from orchestration.keys import GX_CHECK

if TYPE_CHECKING:
    from orchestration.quality.gx_worker import GxWorker


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
    """dagster-dbt's resource, told the version of the dbt it starts instead of asking it, and
    without dbt's adapter in the run's process.

    ``DbtCliResource`` runs ``dbt --version`` before the first command of each step, to choose
    between dbt-core and the Fusion engine: one more start of dbt, ~3-4 s of every run's dbt
    step (py-spy of ``mutwh run``, benchmarks/profile.md). The dbt next to this interpreter
    (``dbt_executable``: ``mutwh-dbt`` or the venv's ``dbt``) is this venv's dbt-core, whose version
    its package metadata gives; a dbt found elsewhere on ``PATH`` is still asked."""

    _server: DbtServer | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Start dbt now, in a run that has a dbt step (Dagster sets a resource up only for runs
        whose steps use it): it imports while the run ingests (``DbtServer``)."""
        super().setup_for_execution(context)
        self._server = DbtServer.start()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _initialize_dbt_core_adapter(self, args) -> None:  # ty: ignore[invalid-method-override]
        """No adapter in the run's process. dagster-dbt loads dbt's project, profile and macros here
        before every dbt command (~1.6 s of each ``dbt_models`` step at scale 0.001) only so that
        ``fetch_row_counts`` and ``fetch_column_metadata`` can query the warehouse; this pipeline
        asks for neither, and dagster-dbt treats a missing adapter as "no such metadata"."""
        return None

    @cached_property
    def _cli_version(self) -> Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            try:
                return Version(metadata.version("dbt-core"))
            except metadata.PackageNotFoundError:
                pass
        return super()._cli_version


class GxResource(dg.ConfigurableResource):
    """Great Expectations in a worker process (``orchestration.quality.gx_worker``).

    A run that evaluates the ``gx_suite`` check of some raw tables starts the worker when it sets
    up its resources, before its first step (the in-process executor does that once per run), so
    that GX is imported while ingestion runs. Each ingestion step of such a table hands the worker
    its sample when the table is loaded (``table_loaded``), so the suites run beside ingestion; the
    ``gx_suites`` step collects the results (``run_suites``). The worker ends after it has
    answered, or with the run.
    """

    _worker: GxWorker | None = PrivateAttr(default=None)
    _validated: frozenset[str] = PrivateAttr(default=frozenset())

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from orchestration.quality.gx_worker import GxWorker, take_prestarted

        self._validated = _sources_validated_by(context.run)
        if self._validated:
            self._worker = take_prestarted() or GxWorker.start()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def table_loaded(self, source_name: str, paths: Home, say=None, con=None) -> None:
        """``raw.<source_name>`` is final for this run: hand its sample to the worker, when this
        run validates it, read through ``con`` (the step's DuckDB connection) when given. Never
        fails the ingestion step: if the sample cannot be handed over, the ``gx_suites`` step reads
        the table itself."""
        from orchestration.quality.gx_suites import DEFAULT_MAX_ROWS, read_raw_table

        if self._worker is None or source_name not in self._validated:
            return
        try:
            max_rows, seed = DEFAULT_MAX_ROWS, 0  # the sample the gx_suites step would take
            arrow, rows_in_table, sampled = read_raw_table(source_name, paths.warehouse, max_rows, seed, con=con)
            self._worker.hand_sample(source_name, paths.gx, arrow, rows_in_table, sampled, max_rows, seed)
        except Exception as error:  # the step has loaded its table: GX must not undo that
            (say or print)(f"Great Expectations will read raw.{source_name} in its own step: {error}")

    def run_suites(self, source_names: list[str], duckdb_path: Path, gx_dir: Path) -> list[dict]:
        """``orchestration.quality.gx_suites.run_suites`` in the worker started for this run (one
        request per worker; a second one starts a new worker)."""
        from orchestration.quality.gx_worker import GxWorker

        worker, self._worker = self._worker or GxWorker.start(), None
        return worker.run_suites(source_names, duckdb_path, gx_dir)


def _sources_validated_by(run: dg.DagsterRun | None) -> frozenset[str]:
    """The sources whose ``gx_suite`` check ``run`` evaluates (every source when the run names no
    checks: a whole job, or a resource set up outside a run)."""
    from sources.contract import SOURCES

    selection = run.asset_check_selection if run is not None else None
    if selection is None:
        return frozenset(SOURCES)
    return frozenset(key.asset_key.path[-1] for key in selection if key.name == GX_CHECK)


def shared_resources() -> dict:
    return {
        "warehouse": WarehouseResource(),
        "gx": GxResource(),
        "dbt": MutwhDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable()),
    }
