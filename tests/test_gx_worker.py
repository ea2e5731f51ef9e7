"""Great Expectations in its worker process (orchestration/quality/gx_worker.py): the same results as
in the run's own process, an unused worker that goes away, a failure that says why, and no worker
left behind by a run that was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import pytest
from test_gx_suites import clean_rows, make_warehouse

from mutwh.home import Home
from orchestration.keys import GX_CHECK, raw_key
from orchestration.quality import gx_worker
from orchestration.quality.gx_suites import run_suites
from orchestration.quality.gx_worker import SAMPLES_DIR, GxWorker, GxWorkerError
from orchestration.resources import GxResource, _sources_validated_by
from sources.contract import SOURCES

REPO = Path(__file__).resolve().parent.parent


def _without_timing(results: list[dict]) -> list[dict]:
    return [{k: v for k, v in result.items() if k not in ("seconds", "data_docs")} for result in results]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_the_worker_answers_as_the_suites_do_in_process(tmp_path):
    rows = clean_rows(SOURCES["members"], 30)
    rows[3]["sex"] = "Q"
    db = make_warehouse(tmp_path, "members", rows)
    in_process = run_suites(["members"], db, tmp_path / "gx_here")
    in_worker = GxWorker.start().run_suites(["members"], db, tmp_path / "gx_there")
    assert _without_timing(in_worker) == _without_timing(in_process)
    assert in_worker[0]["success"] is False and in_worker[0]["failed"]
    assert Path(in_worker[0]["data_docs"]).is_file()


def test_the_resource_starts_its_worker_when_the_run_sets_it_up(tmp_path):
    db = make_warehouse(tmp_path, "finance_ledger", clean_rows(SOURCES["finance_ledger"], 5))
    resource = GxResource()
    resource.setup_for_execution(dg.build_init_resource_context())
    worker = resource._worker
    assert worker is not None and worker.pid != os.getpid() and _alive(worker.pid)
    try:
        [result] = resource.run_suites(["finance_ledger"], db, tmp_path / "gx")
    finally:
        resource.teardown_after_execution(dg.build_init_resource_context())
    assert result["success"] is True and result["rows_validated"] == 5
    assert resource._worker is None and not _alive(worker.pid)  # it answered once and ended


def test_a_table_handed_over_when_loaded_is_validated_from_that_sample(tmp_path):
    """Ingestion hands the worker each table's sample as soon as it is loaded; the gx_suites step
    then gets the results of those samples and reads only the tables it was not handed."""
    bad = clean_rows(SOURCES["members"], 30)
    bad[3]["sex"] = "Q"
    make_warehouse(tmp_path, "members", bad)
    resource = GxResource()
    resource.setup_for_execution(dg.build_init_resource_context())
    try:
        resource.table_loaded("members", Home(tmp_path))
        samples = tmp_path / "gx" / SAMPLES_DIR
        # the table changes after the hand-over: what was handed over is what gets validated
        with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
            con.sql("drop table raw.members")
        make_warehouse(tmp_path, "finance_ledger", clean_rows(SOURCES["finance_ledger"], 4))
        members, ledger = resource.run_suites(
            ["members", "finance_ledger"], tmp_path / "warehouse.duckdb", tmp_path / "gx"
        )
    finally:
        resource.teardown_after_execution(dg.build_init_resource_context())
    assert members["success"] is False and members["rows_validated"] == 30
    assert members["failed"][0]["column"] == "sex"
    assert ledger["success"] is True and ledger["rows_validated"] == 4
    assert not samples.exists()  # the worker deleted what it read; the rest went with it


def test_a_run_takes_the_worker_started_ahead_of_it(tmp_path):
    """``mutwh run`` starts the worker before it imports Dagster (``prestart``): the run's resource
    takes that one instead of starting a second, and a worker no run took is let go."""
    db = make_warehouse(tmp_path, "finance_ledger", clean_rows(SOURCES["finance_ledger"], 5))
    gx_worker.prestart()
    ahead = gx_worker._prestarted
    assert ahead is not None and _alive(ahead.pid)
    resource = GxResource()
    resource.setup_for_execution(dg.build_init_resource_context())
    try:
        assert resource._worker is ahead and gx_worker._prestarted is None
        [result] = resource.run_suites(["finance_ledger"], db, tmp_path / "gx")
    finally:
        resource.teardown_after_execution(dg.build_init_resource_context())
    assert result["success"] is True and not _alive(ahead.pid)

    gx_worker.prestart()
    unused = gx_worker._prestarted
    gx_worker.close_prestarted()
    assert gx_worker._prestarted is None and not _alive(unused.pid)


def test_a_worker_started_ahead_that_died_is_replaced(tmp_path):
    gx_worker.prestart()
    dead = gx_worker._prestarted
    os.kill(dead.pid, signal.SIGKILL)
    dead._process.wait()
    resource = GxResource()
    resource.setup_for_execution(dg.build_init_resource_context())
    try:
        assert resource._worker is not None and resource._worker is not dead and _alive(resource._worker.pid)
    finally:
        resource.teardown_after_execution(dg.build_init_resource_context())


def test_the_worker_validates_the_sources_whose_gx_check_the_run_evaluates():
    def run(*checks: dg.AssetCheckKey) -> dg.DagsterRun:
        return dg.DagsterRun(job_name="a_job", asset_check_selection=frozenset(checks))

    assert _sources_validated_by(None) == set(SOURCES)  # outside a run: any may be asked for
    assert _sources_validated_by(dg.DagsterRun(job_name="a_job")) == set(SOURCES)  # the whole job
    members_gx = dg.AssetCheckKey(raw_key("members"), GX_CHECK)
    reconcile = dg.AssetCheckKey(raw_key("vt_periods"), "rows_reconcile")
    assert _sources_validated_by(run(members_gx, reconcile)) == {"members"}
    assert _sources_validated_by(run(reconcile)) == set()


def test_a_run_without_gx_checks_starts_no_worker():
    resource = GxResource()
    run = dg.DagsterRun(job_name="ingest_only", asset_check_selection=frozenset())
    resource.setup_for_execution(SimpleNamespace(run=run))
    assert resource._worker is None
    resource.table_loaded("members", Home(Path("/nonexistent")))  # nothing to hand to: no error


def test_an_unused_worker_ends_when_the_run_lets_it_go():
    worker = GxWorker.start()
    started = time.monotonic()
    worker.close()
    assert not _alive(worker.pid)
    assert time.monotonic() - started < 10


def test_a_worker_that_fails_says_why(tmp_path):
    with pytest.raises(GxWorkerError, match="warehouse not found"):
        GxWorker.start().run_suites(["members"], tmp_path / "absent.duckdb", tmp_path / "gx")


def test_a_worker_does_not_outlive_a_killed_run(tmp_path):
    """A run killed with SIGKILL cannot stop its children; the worker must not stay behind (it
    would hold the warehouse open read-only, and the next run's writers wait for that)."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; from orchestration.quality.gx_worker import GxWorker; "
            "print(GxWorker.start().pid, flush=True); time.sleep(600)",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    worker_pid = int(parent.stdout.readline())
    assert _alive(worker_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker_pid)


def test_a_table_handed_over_twice_is_validated_as_last_handed(tmp_path):
    from orchestration.quality.gx_suites import DEFAULT_MAX_ROWS, SuiteRunner, read_raw_table

    bad = clean_rows(SOURCES["members"], 10)
    bad[3]["sex"] = "Q"
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = read_raw_table("members", make_warehouse(tmp_path / "one", "members", bad))
    second = read_raw_table("members", make_warehouse(tmp_path / "two", "members", clean_rows(SOURCES["members"], 12)))
    runner = SuiteRunner(tmp_path / "gx")
    runner.validate("members", *first, DEFAULT_MAX_ROWS, 0)
    runner.validate("members", *second, DEFAULT_MAX_ROWS, 0)
    [result] = runner.finish(["members"], tmp_path / "absent.duckdb")
    assert result["success"] is True and result["rows_validated"] == 12
    assert len(list((tmp_path / "gx" / "validations" / "raw_members").rglob("*.json"))) == 1


def test_a_sample_carries_the_size_and_seed_it_was_taken_with(tmp_path):
    """The stored validation (and so its Data Docs page) names the sample that was validated: the
    size and seed travel with it to the worker, not assumed there."""
    from orchestration.quality.gx_suites import read_raw_table

    db = make_warehouse(tmp_path, "finance_ledger", clean_rows(SOURCES["finance_ledger"], 4))
    worker = GxWorker.start()
    arrow, rows_in_table, sampled = read_raw_table("finance_ledger", db, 3, 7)
    assert sampled and arrow.num_rows == 3
    worker.hand_sample("finance_ledger", tmp_path / "gx", arrow, rows_in_table, sampled, 3, 7)
    [result] = worker.run_suites(["finance_ledger"], db, tmp_path / "gx")
    assert result["rows_validated"] == 3 and result["rows_in_table"] == 4
    stored = [p.read_text(encoding="utf-8") for p in (tmp_path / "gx").rglob("*.json")]
    assert any("reservoir(3 rows) repeatable (7)" in text for text in stored)
