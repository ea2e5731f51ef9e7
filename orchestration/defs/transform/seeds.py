"""Which seeds a whole ``mutwh run`` may leave as they are.

The 25 seeds (reference data) and the 42 tests on seeds alone were ~30 % of the nodes of every dbt
build (benchmarks/profile.md), though a seed changes only when someone edits it. ``mutwh run``
leaves them out of its run's selection when nothing about them changed, so Dagster neither plans
nor expects them, and the assets downstream read the tables already in the warehouse; a test of
a model against a seed (a zorgkas code that must exist in ``zorgkassen``) is a check of the model
and still runs. Jobs started from the UI or a schedule build the seeds as before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import dagster as dg

from mutwh.home import Home
from orchestration.dbt_command import DBT_PROJECT_DIR
from orchestration.event_log import latest_evaluations
from orchestration.keys import REFERENCE


@dataclass(frozen=True)
class KeptSeeds:
    keys: frozenset[dg.AssetKey]
    checks: int
    built_in: tuple[str, ...]  # the runs that last built them

    def __str__(self) -> str:
        runs = ", ".join(run[:8] for run in self.built_in)
        return (
            f"seeds unchanged since run {runs}: the {len(self.keys)} seeds and their {self.checks} checks "
            "are not built again (docs/seeds.md)"
        )


def unchanged_seeds(instance: dg.DagsterInstance, graph, home: Home) -> KeptSeeds | None:
    """The seeds to leave out, or None when they must be built: every seed's file and config
    (its code version) are those it was last materialised with, each of its checks passed at its
    latest evaluation, its table is in the DuckDB warehouse, and the seed files are those the
    manifest was parsed from (a seed edited, then ``mutwh run`` without ``make``). PostgreSQL and
    Spark warehouses build them every time."""
    from dagster._core.definitions.data_version import CODE_VERSION_TAG

    from mutwh.warehouse import WarehouseLockedError, is_postgres, is_spark, open_duckdb

    if is_postgres() or is_spark() or not home.warehouse.exists() or not seed_files_as_parsed():
        return None
    seeds = {key for key in graph.materializable_asset_keys if key.path[0] == REFERENCE}
    built_in = set()
    for key in seeds:
        event = instance.get_latest_materialization_event(key)
        if event is None or event.asset_materialization.tags.get(CODE_VERSION_TAG) != graph.get(key).code_version:
            return None
        built_in.add(event.run_id)
    checks = [key for key in graph.asset_check_keys if key.asset_key in seeds]
    for record in latest_evaluations(instance, checks).values():
        evaluation = record.event.asset_check_evaluation if record and record.event else None
        if evaluation is None or not evaluation.passed:
            return None
    try:
        with open_duckdb(home.warehouse, read_only=True, timeout=0) as con:
            query = f"select table_name from information_schema.tables where table_schema = '{REFERENCE}'"
            present = {name for (name,) in con.sql(query).fetchall()}
    except WarehouseLockedError:  # another process writes it: build them rather than wait here
        return None
    if not {key.path[-1] for key in seeds} <= present:
        return None
    return KeptSeeds(frozenset(seeds), len(checks), tuple(sorted(built_in)))


def seed_files_as_parsed() -> bool:
    """Every seed file is the one the manifest (and so each seed's code version) was parsed from:
    dbt's checksum of it, the SHA-256 of its stripped text. A seed too large for dbt to checksum
    (it records the path instead) cannot be vouched for."""
    from orchestration.resources import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    for node in manifest["nodes"].values():
        if node["resource_type"] != "seed":
            continue
        checksum = node.get("checksum") or {}
        try:
            text = (DBT_PROJECT_DIR / node["original_file_path"]).read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return False
        if checksum.get("name") != "sha256" or hashlib.sha256(text.encode()).hexdigest() != checksum.get("checksum"):
            return False
    return True
