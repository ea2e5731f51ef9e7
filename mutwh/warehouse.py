"""Which warehouse the product writes to and reads from: the embedded DuckDB file (default) or a
shared PostgreSQL server (``MUTWH_TARGET=postgres``, libpq's ``PGHOST``/``PGPORT``/``PGUSER``/
``PGPASSWORD``/``PGDATABASE``; README "PostgreSQL").

Exports, dashboards and checks talk to a connection through the DuckDB shape they already use:
``con.sql(query, params=[...])`` returning something with ``.columns``, ``.fetchall()`` and
``.pl()``, with ``?`` placeholders. On DuckDB that is the DuckDB connection itself (nothing in
between, so nothing gets slower); on PostgreSQL it is ``PostgresConnection`` below, which rewrites
the placeholders to psycopg's ``%s``.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mutwh.home import Home

log = logging.getLogger(__name__)

TARGET_ENV = "MUTWH_TARGET"
DUCKDB, POSTGRES, SPARK = "duckdb", "postgres", "spark"
TARGETS = (DUCKDB, POSTGRES, SPARK)
# DuckDB's buffer pool may grow to 80 % of the machine by default: at scale 1.0 the dbt build alone
# reached 14 GiB. Capped, DuckDB spills joins, sorts and aggregates to ``<warehouse>.duckdb.tmp/``
# (under MUTWH_HOME) instead. dbt's profile reads the same variable with the same default.
DUCKDB_MEMORY_ENV = "MUTWH_DUCKDB_MEMORY_LIMIT"
DUCKDB_MEMORY_DEFAULT = "2GB"
# DuckDB lets either one writing process or any number of read-only ones open the file, so an
# analyst's read-only session holds up every writer. A run that finds the file held waits this
# long, saying who holds it, before it fails (README "Querying the warehouse without blocking runs").
LOCK_TIMEOUT_ENV = "MUTWH_LOCK_TIMEOUT"
LOCK_TIMEOUT_DEFAULT = 300.0
LOCK_POLL_SECONDS = 1.0


def duckdb_config() -> dict[str, str]:
    """Settings of every connection the product opens on the DuckDB warehouse."""
    return {"memory_limit": os.environ.get(DUCKDB_MEMORY_ENV) or DUCKDB_MEMORY_DEFAULT}


@contextmanager
def connect_warehouse(home: Home, read_only: bool = False) -> Iterator:
    """The active warehouse: the DuckDB file under ``home`` (writers one at a time, readers
    read-only), or with ``MUTWH_TARGET=postgres`` a ``PostgresConnection``; with
    ``MUTWH_TARGET=spark`` writers get the ingestion's DuckDB file and readers Spark's tables
    (``mutwh.spark``). Dagster's warehouse
    resource and the benchmark's stages both open it here."""
    if is_postgres():
        con = connect_postgres(read_only=read_only)
        try:
            yield con
        finally:
            con.close()
        return
    if read_only and is_spark():
        from mutwh.spark import spark_reader

        con = spark_reader(home)
        try:
            yield con
        finally:
            con.close()
        return

    path = home.warehouse
    path.parent.mkdir(parents=True, exist_ok=True)
    if read_only and not path.exists():
        open_duckdb(path).close()
    con = open_duckdb(path, read_only=read_only)
    try:
        con.execute("set enable_progress_bar = false")
        yield con
    finally:
        con.close()


WAITING_FOR_WAREHOUSE = "the warehouse is held by another run: waiting for it to finish"
# Steps of this process that hold the warehouse now, by lock file: a step inside a step (an
# in-process run started from a step) must not wait for its own process.
_STEP_LOCKS: dict[Path, int] = {}


@contextmanager
def holding_warehouse(home: Home, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """One run at a time on the warehouse, across every process of this ``home``.

    Dagster's ``warehouse`` pool queues the steps, but on the SQLite instance storage two runs that
    claim its one slot at the same moment can both be given it (the storage counts the free slots,
    then assigns, without a lock). This lock, an ``flock`` on ``warehouse.steps.lock``, is the
    guarantee: ``WarehouseResource`` takes it when a run (in-process executor: once per run; a
    process per step: once per step) initialises it, before the first step starts, and lets go
    after the last one ends; the kernel releases it when the process ends, even killed.
    Reentrant within one process.
    """
    path = home.root / "warehouse.steps.lock"
    if _STEP_LOCKS.get(path):
        _STEP_LOCKS[path] += 1
        try:
            yield
        finally:
            _STEP_LOCKS[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            (say or log.info)(WAITING_FOR_WAREHOUSE)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _STEP_LOCKS[path] = 1
        try:
            yield
        finally:
            del _STEP_LOCKS[path]
            fcntl.flock(handle, fcntl.LOCK_UN)


class WarehouseLockedError(RuntimeError):
    """The DuckDB file stayed held by another process for longer than ``MUTWH_LOCK_TIMEOUT``."""


def lock_timeout() -> float:
    value = os.environ.get(LOCK_TIMEOUT_ENV)
    try:
        return float(value) if value else LOCK_TIMEOUT_DEFAULT
    except ValueError:
        raise WarehouseConfigError(f"{LOCK_TIMEOUT_ENV}={value!r}: expected a number of seconds") from None


def describe_process(pid: int) -> str:
    """``PID 4242 (python3 analysis.py)``: the command line on one line, from /proc when it is
    there, INSZ-like numbers masked (an analyst's arguments are not ours to log)."""
    from sources.loader import redact_insz

    try:
        command = " ".join(
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
        )
    except OSError:
        command = ""
    return f"PID {pid} ({redact_insz(command)[:240]})" if command else f"PID {pid}"


def lock_holder(error: BaseException) -> str:
    """Who holds the file, from DuckDB's "Conflicting lock is held in <program> (PID n)"."""
    match = re.search(r"\(PID (\d+)\)", str(error))
    return describe_process(int(match.group(1))) if match else "another process"


def is_lock_error(error: BaseException) -> bool:
    import duckdb

    return isinstance(error, duckdb.IOException) and "lock" in str(error).lower()


def open_duckdb(
    path: Path,
    read_only: bool = False,
    timeout: float | None = None,
    say: Callable[[str], None] | None = None,
):
    """A DuckDB connection to ``path`` with the product's settings. While another process holds
    the file (an analyst's session, an orphaned dbt), wait up to ``timeout`` seconds (default
    ``MUTWH_LOCK_TIMEOUT``), saying once which process it waits for, then raise
    ``WarehouseLockedError`` naming the file, the process and what to do."""
    import duckdb

    timeout = lock_timeout() if timeout is None else timeout
    say = say or log.warning
    deadline = time.monotonic() + timeout
    announced = None
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=duckdb_config())
        except duckdb.IOException as error:
            if not is_lock_error(error):
                raise
            holder = lock_holder(error)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WarehouseLockedError(
                    f"{path} is held open by {holder}, still after {timeout:g} s ({LOCK_TIMEOUT_ENV}); "
                    "DuckDB lets no process write the file while another one has it open, even read-only. "
                    "Close that connection (a notebook, a `duckdb` shell, a BI tool) or let it finish, then "
                    'run again; this step did not change the warehouse. README: "Querying the warehouse '
                    'without blocking runs".'
                ) from None
            if holder != announced:
                say(f"{path} is held open by {holder}: waiting up to {remaining:.0f} s for it to close")
                announced = holder
            time.sleep(min(LOCK_POLL_SECONDS, remaining))


def wait_until_writable(home: Home, say: Callable[[str], None] | None = None) -> None:
    """Before a process that opens the DuckDB file itself (dbt) starts: wait, as ``open_duckdb``
    does, until no other process holds the file."""
    if is_postgres():
        return
    home.warehouse.parent.mkdir(parents=True, exist_ok=True)
    open_duckdb(home.warehouse, say=say).close()


class WarehouseConfigError(ValueError):
    """``MUTWH_TARGET`` names no known warehouse (a configuration error, exit code 2)."""


def active_target() -> str:
    """``duckdb`` unless ``MUTWH_TARGET`` says otherwise; dbt's profile reads the same variable."""
    value = (os.environ.get(TARGET_ENV) or DUCKDB).strip().lower()
    if value not in TARGETS:
        raise WarehouseConfigError(f"{TARGET_ENV}={value!r}: expected one of {', '.join(TARGETS)}")
    return value


def is_postgres() -> bool:
    return active_target() == POSTGRES


def is_spark() -> bool:
    return active_target() == SPARK


def to_pyformat(query: str) -> str:
    """DuckDB's ``?`` placeholders as psycopg's ``%s`` (and literal ``%`` doubled), outside quotes."""
    out, quote = [], None
    for char in query:
        if quote:
            if char == quote:
                quote = None
            out.append("%%" if char == "%" else char)
        elif char in ("'", '"'):
            quote = char
            out.append(char)
        elif char == "?":
            out.append("%s")
        elif char == "%":
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


@dataclass
class PostgresResult:
    """A fetched result in the shape of a DuckDB relation: ``columns``, ``fetchall()``, ``pl()``."""

    columns: list[str]
    rows: list[tuple]

    def fetchall(self) -> list[tuple]:
        return list(self.rows)

    def fetchone(self) -> tuple | None:
        return self.rows[0] if self.rows else None

    def pl(self):
        import polars as pl

        if not self.rows:
            return pl.DataFrame(schema=self.columns)
        return pl.DataFrame(self.rows, schema=self.columns, orient="row", infer_schema_length=None)


class PostgresConnection:
    """A psycopg2 connection with the DuckDB-style ``sql``/``execute`` that the product uses."""

    def __init__(self, raw, read_only: bool = False):
        self.raw = raw
        self.read_only = read_only

    def sql(self, query: str, params: Sequence | None = None) -> PostgresResult:
        with self.raw.cursor() as cur:
            if params:
                cur.execute(to_pyformat(query), list(params))
            else:
                cur.execute(query)
            columns = [d.name for d in cur.description] if cur.description else []
            rows = cur.fetchall() if cur.description else []
        return PostgresResult(columns, rows)

    def execute(self, query: str, params: Sequence | None = None) -> PostgresConnection:
        with self.raw.cursor() as cur:
            cur.execute(to_pyformat(query) if params else query, list(params) if params else None)
        return self

    def copy_csv(self, statement: str, data: io.IOBase) -> None:
        with self.raw.cursor() as cur:
            cur.copy_expert(statement, data)

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()

    def close(self) -> None:
        self.raw.close()


def connect_postgres(read_only: bool = False) -> PostgresConnection:
    """A connection to the server named by libpq's PG* variables (psycopg2/libpq read them).

    Readers get a read-only session in autocommit, so a long export never holds a transaction open;
    the writer (ingestion) commits explicitly."""
    import psycopg2

    try:
        raw = psycopg2.connect(application_name="mutwh")
    except psycopg2.OperationalError as error:
        where = f"{os.environ.get('PGHOST', 'localhost')}:{os.environ.get('PGPORT', '5432')}"
        raise WarehouseConfigError(
            f"MUTWH_TARGET=postgres but the PostgreSQL server at {where} "
            f"(database {os.environ.get('PGDATABASE', '<PGUSER>')}) cannot be reached: {str(error).strip()}"
        ) from None
    if read_only:
        raw.set_session(readonly=True, autocommit=True)
    return PostgresConnection(raw, read_only)


def check_warehouse() -> str:
    """The active target, after checking that it can be used (PostgreSQL: the server answers;
    Spark: dbt-spark is installed, and for a local session a Java runtime is found)."""
    target = active_target()
    if target == POSTGRES:
        connect_postgres(read_only=True).close()
    if target == SPARK:
        from mutwh.spark import check_spark

        check_spark()
    return target


def is_missing_table_error(error: BaseException) -> bool:
    """A query on a table that does not exist (yet), on either warehouse."""
    import duckdb

    if isinstance(error, duckdb.CatalogException):
        return True
    try:
        import psycopg2.errors

        return isinstance(error, psycopg2.errors.UndefinedTable)
    except ImportError:  # pragma: no cover
        return False
