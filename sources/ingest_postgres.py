"""Loading accepted landing rows into ``raw.<source>`` on PostgreSQL (``MUTWH_TARGET=postgres``).

The rows are computed exactly as for the DuckDB file — same validation, casts, HMAC pseudonyms
and lineage order — by ``ingest_source`` itself on an in-memory DuckDB database, so no raw INSZ
ever leaves this process and the pseudonyms are identical on both warehouses. They are then
streamed as CSV into COPY.

The swap is ``truncate`` + ``copy`` in one transaction rather than create-and-rename: PostgreSQL
binds the staging views to the table itself (its OID), so a renamed-away table would take the
views with it. TRUNCATE is transactional in PostgreSQL: until COMMIT readers see the previous rows,
and on any failure the rollback leaves them in place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv

from mutwh.warehouse import PostgresConnection
from sources.contract import Source, raw_schema
from sources.ingest import FILES_COLUMNS, FILES_TABLE, QUARANTINE_FILE, IngestResult, ingest_source

RAW_SCHEMA = "raw"
BATCH_ROWS = 200_000


def _create_sql(source: Source) -> str:
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in raw_schema(source))
    return f"create table if not exists {RAW_SCHEMA}.{source.name} ({columns})"


def _table_matches_contract(pg: PostgresConnection, source: Source) -> bool | None:
    """None when the table does not exist; False when its columns are not the contract's."""
    found = pg.sql(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        [RAW_SCHEMA, source.name],
    ).fetchall()
    if not found:
        return None
    return [c for (c,) in found] == [name for name, _ in raw_schema(source)]


def ensure_raw_table(pg: PostgresConnection, source: Source) -> None:
    """Create ``raw.<source>`` when missing (dbt always finds its sources); within the caller's
    transaction. A table left by an older contract is replaced (its views are rebuilt by dbt)."""
    pg.execute(f"create schema if not exists {RAW_SCHEMA}")
    if _table_matches_contract(pg, source) is False:
        pg.execute(f"drop table {RAW_SCHEMA}.{source.name} cascade")
    pg.execute(_create_sql(source))


def ensure_raw_schema(pg: PostgresConnection, source: Source) -> None:
    ensure_raw_table(pg, source)
    pg.commit()


def ingest_into_postgres(
    landing_dir: Path,
    source: Source,
    pg: PostgresConnection,
    quarantine_root: Path,
    key: bytes,
    allow_shrink: bool | None = None,
) -> IngestResult:
    """``sources.ingest.ingest_source`` with PostgreSQL as the warehouse.

    The DuckDB path runs unchanged on an in-memory database (validation, quarantine, casts, HMAC
    pseudonyms, lineage order), then its ``raw.<source>`` is copied to the server. When the copy
    fails, the server keeps its previous rows and the previous quarantine file is put back, so the
    two stay consistent."""
    quarantine_path = quarantine_root / source.name / QUARANTINE_FILE
    previous_quarantine = quarantine_path.read_bytes() if quarantine_path.exists() else None
    previous = _server_rows(pg, source)
    with duckdb.connect() as memory:
        result = ingest_source(
            landing_dir, source, memory, quarantine_root, key, allow_shrink=allow_shrink, previous_rows=previous
        )
        try:
            loaded = replace_raw_table(pg, source, memory)
        except BaseException:
            if previous_quarantine is None:
                quarantine_path.unlink(missing_ok=True)
            else:
                tmp = quarantine_path.with_name(f".{QUARANTINE_FILE}.restore")
                tmp.write_bytes(previous_quarantine)
                os.replace(tmp, quarantine_path)
            raise
    if loaded != result.rows_loaded:
        raise RuntimeError(f"raw.{source.name}: {result.rows_loaded} rows prepared but {loaded} loaded into PostgreSQL")
    return result


def _server_rows(pg: PostgresConnection, source: Source) -> int:
    if _table_matches_contract(pg, source) is None:
        return 0
    rows = pg.sql(f"select count(*) from {RAW_SCHEMA}.{source.name}").fetchall()[0][0]
    pg.commit()
    return rows


def _replace_file_records(pg: PostgresConnection, source: Source, con: duckdb.DuckDBPyConnection) -> None:
    """The source's rows of ``raw._ingested_files``, inside the caller's transaction."""
    columns = ", ".join(f"{name} {sql_type}" for name, sql_type in FILES_COLUMNS)
    pg.execute(f"create table if not exists {RAW_SCHEMA}.{FILES_TABLE} ({columns})")
    pg.execute(f"delete from {RAW_SCHEMA}.{FILES_TABLE} where source = ?", [source.name])
    names = [name for name, _ in FILES_COLUMNS]
    for row in con.execute(
        f"select {', '.join(names)} from {RAW_SCHEMA}.{FILES_TABLE} where source = ?", [source.name]
    ).fetchall():
        pg.execute(
            f"insert into {RAW_SCHEMA}.{FILES_TABLE} ({', '.join(names)}) values ({', '.join('?' * len(names))})",
            list(row),
        )


def replace_raw_table(pg: PostgresConnection, source: Source, con: duckdb.DuckDBPyConnection) -> int:
    """Replace ``raw.<source>`` on the server by ``raw.<source>`` of the DuckDB ``con`` in one
    transaction; returns the number of rows on the server after the copy."""
    columns = [name for name, _ in raw_schema(source)]
    reader = con.sql(f"select {', '.join(columns)} from {RAW_SCHEMA}.{source.name}").to_arrow_reader(BATCH_ROWS)
    with tempfile.TemporaryFile() as spool:
        # Arrow quotes every string and leaves nulls unquoted-empty: PostgreSQL's CSV null convention.
        with pacsv.CSVWriter(spool, reader.schema, write_options=pacsv.WriteOptions(include_header=False)) as writer:
            for batch in reader:
                writer.write_batch(batch)
        spool.seek(0)
        try:
            ensure_raw_table(pg, source)
            pg.execute(f"truncate table {RAW_SCHEMA}.{source.name}")
            pg.copy_csv(f"copy {RAW_SCHEMA}.{source.name} ({', '.join(columns)}) from stdin with (format csv)", spool)
            rows = pg.sql(f"select count(*) from {RAW_SCHEMA}.{source.name}").fetchall()[0][0]
            _replace_file_records(pg, source, con)
            pg.commit()
        except BaseException:
            pg.rollback()
            raise
    return rows
