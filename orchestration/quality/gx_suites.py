"""Great Expectations suites for the raw tables, derived from the landing-zone contract (SPEC §4, §8).

GX is the independent second opinion on what ingestion loaded, not the full-volume gate: ingestion
(Polars) and dbt tests check every row. GX 1.x has no Polars engine and its DuckDB/SQLAlchemy path
fails in metric resolution, so a suite runs on pandas, and on a deterministic reservoir sample of
``max_rows`` rows when the table is larger (STYLE.md pitfalls). Measured with ``bench_gx.py`` on
the 2-core machine: a whole 5 M-row ``raw.contributions`` takes ~35 s, a 200 k sample of it ~2 s,
and all 15 tables at full-scale sizes ~16 s plus ~4 s to import GX once per process.

Each run writes one Data Docs site under ``gx_dir``: GX's HTML pages for the suite and the
validation, stripped of the CDN ``<script>``/``<link>`` tags GX puts in them, and a static
``index.html`` written here, because GX's own index builds its table with jQuery and
bootstrap-table loaded from CDNs and is empty without network. Only the latest validation per
suite is kept; the history lives in the Dagster asset-check metadata.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import time
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mutwh.warehouse import open_duckdb
from sources.contract import MAX_DATE, MIN_DATE, SOURCES, Source, raw_column_name, raw_schema

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd
    import pyarrow as pa

SUITE_PREFIX = "raw_"
PSEUDONYM_REGEX = r"^[0-9a-f]{32}$"
# Above ~100 k rows GX's pandas cost grows linearly (~0.8 s per 100 k for raw.contributions);
# below it the fixed cost (context, sampling scan, Data Docs) dominates. 200 k keeps all 15 tables
# at ~16 s (100 k: ~14 s) while a defect in 1 row of 100 000 is still seen with 86% probability.
DEFAULT_MAX_ROWS = 200_000
PARTIAL_UNEXPECTED_COUNT = 5
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_UNEXPECTED_COUNT}
SITE_NAME = "local_site"
DATA_DOCS_DIR = "data_docs"
VALIDATIONS_DIR = "validations"
LINEAGE_ORDER = ("_source_file", "_source_row")
# Keys of an expectation result that hold row values (SUMMARY fills the partial ones).
_VALUE_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
)


def suite_name(source: Source | str) -> str:
    """``raw_<source>``: one suite per raw table."""
    return SUITE_PREFIX + (source if isinstance(source, str) else source.name)


def _source(source: Source | str) -> Source:
    if isinstance(source, Source):
        return source
    try:
        return SOURCES[source]
    except KeyError:
        raise KeyError(f"unknown source {source!r}; expected one of {sorted(SOURCES)}") from None


def _import_gx():
    """Import GX with its analytics off: the warehouse has no network at run time."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def warm_up() -> None:
    """Import ahead of time what ``run_suites`` needs (``orchestration.quality.gx_worker`` does it
    while ingestion runs): GX with its expectations and renderers (~4 s), and DuckDB."""
    _import_gx()
    import duckdb  # noqa: F401
    import great_expectations.expectations
    import great_expectations.render.renderer  # noqa: F401


def _person_columns(source: Source) -> list[str]:
    return [raw_column_name(c) for c in source.columns if c.is_insz]


def build_suite(source: Source | str) -> gx.ExpectationSuite:
    """The suite ``raw_<source>``, written from the contract so it cannot drift from ingestion.

    Table: the columns of ``raw_schema`` in order. Per column: not null when required or part of
    the key, unique for a single-column key, codes in their set, numbers and dates in range,
    pseudonyms 32 lowercase hex characters. Then the compound key, each ``date_order`` pair and
    each ``null_when`` rule (a column empty exactly for some codes of another column).
    """
    gx = _import_gx()
    import great_expectations.expectations as gxe

    source = _source(source)
    key = [raw_column_name(source.column(k)) for k in source.key]
    expectations: list = [
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=[name for name, _ in raw_schema(source)]),
    ]
    for column in source.columns:
        name = raw_column_name(column)
        if column.required or name in key:
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=name))
        if key == [name]:
            expectations.append(gxe.ExpectColumnValuesToBeUnique(column=name))
        if column.codes:
            expectations.append(gxe.ExpectColumnValuesToBeInSet(column=name, value_set=list(column.codes)))
        if column.min_value is not None or column.max_value is not None:
            expectations.append(
                gxe.ExpectColumnValuesToBeBetween(column=name, min_value=column.min_value, max_value=column.max_value)
            )
        if column.kind in ("date", "month"):
            expectations.append(gxe.ExpectColumnValuesToBeBetween(column=name, min_value=MIN_DATE, max_value=MAX_DATE))
        if column.is_insz:
            expectations.append(gxe.ExpectColumnValuesToMatchRegex(column=name, regex=PSEUDONYM_REGEX))
    if len(key) > 1:
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=key))
    for start, end in source.date_order:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=raw_column_name(source.column(end)),
                column_B=raw_column_name(source.column(start)),
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            )
        )
    if source.null_when:
        from great_expectations.expectations.row_conditions import Column as RowColumn

        for rule in source.null_when:
            name, when = raw_column_name(source.column(rule.column)), raw_column_name(source.column(rule.when_column))
            expectations.append(
                gxe.ExpectColumnValuesToBeNull(column=name, row_condition=RowColumn(when).is_in(list(rule.codes)))
            )
            expectations.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=name, row_condition=RowColumn(when).is_not_in(list(rule.codes))
                )
            )
    return gx.ExpectationSuite(name=suite_name(source), expectations=expectations)


def read_raw_table(
    source_name: str, duckdb_path: Path, max_rows: int = DEFAULT_MAX_ROWS, seed: int = 0, con=None
) -> tuple[pa.Table, int, bool]:
    """``raw.<source>`` as Arrow: the whole table up to ``max_rows`` rows, else a repeatable sample.

    Rows come in lineage order (file, row) so that the unexpected values GX quotes are stable.
    ``con``: an open DuckDB connection to ``duckdb_path`` to read through (an ingestion step's,
    which saves opening the file again: ~70 ms a source), else the file is opened read-only.
    Returns (table, rows in the table, sampled).
    """
    from mutwh.warehouse import is_postgres

    if is_postgres():
        return read_raw_table_postgres(source_name, max_rows, seed)
    if not Path(duckdb_path).exists():
        raise FileNotFoundError(f"{duckdb_path}: warehouse not found; run ingestion of {source_name} first")
    table = f"raw.{source_name}"
    with nullcontext(con) if con is not None else open_duckdb(Path(duckdb_path), read_only=True) as con:
        found = con.sql(
            "select table_type from information_schema.tables where table_schema = 'raw' and table_name = ?",
            params=[source_name],
        ).fetchall()
        if not found:
            raise LookupError(f"{duckdb_path}: table {table} does not exist; run ingestion of {source_name} first")
        rows_in_table = con.sql(f"select count(*) from {table}").fetchall()[0][0]
        columns = con.sql(f"select * from {table} limit 0").columns
        order = ", ".join(LINEAGE_ORDER) if set(LINEAGE_ORDER) <= set(columns) else "all"
        sampled = rows_in_table > max_rows
        sample = f"using sample reservoir({int(max_rows)} rows) repeatable ({int(seed)})"
        if not sampled:
            query = f"select * from {table}"
        elif found[0][0] == "BASE TABLE":
            # Sampling row ids and fetching those rows reads 3-4x faster than sampling whole rows.
            query = f"select * from {table} where rowid in (select rowid from {table} {sample})"
        else:
            query = f"select * from {table} {sample}"
        arrow = con.sql(f"select * from ({query}) order by {order}").to_arrow_table()
    return arrow, rows_in_table, sampled


ARROW_TYPES = {"varchar": "string", "date": "date32", "integer": "int32", "bigint": "int64", "boolean": "bool_"}


def read_raw_table_postgres(
    source_name: str, max_rows: int = DEFAULT_MAX_ROWS, seed: int = 0
) -> tuple[pa.Table, int, bool]:
    """``read_raw_table`` on PostgreSQL (``MUTWH_TARGET=postgres``): the same Arrow types as from
    DuckDB, and above ``max_rows`` a repeatable sample (rows ranked by a hash of their lineage)."""
    import pyarrow as pa

    from mutwh.warehouse import connect_postgres
    from sources.contract import SOURCES, raw_schema

    table = f"raw.{source_name}"
    con = connect_postgres(read_only=True)
    try:
        found = con.sql(
            "select 1 from information_schema.tables where table_schema = 'raw' and table_name = ?", [source_name]
        ).fetchall()
        if not found:
            raise LookupError(f"PostgreSQL: table {table} does not exist; run ingestion of {source_name} first")
        rows_in_table = con.sql(f"select count(*) from {table}").fetchall()[0][0]
        sampled = rows_in_table > max_rows
        query = f"select * from {table}"
        if sampled:
            rank = f"md5(_source_file || ':' || _source_row || ':' || {int(seed)})"
            query = f"select * from {table} order by {rank} limit {int(max_rows)}"
        result = con.sql(f"select * from ({query}) as rows order by {', '.join(LINEAGE_ORDER)}")
    finally:
        con.close()
    types = {}
    for name, sql_type in raw_schema(SOURCES[source_name]):
        if sql_type.startswith("decimal"):
            precision, scale = (int(p) for p in sql_type[len("decimal(") : -1].split(","))
            types[name] = pa.decimal128(precision, scale)
        else:
            types[name] = getattr(pa, ARROW_TYPES[sql_type])()
    columns = list(zip(*result.rows)) if result.rows else [[] for _ in result.columns]
    arrays = [pa.array(list(values), type=types[name]) for name, values in zip(result.columns, columns)]
    return pa.Table.from_arrays(arrays, names=result.columns), rows_in_table, sampled


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas in the dtypes GX checks vectorised: decimals as float64, integers as int64.

    GX's pandas range check is vectorised only for int64/float64 (and ns datetimes); other dtypes,
    Decimal objects included, go through a Python call per value. Dates stay ``datetime.date``
    objects, which compare with the contract's MIN_DATE/MAX_DATE and cannot overflow.
    """
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_decimal(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.float64()))
        elif pa.types.is_integer(field.type) and field.type != pa.int64():
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
    return table.to_pandas()


def _context(gx_dir: Path):
    """An ephemeral context whose validation results and Data Docs are files under ``gx_dir``.

    Suites and validation definitions are rebuilt from the contract on every run, so they stay in
    memory; analytics and progress bars are off.
    """
    gx = _import_gx()
    from great_expectations.data_context.types.base import DataContextConfig, ProgressBarsConfig

    in_memory = {"class_name": "InMemoryStoreBackend"}
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        expectations_store_name="expectations_store",
        validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store",
        stores={
            "expectations_store": {"class_name": "ExpectationsStore", "store_backend": in_memory},
            "validation_results_store": {
                "class_name": "ValidationResultsStore",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(gx_dir / VALIDATIONS_DIR),
                },
            },
            "checkpoint_store": {"class_name": "CheckpointStore", "store_backend": in_memory},
            "validation_definition_store": {"class_name": "ValidationDefinitionStore", "store_backend": in_memory},
        },
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(gx_dir / DATA_DOCS_DIR),
                },
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _columns_of(kwargs: dict) -> list[str]:
    if "column" in kwargs:
        return [kwargs["column"]]
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def _redact_person_values(result, person_columns: list[str]) -> None:
    """Drop quoted values of expectations on person columns before they reach the HTML.

    A value failing the pseudonym check may be an INSZ that escaped pseudonymisation; Data Docs are
    plain files, so counts are kept and the values themselves are not written.
    """
    for r in result.results:
        kwargs = r.expectation_config.kwargs
        if set(_columns_of(kwargs)) & set(person_columns):
            for key in _VALUE_KEYS:
                if key in r.result:
                    r.result[key] = []


def _error_message(exception_info: dict | None) -> str | None:
    """GX reports an exception flat, or per metric when a metric failed (e.g. a missing column)."""
    infos = [exception_info or {}]
    if "raised_exception" not in infos[0]:
        infos = [v for v in infos[0].values() if isinstance(v, dict)]
    for info in infos:
        if info.get("exception_message"):
            return str(info["exception_message"])
    return None


def _failed(result, suite) -> list[dict]:
    """Failed expectations in suite order: type, column(s), rows that failed, error if it raised."""
    order = {e.id: i for i, e in enumerate(suite.expectations)}
    failed = []
    for r in sorted(result.results, key=lambda r: order.get(r.expectation_config.id, len(order))):
        if r.success:
            continue
        config = r.expectation_config
        columns = [] if config.type.startswith("expect_table_") else _columns_of(config.kwargs)
        entry = {
            "expectation": config.type,
            "column": ", ".join(columns) if columns else None,
            "unexpected_count": (r.result or {}).get("unexpected_count"),
        }
        error = _error_message(r.exception_info)
        if error:
            entry["error"] = error
        failed.append(entry)
    return failed


def run_suite(
    source_name: str,
    duckdb_path: Path,
    gx_dir: Path,
    max_rows: int = DEFAULT_MAX_ROWS,
    seed: int = 0,
) -> dict[str, Any]:
    """Validate ``raw.<source_name>`` against its suite and refresh the Data Docs under ``gx_dir``
    (``run_suites`` for one source)."""
    return run_suites([source_name], duckdb_path, gx_dir, max_rows, seed)[0]


def run_suites(
    source_names: list[str],
    duckdb_path: Path,
    gx_dir: Path,
    max_rows: int = DEFAULT_MAX_ROWS,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Validate ``raw.<source>`` against its suite for every source named, then refresh their
    Data Docs pages under ``gx_dir`` in one build (``SuiteRunner``).

    Opens the warehouse read-only (dbt or ingestion may hold the writer). Returns per source a plain
    dict: ``success, suite, rows_in_table, rows_validated, sampled, evaluated, failed, seconds,
    data_docs``.
    """
    if not source_names:
        return []
    return SuiteRunner(gx_dir).finish(source_names, duckdb_path, max_rows, seed)


class SuiteRunner:
    """One GX context for every suite of a run, and one Data Docs build at the end.

    GX compiles its Jinja templates again for every Data Docs build, which at 18 suites was half the
    step (10 s of 22 s at scale 0.001), so the pages are rendered once, in ``finish``. A table can
    be validated as soon as it is loaded (``validate``, with a sample ``read_raw_table`` took);
    ``finish`` validates the tables not done yet, stores one result per suite and renders.
    """

    def __init__(self, gx_dir: Path):
        self.gx_dir = Path(gx_dir)
        self.gx_dir.mkdir(parents=True, exist_ok=True)
        self._gx = _import_gx()
        self._context = _context(self.gx_dir)
        self._data_source = self._context.data_sources.add_pandas("raw")
        self._validations: dict[str, tuple[Any, Any]] = {}
        self._done: dict[str, tuple[Any, Any, dict[str, Any]]] = {}

    def validate(self, source_name: str, arrow: pa.Table, rows_in_table: int, sampled: bool, max_rows: int, seed: int):
        """Run the suite of ``source_name`` on ``arrow`` (the table, or the sample of it that
        ``read_raw_table`` returned); kept until ``finish``. A source validated again replaces it."""
        started = time.perf_counter()
        source = _source(source_name)
        frame = to_pandas(arrow)
        del arrow
        if source.name in self._validations:  # handed over again: the same definition, run on the new rows
            suite, validation = self._validations[source.name]
        else:
            asset = self._data_source.add_dataframe_asset(name=source.name)
            batch_definition = asset.add_batch_definition_whole_dataframe("whole_table")
            suite = self._context.suites.add(build_suite(source))
            validation = self._context.validation_definitions.add(
                self._gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=suite)
            )
            self._validations[source.name] = (suite, validation)
        result = validation.run(batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT)
        facts = {
            "rows_in_table": int(rows_in_table),
            "rows_validated": len(frame),
            "sampled": bool(sampled),
            "sample": f"reservoir({max_rows} rows) repeatable ({seed})" if sampled else None,
            "seconds": time.perf_counter() - started,
        }
        self._done[source.name] = (suite, result, facts)

    def finish(
        self, source_names: list[str], duckdb_path: Path, max_rows: int = DEFAULT_MAX_ROWS, seed: int = 0
    ) -> list[dict[str, Any]]:
        """Validate each source named that ``validate`` has not seen (reading it from ``duckdb_path``),
        keep one stored result per suite, render the Data Docs pages of those named and their index;
        the results in the order named."""
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        for source_name in source_names:
            if _source(source_name).name not in self._done:
                started = time.perf_counter()
                arrow, rows_in_table, sampled = read_raw_table(source_name, Path(duckdb_path), max_rows, seed)
                read_seconds = time.perf_counter() - started
                self.validate(source_name, arrow, rows_in_table, sampled, max_rows, seed)
                self._done[_source(source_name).name][2]["seconds"] += read_seconds
        store = self._context.validation_results_store
        site = self.gx_dir / DATA_DOCS_DIR
        results, pages = [], []
        for source_name in source_names:
            source = _source(source_name)
            suite, result, facts = self._done[source.name]
            # Keep one validation per suite: the newest. Store it again (same key, so it overwrites)
            # with the sampling facts and without person values, then render only its pages.
            keys = sorted(
                (k for k in store.list_keys() if k.expectation_suite_identifier.name == suite.name),
                key=lambda k: k.run_id.run_time,
            )
            *previous, latest = keys
            for key in previous:
                store.remove_key(key)
            _remove_empty_folders(self.gx_dir / VALIDATIONS_DIR / suite.name)
            result.meta["mutwh"] = {k: facts[k] for k in ("rows_in_table", "rows_validated", "sampled", "sample")}
            _redact_person_values(result, _person_columns(source))
            store.set(latest, result)
            shutil.rmtree(site / VALIDATIONS_DIR / suite.name, ignore_errors=True)
            pages += [latest, ExpectationSuiteIdentifier(name=suite.name)]
            results.append(
                {
                    "success": bool(result.success),
                    "suite": suite.name,
                    "rows_in_table": facts["rows_in_table"],
                    "rows_validated": facts["rows_validated"],
                    "sampled": facts["sampled"],
                    "evaluated": int(result.statistics["evaluated_expectations"]),
                    "failed": _failed(result, suite),
                    "seconds": round(facts["seconds"], 3),
                }
            )

        self._context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=pages, build_index=False)
        for result in results:
            name = result["suite"]
            for page in [site / "expectations" / f"{name}.html", *(site / VALIDATIONS_DIR / name).rglob("*.html")]:
                make_offline(page)
        index = write_index(self.gx_dir)
        return [{**result, "data_docs": str(index)} for result in results]


def _remove_empty_folders(root: Path) -> None:
    """The store removes a result's file but leaves its run folders behind."""
    for folder in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()


# --- Data Docs without network ---------------------------------------------------------------

_REMOTE = r"""["']https?://[^"']*["']"""
_REMOTE_TAGS = re.compile(
    rf"<script[^>]*\ssrc={_REMOTE}[^>]*>\s*</script>|<link[^>]*\shref={_REMOTE}[^>]*>|<img[^>]*\ssrc={_REMOTE}[^>]*>"
    r"|<footer>\s*<p>Stay current on everything GX.*?</footer>",
    re.IGNORECASE | re.DOTALL,
)
_OFFLINE_MARK = "<!-- mutwh: offline -->"
_OFFLINE_CSS = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.ok { color: #176b2c; font-weight: 600; }
.failed { color: #b00020; font-weight: 600; }
.muted { color: #666; }
.fa-check-circle::before { content: "\\2714"; color: #176b2c; }
.fa-times::before { content: "\\2718"; color: #b00020; }
"""


def make_offline(page: Path) -> None:
    """Remove GX's CDN scripts, stylesheets and remote images, and inline a minimal stylesheet.

    Without network the pages render as plain HTML either way; without the tags they open at once
    instead of waiting on blocked requests, and they carry no third-party references.
    """
    if not page.exists():
        return
    text = page.read_text(encoding="utf-8")
    if _OFFLINE_MARK in text:
        return
    text = _REMOTE_TAGS.sub("", text)
    text = text.replace("</head>", f"{_OFFLINE_MARK}<style>{_OFFLINE_CSS}</style></head>", 1)
    _write_atomic(page, text)


def write_index(gx_dir: Path) -> Path:
    """A static ``index.html`` listing the latest validation of every suite, with no scripts."""
    gx_dir = Path(gx_dir)
    site = gx_dir / DATA_DOCS_DIR
    site.mkdir(parents=True, exist_ok=True)
    rows = []
    for stored in sorted((gx_dir / VALIDATIONS_DIR).glob("*/*/*/*.json")):
        relative = stored.relative_to(gx_dir / VALIDATIONS_DIR)
        name = relative.parts[0]
        try:
            result = json.loads(stored.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        meta = result.get("meta", {})
        facts = meta.get("mutwh", {})
        stats = result.get("statistics", {})
        success = bool(result.get("success"))
        in_table, validated = facts.get("rows_in_table"), facts.get("rows_validated")
        sample = " (sample)" if facts.get("sampled") else ""
        run_time = str((meta.get("run_id") or {}).get("run_time") or "")
        page = Path(VALIDATIONS_DIR) / relative.with_suffix(".html")
        rows.append(
            "<tr>"
            f"<td>{html.escape(name)}</td>"
            f"<td class='{'ok' if success else 'failed'}'>{'passed' if success else 'failed'}</td>"
            f"<td>{stats.get('successful_expectations', '')} / {stats.get('evaluated_expectations', '')}</td>"
            f"<td>{'' if in_table is None else f'{in_table:,}'}</td>"
            f"<td>{'' if validated is None else f'{validated:,}'}{sample}</td>"
            f"<td>{html.escape(run_time[:19].replace('T', ' '))}</td>"
            f"<td><a href='{html.escape(page.as_posix())}'>validation</a> · "
            f"<a href='expectations/{html.escape(name)}.html'>suite</a></td>"
            "</tr>"
        )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = "\n".join(rows) or "<tr><td colspan='7' class='muted'>No validation has run yet.</td></tr>"
    text = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Raw tables: Great Expectations</title>
<style>{_OFFLINE_CSS}</style></head>
<body>
<h1>Raw tables: Great Expectations suites</h1>
<p class="muted">Latest validation per raw table. Tables above the row limit are validated on a
repeatable reservoir sample; ingestion and dbt tests check every row. Generated {generated}.</p>
<table>
<thead><tr><th>Suite</th><th>Status</th><th>Expectations met</th><th>Rows in table</th>
<th>Rows validated</th><th>Run time (UTC)</th><th>Pages</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
</body>
</html>
"""
    index = site / "index.html"
    _write_atomic(index, text)
    return index


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
