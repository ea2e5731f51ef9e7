"""Load validated landing rows into the warehouse schema ``raw`` and rejected rows into quarantine.

Each run reloads a source from all files of its landing folder and swaps the table in one DuckDB
transaction, so re-ingesting a file never duplicates rows and a refused file leaves the previous
table untouched. Inside that transaction the new table is filled file by file as each file is
validated (memory holds one file's rows); rows a check across files rejects afterwards are deleted
again before the commit. INSZ never reach the database file: they are replaced by a keyed
HMAC-SHA256 pseudonym computed inside DuckDB while the accepted rows are copied from memory.

A crash at any point leaves either the previous or the new table (DuckDB replays only committed
transactions from its WAL) and a whole quarantine file (written aside, flushed, then renamed; a
stale hidden ``.quarantine.csv.tmp`` is overwritten by the next run), which reloads the source
from its landing files and so recovers without a manual step.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from sources.contract import RAW_SQL_TYPES, Source, raw_column_name, raw_schema
from sources.insz import PSEUDONYM_HEX_LENGTH, hmac_pads
from sources.loader import FILE_COL, ROW_COL, FileRefused, SourceValidation, validate_source

log = logging.getLogger(__name__)

RAW_SCHEMA = "raw"
QUARANTINE_FILE = "quarantine.csv"
_ACCEPTED_VIEW = "__mutwh_accepted_rows"
_REJECTED_VIEW = "__mutwh_rejected_rows"
_WITHDRAWN_VIEW = "__mutwh_withdrawn_rows"


class SourceRefused(Exception):
    """One or more files of a source cannot be parsed; nothing of the source was loaded."""

    def __init__(self, source: Source, refused: list[FileRefused]):
        lines = "\n".join(f"  - {r}" for r in refused)
        super().__init__(
            f"source '{source.name}': {len(refused)} file(s) refused, previously loaded data kept:\n{lines}"
        )
        self.refused = refused


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

    @property
    def reconciles(self) -> bool:
        return self.rows_in == self.rows_loaded + self.rows_quarantined


def _pseudonym_sql(column: str) -> str:
    return f"left(sha256($opad || unhex(sha256($ipad || {column}::blob))), {PSEUDONYM_HEX_LENGTH})"


def _load_select(source: Source) -> str:
    parts = []
    for col in source.columns:
        target = raw_column_name(col)
        if col.is_insz:
            expr = f"case when {col.name} is null then null else {_pseudonym_sql(col.name)} end"
        else:
            expr = f"cast({col.name} as {RAW_SQL_TYPES[col.kind]})"
        parts.append(f"{expr} as {target}")
    parts += [f"{FILE_COL}", f"cast({ROW_COL} as bigint) as {ROW_COL}"]
    return ",\n  ".join(parts)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Create an empty ``raw.<source>`` when missing, so dbt always finds its sources."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_schema(source))
    con.execute(f"create table if not exists {RAW_SCHEMA}.{source.name} ({columns})")


def ingest_source(
    landing_dir: Path, source: Source, con: duckdb.DuckDBPyConnection, quarantine_root: Path, key: bytes
) -> IngestResult:
    started = time.perf_counter()
    ipad, opad = hmac_pads(key)
    # DuckDB refuses unused parameters, so they are only passed where an INSZ column uses them.
    params = {"ipad": ipad, "opad": opad} if source.insz_columns else {}
    table = f"{RAW_SCHEMA}.{source.name}"
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_schema(source))

    def append(accepted: pl.DataFrame) -> None:
        """One file's accepted rows into the new table, pseudonymised on the way in. Registered by
        name rather than found by DuckDB's scan of the caller's variables, which only looks one frame
        up and so breaks as soon as the connection is wrapped."""
        con.register(_ACCEPTED_VIEW, accepted.to_arrow(compat_level=pl.CompatLevel.newest()))
        try:
            con.execute(
                f"insert into {table} by name\nselect\n  {_load_select(source)}\nfrom {_ACCEPTED_VIEW}\norder by {ROW_COL}",
                params,
            )
        finally:
            con.unregister(_ACCEPTED_VIEW)

    quarantine_dir = quarantine_root / source.name
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    quarantine_path = quarantine_dir / QUARANTINE_FILE
    tmp_quarantine = quarantine_dir / f".{QUARANTINE_FILE}.tmp"
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    # The table is rebuilt file by file inside one transaction: readers and a crash see either the
    # previous table or the whole new one, and memory holds one file's rows at a time.
    con.execute("begin transaction")
    try:
        con.execute(f"create or replace table {table} ({columns})")
        validation = validate_source(landing_dir, source, on_accepted=append)
        if validation.refused:
            raise SourceRefused(source, validation.refused)
        if not validation.withdrawn.is_empty():  # rejected by a check across files after loading
            con.register(_WITHDRAWN_VIEW, validation.withdrawn.to_arrow())
            try:
                con.execute(
                    f"delete from {table} using {_WITHDRAWN_VIEW} w "
                    f"where {table}.{FILE_COL} = w.{FILE_COL} and {table}.{ROW_COL} = w.{ROW_COL}"
                )
            finally:
                con.unregister(_WITHDRAWN_VIEW)
        _quarantine_frame(validation, con, params).write_csv(tmp_quarantine, separator=";")
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
        files=[p.name for p in validation.files],
        rows_in=validation.rows_in,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        quarantine_file=str(quarantine_path),
        seconds=round(time.perf_counter() - started, 3),
        warnings=validation.warnings,
        rejection_reasons=reasons,
    )
    log.info(
        "%s: %d rows in, %d loaded, %d quarantined (%.1fs)",
        source.name, result.rows_in, result.rows_loaded, result.rows_quarantined, result.seconds,
    )
    return result


def _flush_to_disk(path: Path) -> None:
    """fsync a file, or a directory after a rename, so that a power cut keeps what was written."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quarantine_frame(validation: SourceValidation, con: duckdb.DuckDBPyConnection, params: dict) -> pl.DataFrame:
    """Rejected rows with valid INSZ replaced by their pseudonym and invalid ones masked."""
    rejected = validation.rejected
    insz_cols = validation.source.insz_columns
    if rejected.is_empty() or not insz_cols:
        return rejected.select([c for c in rejected.columns if not c.startswith("__")])
    swaps = ", ".join(
        f"case when __valid_{c} then {_pseudonym_sql('__raw_' + c)} else {c} end as {c}" for c in insz_cols
    )
    con.register(_REJECTED_VIEW, rejected.to_arrow())
    try:
        frame = con.sql(f"select * replace ({swaps}) from {_REJECTED_VIEW}", params=params).pl()
    finally:
        con.unregister(_REJECTED_VIEW)
    return frame.select([c for c in frame.columns if not c.startswith("__")])


def _reason_counts(validation: SourceValidation) -> dict[str, int]:
    """How many rows were rejected per kind of problem (column and message, without the value)."""
    if validation.rejected.is_empty():
        return {}
    kinds = (
        validation.rejected.select(
            pl.col("reason").str.split("; ").list.first().str.replace(r" \(got .*\)$", "").str.replace(r": first seen in .*$", "")
        )
        .group_by("reason")
        .len()
        .sort("reason")
    )
    return dict(zip(kinds["reason"].to_list(), kinds["len"].to_list()))
