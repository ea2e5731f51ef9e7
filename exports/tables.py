"""Export tables (SPEC §6): one definition of how a mart becomes CSV, an XLSX sheet and a manifest
entry, shared by the annual-report and inspection exports.

Exports read marts and never recompute a KPI (STYLE.md); what happens here is formatting only:
column order, small-cell suppression, number formats.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from exports.writer import write_bytes_atomic, write_csv_atomic

SMALL_CELL_THRESHOLD = 5
IDENTIFIER_COLUMNS = ("year", "month", "contribution_year")
SUPPRESSED = "<5"
# A text cell starting with one of these is a formula (or becomes one) when a spreadsheet opens
# the CSV (OWASP "CSV injection"); such cells get a leading apostrophe. Numbers are never touched.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")

# Column kinds decide both the CSV text and the XLSX number format.
XLSX_FORMATS = {
    "text": None,
    "int": "#,##0",
    "count": "#,##0",  # a count of persons: subject to small-cell suppression
    "eur": "#,##0.00 [$€-813];-#,##0.00 [$€-813]",
    "share": "0.0%",
    "score": "0.00%",
    "decimal": "#,##0.00",
    "number": "#,##0.######",  # exact: a norm's required/achieved must not be rounded into "met"
    "bool": None,
}


@dataclass(frozen=True)
class ExportColumn:
    name: str
    kind: str = "text"
    label: str | None = None  # the workbook's (Dutch) header; the CSV header is always ``name``
    in_csv: bool = True  # False for workbook-only columns, e.g. a name next to its code


@dataclass
class ExportTable:
    name: str  # file stem and sheet name, e.g. key_figures
    columns: Sequence[ExportColumn]
    rows: list[dict]
    suppress_small_counts: bool = False  # only for grains finer than a whole DMW or ziekenfonds
    notes: list[str] = field(default_factory=list)
    title: str | None = None  # the workbook's sheet title; ``name`` when not set

    @property
    def column_names(self) -> list[str]:
        """The CSV columns (SPEC §6 contract), without the workbook-only ones."""
        return [c.name for c in self.columns if c.in_csv]


def neutralise_formula(text: str) -> str:
    """``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``: shown as text by Excel and LibreOffice. A text that
    already starts with ``'=`` gets one more, so that removing one ``'`` always gives it back."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_LEADERS) else text


def csv_value(value, kind: str):
    """Text of one CSV cell: ``.`` decimals, no thousands separators, empty for null; a text cell
    that a spreadsheet would run as a formula is neutralised (``neutralise_formula``)."""
    if value is None:
        return ""
    if isinstance(value, bool) or kind == "bool":
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if kind in ("eur", "decimal"):
        return f"{Decimal(str(value)):.2f}"
    if kind in ("share", "score"):
        return f"{float(value):.6f}".rstrip("0").rstrip(".") if value != 0 else "0"
    if kind in ("int", "count"):
        return str(int(value))
    if kind == "number":  # exact up to six decimals, no trailing zeros, no exponent
        text = format(Decimal(str(value)).quantize(Decimal("0.000001")), "f").rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return neutralise_formula(str(value)) if kind == "text" else str(value)


def suppress(table: ExportTable, threshold: int = SMALL_CELL_THRESHOLD) -> list[dict]:
    """Rows with person counts below the threshold replaced by ``<5`` (never the real number)."""
    count_columns = [c.name for c in table.columns if c.kind == "count"]
    out = []
    for row in table.rows:
        row = dict(row)
        if table.suppress_small_counts:
            for name in count_columns:
                value = row.get(name)
                if value is not None and not isinstance(value, str) and 0 < value < threshold:
                    row[name] = SUPPRESSED
        out.append(row)
    return out


def write_table_csv(folder: Path, table: ExportTable) -> Path:
    kinds = {c.name: c.kind for c in table.columns if c.in_csv}
    rows = [
        {k: v if isinstance(v, str) and v == SUPPRESSED else csv_value(v, kinds[k]) for k, v in row.items() if k in kinds}
        for row in suppress(table)
    ]
    target = folder / f"{table.name}.csv"
    write_csv_atomic(target, rows, table.column_names)
    return target


def write_workbook(target: Path, tables: Iterable[ExportTable]) -> Path:
    """One sheet per table: frozen header, autofilter, EUR/%/thousands formats, sensible widths."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})  # fixed, so the workbook is reproducible
    header = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True})
    formats = {kind: book.add_format({"num_format": fmt}) if fmt else None for kind, fmt in XLSX_FORMATS.items()}
    # Years and months are identifiers, not quantities: no thousands separator ("2023", not "2,023").
    formats["identifier"] = book.add_format({"num_format": "0"})
    right = book.add_format({"align": "right"})
    for table in tables:
        sheet = book.add_worksheet((table.title or table.name)[:31])
        column_formats = [
            formats["identifier"] if c.kind == "int" and c.name in IDENTIFIER_COLUMNS else formats[c.kind]
            for c in table.columns
        ]
        for col, column in enumerate(table.columns):
            heading = column.label or column.name
            sheet.write_string(0, col, heading, header)
            sheet.set_column(col, col, max(12, min(45, len(heading) + 4)), column_formats[col])
        for r, row in enumerate(suppress(table), start=1):
            for col, column in enumerate(table.columns):
                value = row.get(column.name)
                if value is None:
                    continue
                if value == SUPPRESSED:
                    sheet.write_string(r, col, value, right)
                elif column.kind == "bool":
                    sheet.write_boolean(r, col, bool(value))
                elif column.kind in ("int", "count", "eur", "share", "score", "decimal", "number"):
                    sheet.write_number(r, col, float(value), column_formats[col])
                elif isinstance(value, (dt.date, dt.datetime)):
                    sheet.write_string(r, col, value.isoformat())
                else:
                    sheet.write_string(r, col, str(value))
        sheet.freeze_panes(1, 0)
        if table.rows:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
        for offset, note in enumerate(table.notes):
            sheet.write_string(len(table.rows) + 2 + offset, 0, note)
    book.close()
    write_bytes_atomic(target, buffer.getvalue())
    return target


_HASH_CACHE: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    if key not in _HASH_CACHE:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        _HASH_CACHE[key] = digest.hexdigest()
    return _HASH_CACHE[key]


def input_files(landing_dir: Path) -> list[dict]:
    """The landing files the loaded raw tables were computed from, as ingestion recorded them
    (``<source>/<file>`` masked, SHA-256 of the bytes it read, rows): not a listing of landing/ now,
    which may hold files that arrived later, were refused, or are never read."""
    import duckdb

    from sources.home import Home
    from sources.ingest import ingested_files
    from sources.warehouse import connect_warehouse, is_postgres

    home = Home(landing_dir.parent)
    if is_postgres():
        with connect_warehouse(home, read_only=True) as con:
            return ingested_files(con)
    if not home.warehouse.exists():
        return []
    # A plain read-only connection: it shares the database a caller of this process may still hold
    # open (DuckDB refuses a second connection to one file with other settings).
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return ingested_files(con)


def write_manifest(
    folder: Path,
    run_id: str,
    landing_dir: Path,
    tables: Sequence[ExportTable],
    checks: Sequence[Mapping],
    files: Sequence[Path],
) -> Path:
    """``manifest.json``: run id, creation time, input files with SHA-256, row counts, checks.

    ``checks``: one entry per upstream asset check (``check``, ``asset``, ``passed``, ``severity``,
    ...), ``passed`` None when it was never evaluated. ``checks_passed`` is true when every
    evaluated check passed, warnings included."""
    manifest = {
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "input_files": input_files(landing_dir),
        "tables": {t.name: {"rows": len(t.rows), "columns": t.column_names} for t in tables},
        "files": sorted(p.name for p in files),
        "checks": list(checks),
        "checks_passed": all(c["passed"] is not False for c in checks),
        "checks_failed": sum(1 for c in checks if c["passed"] is False),
        "checks_not_evaluated": sum(1 for c in checks if c["passed"] is None),
    }
    target = folder / "manifest.json"
    write_bytes_atomic(target, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return target


def publish_folder(
    folder: Path, tables: Sequence[ExportTable], workbook_name: str, run_id: str, landing_dir: Path,
    checks: Sequence[Mapping],
) -> list[Path]:
    """Write every table as CSV, all of them as one workbook and the manifest into a sibling staging
    folder, then swap it in: a reader, or a crash half-way, never sees files of two runs side by
    side, and the manifest always describes the files beside it (SPEC §9)."""
    parent = folder.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging, previous = parent / f".{folder.name}.staging", parent / f".{folder.name}.previous"
    if previous.exists() and not folder.exists():  # a crash between the two renames below
        previous.rename(folder)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)
    staging.mkdir()
    written = [write_table_csv(staging, t) for t in tables]
    written.append(write_workbook(staging / workbook_name, tables))
    written.append(write_manifest(staging, run_id, landing_dir, tables, checks, written))
    if folder.exists():
        folder.rename(previous)
    staging.rename(folder)
    shutil.rmtree(previous, ignore_errors=True)
    return [folder / p.name for p in written]


def fetch_rows(con, sql: str, params: Sequence | None = None) -> list[dict]:
    """Rows of a read-only query as dicts. ``con`` is the warehouse's read connection: DuckDB's
    own, or ``sources.warehouse.PostgresConnection`` with the same ``sql``/``columns``/``fetchall``
    and ``?`` placeholders (MUTWH_TARGET=postgres)."""
    relation = con.sql(sql, params=params) if params else con.sql(sql)
    names = relation.columns
    return [dict(zip(names, values)) for values in relation.fetchall()]


@dataclass(frozen=True)
class ExportSpec:
    """A domain's contribution to an export folder (SPEC §6), discovered by the orchestration.

    ``tables(con, year)`` reads marts through a read-only DuckDB connection and returns the
    folder's tables for one reporting year; ``marts`` are the dbt asset keys it reads
    (e.g. ``("marts", "fct_membership_year")``) so the export runs after them.
    """

    folder: str  # annual_report | inspection
    tables: object  # Callable[[duckdb.DuckDBPyConnection, int], list[ExportTable]]
    marts: tuple[tuple[str, ...], ...]
    order: int = 0  # position of the domain's sheets within the folder's workbook


WORKBOOKS = {
    "annual_report": "annual_report.xlsx",
    "inspection": "inspection.xlsx",
    "non_take_up": "non_take_up.xlsx",
}


def discover_export_specs() -> list[ExportSpec]:
    """Every ``EXPORTS`` list in the modules of this package, ordered by folder and order."""
    import importlib
    import pkgutil

    import exports

    specs: list[ExportSpec] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(exports.__path__)):
        specs.extend(getattr(importlib.import_module(f"exports.{module}"), "EXPORTS", []))
    return sorted(specs, key=lambda s: (s.folder, s.order))
