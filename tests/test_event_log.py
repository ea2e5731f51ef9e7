"""The pooled SQLite event log (orchestration/event_log.py): same files as Dagster's own storage, and
the run's database file (what the UI's watcher follows) kept up to date while a run is going."""

from __future__ import annotations

import sqlite3
import time

import pytest
from dagster._core.events import DagsterEvent, DagsterEventType, EngineEventData
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.event_log import CHECKPOINT_SECONDS, PooledSqliteEventLogStorage
from orchestration.instance import DAGSTER_YAML

RUN_ID = "0f0f0f0f-0000-4000-8000-000000000001"


def _event(event_type: DagsterEventType, message: str) -> EventLogEntry:
    data = EngineEventData() if event_type == DagsterEventType.ENGINE_EVENT else None
    return EventLogEntry(
        error_info=None,
        level=20,
        user_message=message,
        run_id=RUN_ID,
        timestamp=time.time(),
        dagster_event=DagsterEvent(event_type.value, "ingest", event_specific_data=data),
    )


def _messages_in_file(base_dir) -> list[str]:
    """What a reader of the database file alone sees, without the write-ahead log (as the
    watcher's trigger does: it fires on changes of the ``.db`` file)."""
    path = base_dir / f"{RUN_ID}.db"
    con = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        return [row[0] for row in con.execute("select event from event_logs order by id")]
    finally:
        con.close()


@pytest.fixture
def storage(tmp_path):
    storage = PooledSqliteEventLogStorage(str(tmp_path))
    yield storage
    storage.dispose()


def test_dagster_yaml_names_the_pooled_storage():
    assert "class: PooledSqliteEventLogStorage" in DAGSTER_YAML
    assert "module: orchestration.event_log" in DAGSTER_YAML


def test_dagsters_own_storage_reads_what_it_wrote(storage, tmp_path):
    for n in range(5):
        storage.store_event(_event(DagsterEventType.ENGINE_EVENT, f"event {n}"))
    stock = SqliteEventLogStorage(str(tmp_path))
    try:
        records = stock.get_records_for_run(RUN_ID).records
    finally:
        stock.dispose()
    assert [r.event_log_entry.user_message for r in records] == [f"event {n}" for n in range(5)]


def test_the_database_file_follows_within_the_checkpoint_interval(storage, tmp_path):
    storage.store_event(_event(DagsterEventType.ENGINE_EVENT, "first"))
    time.sleep(CHECKPOINT_SECONDS + 0.1)
    storage.store_event(_event(DagsterEventType.ENGINE_EVENT, "second"))
    assert len(_messages_in_file(tmp_path)) == 2


def test_a_finished_run_is_wholly_in_its_database_file(storage, tmp_path):
    storage.store_event(_event(DagsterEventType.ENGINE_EVENT, "first"))
    storage.store_event(_event(DagsterEventType.ENGINE_EVENT, "second"))
    storage.store_event(_event(DagsterEventType.RUN_SUCCESS, "done"))
    assert len(_messages_in_file(tmp_path)) == 3
    assert RUN_ID not in storage._engines  # the run's database is let go
    storage.store_event(_event(DagsterEventType.ENGINE_EVENT, "after the end"))  # opened again if needed
    assert len(storage.get_records_for_run(RUN_ID).records) == 4
