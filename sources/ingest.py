"""Load validated landing rows into the warehouse schema ``raw`` and rejected rows into quarantine.

Each run reloads a source from all files of its landing folder and swaps the table in one DuckDB
transaction, so re-ingesting a file never duplicates rows and a refused file leaves the previous
table untouched. Inside that transaction the new table is filled file by file as each file is
validated (memory holds one file's rows); rows a check across files rejects afterwards are deleted
again before the commit. INSZ never reach the database file: each file's accepted rows get the keyed
HMAC-SHA256 pseudonym (``sources.insz.Pseudonymiser``, once per distinct person) before DuckDB copies them.

A source that held rows and would now load none, or far fewer (an emptied or half-copied landing
folder), is blocked (``SourceShrunk``) and keeps its previous table, unless the operator allows it:
``mutwh run --allow-shrink <source>``, ``MUTWH_ALLOW_SHRINK=<source>,...|all``, or the asset's run
config ``allow_shrink: true``. The tolerated drop is ``MUTWH_MAX_SHRINK`` (default 0.5 = 50 %).

The files each load was computed from (name masked, SHA-256 of the bytes read, rows) are recorded
in ``raw._ingested_files`` in the same transaction, for the exports' manifest.

A crash at any point leaves either the previous or the new table (DuckDB replays only committed
transactions from its WAL) and a whole quarantine file (written aside, flushed, then renamed; a
stale hidden ``.quarantine.csv.tmp`` is overwritten by the next run), which reloads the source
from its landing files and so recovers without a manual step.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sources.contract import RAW_SQL_TYPES, Source, raw_column_name, raw_schema
from sources.insz import Pseudonymiser, shared_pseudonymiser
from sources.loader import FILE_COL, ROW_COL, FileRefused, SourceValidation, validate_source

ALLOW_SHRINK_ENV = "MUTWH_ALLOW_SHRINK"
MAX_SHRINK_ENV = "MUTWH_MAX_SHRINK"
DEFAULT_MAX_SHRINK = 0.5
FILES_TABLE = "_ingested_files"
# no load time: reloading the same files leaves the warehouse identical (the materialization has the time)
FILES_COLUMNS = (
    ("source", "varchar"),
    ("file", "varchar"),
    ("sha256", "varchar"),
    ("bytes", "bigint"),
    ("rows_in", "bigint"),
)

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
QUARANTINE_FILE = "quarantine.csv"
_ACCEPTED_VIEW = "__mutwh_accepted_rows"
# slices of fewer rows are gathered before they are pseudonymised and inserted (InOrderAppender)
APPEND_MIN_ROWS = 200_000
_WITHDRAWN_VIEW = "__mutwh_withdrawn_rows"


class SourceRefused(Exception):
    """One or more files of a source cannot be parsed; nothing of the source was loaded."""

    def __init__(self, source: Source, refused: list[FileRefused]):
        lines = "\n".join(f"  - {r}" for r in refused)
        super().__init__(
            f"source '{source.name}': {len(refused)} file(s) refused, previously loaded data kept:\n{lines}"
        )
        self.refused = refused


class SourceShrunk(Exception):
    """A source would lose all or too many of its rows; nothing of the new load was kept."""

    def __init__(self, source: Source, before: int, after: int, max_shrink: float):
        drop = "all" if after == 0 else f"{(before - after) / before:.0%}"
        super().__init__(
            f"source '{source.name}': would load {after} rows where raw.{source.name} holds {before} (a drop of {drop}; "
            f"more than {max_shrink:.0%} is blocked: an emptied or half-copied landing folder, or refused rows?); "
            f"previously loaded data kept. If the drop is intended, run `mutwh run --allow-shrink {source.name}` "
            f"(or set {ALLOW_SHRINK_ENV}={source.name}, or run config allow_shrink: true in the UI); the threshold is "
            f"{MAX_SHRINK_ENV} (now {max_shrink:g})"
        )
        self.before, self.after = before, after


def shrink_allowed(source: Source, allow: bool | None = None) -> bool:
    """``allow`` when given, else ``MUTWH_ALLOW_SHRINK`` (comma list of sources, or ``all``)."""
    if allow is not None:
        return allow
    names = {n.strip() for n in os.environ.get(ALLOW_SHRINK_ENV, "").split(",") if n.strip()}
    return "all" in names or source.name in names


def max_shrink() -> float:
    text = os.environ.get(MAX_SHRINK_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_SHRINK
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ValueError(f"{MAX_SHRINK_ENV}={text!r}: expected a fraction between 0 and 1, e.g. 0.5 for 50 %")
    return value


@dataclass
class IngestResult:
    source: str
    files: list[str]
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    quarantine_file: str
    seconds: float
    warnings: list[str] = field(default_factory=list)
    rejection_reasons: dict[str, int] = field(default_factory=dict)
    file_records: list[dict] = field(default_factory=list)

    @property
    def reconciles(self) -> bool:
        return self.rows_in == self.rows_loaded + self.rows_quarantined


def _load_select(source: Source) -> str:
    parts = [f"cast({col.name} as {RAW_SQL_TYPES[col.kind]}) as {raw_column_name(col)}" for col in source.columns]
    parts += [f"{FILE_COL}", f"cast({ROW_COL} as bigint) as {ROW_COL}"]
    return ",\n  ".join(parts)


def ensure_files_table(con) -> None:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in FILES_COLUMNS)
    con.execute(f"create table if not exists {RAW_SCHEMA}.{FILES_TABLE} ({columns})")


def _previous_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    schema, name = table.split(".")
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchall()[0][0]
    return con.sql(f"select count(*) from {table}").fetchall()[0][0] if exists else 0


def ingest_source(
    landing_dir: Path,
    source: Source,
    con: duckdb.DuckDBPyConnection,
    quarantine_root: Path,
    key: bytes,
    allow_shrink: bool | None = None,
    previous_rows: int | None = None,
) -> IngestResult:
    """Reload ``raw.<source>``. ``previous_rows`` is what the warehouse holds now when that is not
    ``con`` (PostgreSQL loads through an in-memory DuckDB); the shrink guard compares with it."""
    started = time.perf_counter()
    threshold = max_shrink()
    pseudonyms = shared_pseudonymiser(key)
    table = f"{RAW_SCHEMA}.{source.name}"
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_schema(source))

    def append(accepted: pl.DataFrame) -> None:
        """One slice's accepted rows into the new table, pseudonymised on the way in."""
        accepted = pseudonyms.replace(accepted, source.insz_columns)
        # in row order already (the loader and the pseudonym join keep it), which DuckDB's insert
        # keeps too (preserve_insertion_order): no sort of millions of rows per file
        _run_over_arrow(
            con,
            accepted.to_arrow(compat_level=pl.CompatLevel.newest()),
            _ACCEPTED_VIEW,
            f"insert into {table} by name\nselect\n  {_load_select(source)}\nfrom {_ACCEPTED_VIEW}",
        )

    quarantine_dir = quarantine_root / source.name
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    quarantine_path = quarantine_dir / QUARANTINE_FILE
    tmp_quarantine = quarantine_dir / f".{QUARANTINE_FILE}.tmp"
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    # The table is rebuilt file by file inside one transaction: readers and a crash see either the
    # previous table or the whole new one, and memory holds one file's rows at a time.
    con.execute("begin transaction")
    try:
        before = _previous_rows(con, table) if previous_rows is None else previous_rows
        con.execute(f"create or replace table {table} ({columns})")
        # each slice is inserted on a second thread while the next one is checked (both mostly
        # outside the GIL, in Polars and in DuckDB), in the order they were checked
        appender = InOrderAppender(append, min_rows=APPEND_MIN_ROWS)
        try:
            validation = validate_source(landing_dir, source, on_accepted=appender)
        except BaseException:
            appender.close(reraise=False)
            raise
        appender.close()
        if validation.refused:
            raise SourceRefused(source, validation.refused)
        if not validation.withdrawn.is_empty():  # rejected by a check across files after loading
            _run_over_arrow(
                con,
                validation.withdrawn.to_arrow(),
                _WITHDRAWN_VIEW,
                f"delete from {table} using {_WITHDRAWN_VIEW} w "
                f"where {table}.{FILE_COL} = w.{FILE_COL} and {table}.{ROW_COL} = w.{ROW_COL}",
            )
        after = con.sql(f"select count(*) from {table}").fetchall()[0][0]
        if before and (after == 0 or after < before * (1 - threshold)) and not shrink_allowed(source, allow_shrink):
            raise SourceShrunk(source, before, after, threshold)
        _record_files(con, source, validation.file_records)
        _quarantine_frame(validation, pseudonyms).write_csv(tmp_quarantine, separator=";")
        _flush_to_disk(tmp_quarantine)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        tmp_quarantine.unlink(missing_ok=True)
        raise
    os.replace(tmp_quarantine, quarantine_path)
    _flush_to_disk(quarantine_dir)

    rows_loaded = con.sql(f"select count(*) from {RAW_SCHEMA}.{source.name}").fetchall()[0][0]
    rows_quarantined = pl.scan_csv(quarantine_path, separator=";", infer_schema=False).select(pl.len()).collect().item()
    reasons = _reason_counts(validation)
    result = IngestResult(
        source=source.name,
        files=[r["file"] for r in validation.file_records],
        rows_in=validation.rows_in,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        quarantine_file=str(quarantine_path),
        seconds=round(time.perf_counter() - started, 3),
        warnings=validation.warnings,
        rejection_reasons=reasons,
        file_records=validation.file_records,
    )
    log.info(
        "%s: %d rows in, %d loaded, %d quarantined (%.1fs)",
        source.name,
        result.rows_in,
        result.rows_loaded,
        result.rows_quarantined,
        result.seconds,
    )
    return result


class InOrderAppender:
    """``append(frame)`` for each frame handed to it, one at a time and in order, on one worker
    thread, so that the caller can go on (checking the next slice) while the last one is inserted.
    At most one frame waits beside the one being appended, so memory holds a slice or two more than
    before, not the source. The worker's error is raised in the caller, by its next hand-over or by
    ``close``; frames handed over after an error are dropped (the caller's transaction is rolled
    back anyway). Only the worker uses the connection until ``close`` has returned.

    Frames smaller than ``min_rows`` are gathered, in order, until together they reach it (or
    ``close`` is called) and appended as one: a source of many small files (the monthly DMW
    exports, 37 files at every scale) then costs one pseudonym look-up and one insert, not one per
    file."""

    _DONE = object()

    def __init__(self, append: Callable[[pl.DataFrame], None], min_rows: int = 0):
        self._append = append
        self._min_rows = min_rows
        self._pending: list[pl.DataFrame] = []
        self._pending_rows = 0
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="mutwh-ingest-append", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (frame := self._queue.get()) is not self._DONE:
            if self._error is None:
                try:
                    self._append(frame)
                except BaseException as exc:  # raised in the caller's thread
                    self._error = exc
            del frame

    def __call__(self, frame: pl.DataFrame) -> None:
        self._raise()
        self._pending.append(frame)
        self._pending_rows += frame.height
        if self._pending_rows >= self._min_rows:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._pending:
            frames, self._pending, self._pending_rows = self._pending, [], 0
            self._queue.put(frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed"))

    def close(self, reraise: bool = True) -> None:
        """Wait until every frame handed over is appended; raise the worker's error if any.
        Without ``reraise`` (the caller's own error is on its way) gathered frames are dropped."""
        if reraise and self._error is None:
            self._hand_over()
        self._pending = []
        self._queue.put(self._DONE)
        self._thread.join()
        if reraise:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


def _run_over_arrow(con: duckdb.DuckDBPyConnection, rows, name: str, statement: str) -> None:
    """Run ``statement`` (an insert or delete) with the Arrow table ``rows`` readable as ``name``.

    The name is given explicitly, not found by DuckDB's scan of the caller's variables (which only
    looks one frame up and so breaks as soon as the connection is wrapped). Not ``con.register``:
    DuckDB keeps a registered object alive until the connection closes, even once unregistered, so
    every slice of a source stayed in memory (2 GiB of the 3.5 GiB peak of contributions at scale
    1.0); a relation over the table is freed with it."""
    con.from_arrow(rows).query(name, statement)


def _record_files(con: duckdb.DuckDBPyConnection, source: Source, records: list[dict]) -> None:
    """The files this load was computed from, replacing the source's previous list (same transaction)."""
    ensure_files_table(con)
    con.execute(f"delete from {RAW_SCHEMA}.{FILES_TABLE} where source = ?", [source.name])
    for r in records:
        con.execute(
            f"insert into {RAW_SCHEMA}.{FILES_TABLE} values (?, ?, ?, ?, ?)",
            [source.name, r["file"], r["sha256"], r["bytes"], r["rows_in"]],
        )


def ingested_files(con) -> list[dict]:
    """Every file behind the loaded raw tables: ``path`` (``<source>/<file>``, masked), ``sha256``
    taken while ingestion read it, ``rows_in``. Empty before the first load."""
    from mutwh.warehouse import is_missing_table_error

    try:
        rows = con.sql(f"select file, sha256, rows_in from {RAW_SCHEMA}.{FILES_TABLE} order by file").fetchall()
    except Exception as error:
        if is_missing_table_error(error):
            return []
        raise
    return [{"path": f, "sha256": h, "rows_in": n} for f, h, n in rows]


def _flush_to_disk(path: Path) -> None:
    """fsync a file, or a directory after a rename, so that a power cut keeps what was written."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quarantine_frame(validation: SourceValidation, pseudonyms: Pseudonymiser) -> pl.DataFrame:
    """Rejected rows with valid INSZ replaced by their pseudonym and invalid ones masked."""
    rejected = validation.rejected
    insz_cols = validation.source.insz_columns
    if not rejected.is_empty() and insz_cols:
        valid_only = [pl.when(pl.col(f"__valid_{c}")).then(pl.col(f"__raw_{c}")).alias(f"__raw_{c}") for c in insz_cols]
        rejected = pseudonyms.replace(rejected.with_columns(valid_only), [f"__raw_{c}" for c in insz_cols])
        rejected = rejected.with_columns(pl.coalesce(f"__raw_{c}", c).alias(c) for c in insz_cols)
    return rejected.select([c for c in rejected.columns if not c.startswith("__")])


def _reason_counts(validation: SourceValidation) -> dict[str, int]:
    """How many rows were rejected per kind of problem (column and message, without the value)."""
    if validation.rejected.is_empty():
        return {}
    kinds = (
        validation.rejected.select(
            pl.col("reason")
            .str.split("; ")
            .list.first()
            .str.replace(r" \(got .*\)$", "")
            .str.replace(r": first seen in .*$", "")
        )
        .group_by("reason")
        .len()
        .sort("reason")
    )
    return dict(zip(kinds["reason"].to_list(), kinds["len"].to_list()))
