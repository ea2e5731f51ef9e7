"""The Dagster instance under ``$MUTWH_HOME/dagster`` (DAGSTER_HOME), shared by ``mutwh run`` and
``make ui`` so that command-line runs appear in the UI."""

from __future__ import annotations

import fcntl
import os
import sys

from mutwh.home import Home, HomeError

# Every step that opens the DuckDB file runs in this pool; dagster.yaml limits it to one slot.
# DuckDB allows one writing process per file, and while it holds the file another process cannot
# open it even read-only, so readers (checks, exports, dashboards) queue behind writers too.
WAREHOUSE_POOL = "warehouse"

# One slot per pool: assets in the warehouse pool never overlap, across all runs, because
# DuckDB allows one writing process per file. Queued runs wait instead of failing on the lock.
DAGSTER_YAML = """\
# Written by mutwh; edit freely, it is only rewritten when missing.
concurrency:
  pools:
    default_limit: 1
  runs:
    max_concurrent_runs: 4
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
# The daemon fails runs stuck in STARTING and frees the pool slots that a finished run still
# holds. A run whose worker was killed stays STARTED (the default run launcher cannot check the
# worker's health) and keeps its slot until an operator terminates it in the UI.
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  max_resume_run_attempts: 0
  poll_interval_seconds: 60
  free_slots_after_run_end_seconds: 60
telemetry:
  enabled: false
# Dagster's SQLite event log, keeping each database open instead of opening it for every event
# (orchestration/event_log.py: the same files, ~3.5x less time per event).
event_log_storage:
  module: orchestration.event_log
  class: PooledSqliteEventLogStorage
"""


def prepare_dagster_home(home: Home) -> str:
    home.dagster.mkdir(parents=True, exist_ok=True)
    config = home.dagster / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home.dagster)
    with open(home.dagster / ".prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # `mutwh run` and `make ui` started at the same moment
        _create_pool_slots()
    return str(home.dagster)


def _create_pool_slots() -> None:
    """Create the instance's storage and the warehouse pool's slot before any run exists.

    Left to the runs, two runs dequeued at the same moment each find the pool missing and each
    create its default slot (Dagster counts the slots, then inserts, without a lock on SQLite), and
    the pool then lets two warehouse steps run at once. A pool damaged that way is repaired here;
    a limit an operator set in the UI is kept.
    """
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        limits = {pool.name: pool for pool in storage.get_pool_limits()}
        pool = limits.get(WAREHOUSE_POOL)
        if pool is None or (
            pool.from_default and storage.get_concurrency_info(WAREHOUSE_POOL).slot_count != pool.limit
        ):
            storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)


def main() -> int:
    """``make ui``: prepare the Dagster home, or exit 2 saying what is wrong with ``$MUTWH_HOME``."""
    try:
        prepare_dagster_home(Home.from_env().ensure())
    except HomeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
