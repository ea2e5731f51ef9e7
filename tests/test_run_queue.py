"""Two runs at once through the run queue never collide on the DuckDB file (issue 6, SPEC §8).

Operators launch jobs from the UI, schedules and the landing sensor launch them from the daemon:
runs then go through the instance's QueuedRunCoordinator and the daemon launches them, possibly
side by side. DuckDB allows one writing process per file, so every step opening the file belongs
to one pool (``warehouse``, one slot in the dagster.yaml that ``orchestration.instance`` writes), and
a run holds the ``flock`` of ``mutwh.warehouse.holding_warehouse`` around its steps, because on
SQLite storage two runs claiming the one slot at once can both get it (``test_warehouse_pool``).

The test does what an operator would: two ``ingest`` runs (every step of which writes the
warehouse) are submitted while the daemon is down, so both are certainly queued at once; then the
real ``dagster-daemon`` dequeues and launches them. Both must succeed, no step may have failed on
the DuckDB lock, and the steps of the two runs that hold the warehouse must never overlap in time.
About a minute: the daemon, two ``dagster job launch`` and two small runs.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, ensure_dbt_manifest, stop_process_group
from support.pipeline import mutwh_env

from mutwh.warehouse import WAITING_FOR_WAREHOUSE

RUN_TIMEOUT_S = 240
LOCK_ERRORS = ("Could not set lock", "Conflicting lock", "database is locked")


@pytest.fixture
def queued_home(home) -> Path:
    from mutwh.home import Home
    from orchestration.instance import prepare_dagster_home
    from sources.generator import generate

    ensure_dbt_manifest()
    generate(home / "landing", [2023], scale=0.001, seed=7, progress=False)
    prepare_dagster_home(Home.from_env())
    import dagster as dg

    # Create the instance's SQLite storage once: two first-time `dagster job launch` at the same
    # moment would race to create its schema (alembic "Can't locate revision" in one of them).
    with dg.DagsterInstance.get() as instance:
        instance.get_runs(limit=1)
    return home


def _dagster(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _launch(home: Path) -> subprocess.Popen:
    """``dagster job launch``: submits the run to the instance's run coordinator (the queue)."""
    return subprocess.Popen(
        [
            _dagster("dagster"),
            "job",
            "launch",
            "-m",
            "orchestration.definitions",
            "-j",
            "ingest",
            "--tags",
            '{"mutwh/test": "run-queue"}',
        ],
        cwd=REPO,
        env=mutwh_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _failures(instance, run_id: str) -> list[str]:
    """The error texts of failed steps (with their causes) and of a failed run."""
    texts = []
    for record in instance.all_logs(run_id):
        event = record.dagster_event if record.is_dagster_event else None
        error = getattr(getattr(event, "event_specific_data", None), "error", None)
        while error is not None:
            texts.append(f"{record.step_key or 'run'}: {error.message.strip()}")
            error = error.cause
    return texts


def _step_windows(instance, run_id: str) -> list[tuple[float, float, str]]:
    import dagster as dg

    started: dict[str, float] = {}
    windows = []
    for record in instance.all_logs(run_id):
        if not record.is_dagster_event:
            continue
        kind = record.dagster_event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            started[record.step_key] = record.timestamp
        elif kind in (dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE):
            windows.append((started[record.step_key], record.timestamp, f"{run_id[:8]}/{record.step_key}"))
    return windows


def test_two_runs_launched_at_once_queue_on_the_warehouse_pool(queued_home):
    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.instance import WAREHOUSE_POOL

    # every step of the ingest job opens the warehouse, so all of them must queue on its pool
    job = defs.resolve_job_def("ingest")
    assert {node.definition.pool for node in job.graph.node_dict.values()} == {WAREHOUSE_POOL}

    launches = [_launch(queued_home), _launch(queued_home)]
    for launch in launches:
        output, _ = launch.communicate(timeout=120)
        assert launch.returncode == 0, output[-3000:]

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"mutwh/test": "run-queue"}))
        assert [r.status for r in runs] == [dg.DagsterRunStatus.QUEUED] * 2, "both runs wait in the queue at once"

        daemon_log = queued_home / "daemon.log"
        with open(daemon_log, "w", encoding="utf-8") as log:
            daemon = subprocess.Popen(
                [_dagster("dagster-daemon"), "run", "-m", "orchestration.definitions"],
                cwd=REPO,
                env=mutwh_env(queued_home),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while True:
                runs = [instance.get_run_by_id(r.run_id) for r in runs]
                if all(r.is_finished for r in runs):
                    break
                assert daemon.poll() is None, f"dagster-daemon exited: {daemon_log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, (
                    f"runs not finished after {RUN_TIMEOUT_S} s: {[r.status for r in runs]}\n"
                    + daemon_log.read_text()[-3000:]
                )
                time.sleep(1)
        finally:
            stop_process_group(daemon, timeout=30)

        messages = [r.user_message or "" for run in runs for r in instance.all_logs(run.run_id)]
        failures = [text for run in runs for text in _failures(instance, run.run_id)]
        lock_errors = [text for text in failures + messages if any(lock in text for lock in LOCK_ERRORS)]
        assert not lock_errors, f"a step hit the DuckDB lock: {lock_errors[:3]}"
        assert [r.status for r in runs] == [dg.DagsterRunStatus.SUCCESS] * 2, failures[:5]

        windows = sorted(w for run in runs for w in _step_windows(instance, run.run_id))
        assert len(windows) == 2 * len(job.graph.node_dict)
        overlapping = [(a[2], b[2]) for a, b in itertools.pairwise(windows) if b[0] < a[1]]
        assert not overlapping, f"steps holding the warehouse ran at the same time: {overlapping}"
        # the runs themselves were in progress side by side: the pool, not the queue, kept them apart
        records = [instance.get_run_record_by_id(r.run_id) for r in runs]
        side_by_side = max(r.start_time for r in records) < min(r.end_time for r in records)
        blocked = any(
            f"blocked by limit for pool {WAREHOUSE_POOL}" in m or WAITING_FOR_WAREHOUSE in m for m in messages
        )
        assert blocked or not side_by_side, "runs overlapped but neither ever waited for the warehouse"
