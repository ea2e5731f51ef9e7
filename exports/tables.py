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

from mutwh.files import write_bytes_atomic, write_csv_atomic

SMALL_CELL_THRESHOLD = 5
# Identifiers, not quantities: a number without thousands separator in the workbook ("2023").
IDENTIFIER_COLUMNS = ("year", "month", "contribution_year", "right_year", "share_year")
SUPPRESSED = "<5"
# A text cell starting with one of these is a formula (or becomes one) when a spreadsheet opens
# the CSV (OWASP "CSV injection"); such cells get a leading apostrophe. Numbers are never touched.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_OR_QUOTE = frozenset("'" + "".join(FORMULA_LEADERS))

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
    # workbook-only kinds: a change with its sign, as the jaarverslag prints "+26 818 (+0,8 %)"
    "delta": "+#,##0;-#,##0;0",
    "delta_share": "+0.0%;-0.0%;0.0%",
    "delta_eur": "+#,##0.00 [$€-813];-#,##0.00 [$€-813];0.00 [$€-813]",
}
NUMERIC_KINDS = ("int", "count", "eur", "share", "score", "decimal", "number", "delta", "delta_share", "delta_eur")
NOTES_SHEET = "Toelichting"
WRAP_WIDTH = 60
INGESTION_SUMMARY_COLUMNS = ("source", "rows_loaded", "rows_quarantined")
MANIFEST_KEYS = (
    "run_id",
    "created_at",
    "input_files",
    "tables",
    "files",
    "checks",
    "checks_passed",
    "checks_failed",
    "checks_not_evaluated",
)


@dataclass(frozen=True)
class ExportColumn:
    name: str
    kind: str = "text"
    # The workbook header comes from seed export_labels (exports/labels.py); ``label`` is only the
    # fallback of a column not yet in that seed (tests/test_workbooks.py fails on such a column).
    label: str | None = None
    in_csv: bool = True  # False for workbook-only columns, e.g. a name next to its code


@dataclass
class ExportTable:
    name: str  # file stem and sheet name, e.g. key_figures
    columns: Sequence[ExportColumn]
    rows: list[dict]
    suppress_small_counts: bool = False  # only for grains finer than a whole DMW or ziekenfonds
    notes: list[str] = field(default_factory=list)
    title: str | None = None  # fallback sheet title when seed export_labels has none
    csv: bool = True  # False: a workbook-only sheet (Kerncijfers), no CSV, not in the manifest
    period: str | None = None  # shown in the sheet's title row, e.g. "verslagjaar 2023"
    fit_one_page: bool = False  # print the whole sheet on one page (a summary page)

    @property
    def column_names(self) -> list[str]:
        """The CSV columns (SPEC §6 contract), without the workbook-only ones."""
        return list(csv_names(self.columns))


def csv_names(columns: Iterable[ExportColumn]) -> tuple[str, ...]:
    """The names of the CSV columns (SPEC §6 contract) among ``columns``, without the workbook-only
    ones: also the mart columns a dashboard reads to show what the export publishes."""
    return tuple(c.name for c in columns if c.in_csv)


def neutralise_formula(text: str) -> str:
    """``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``: shown as text by Excel and LibreOffice. A text that
    already starts with ``'=`` gets one more, so that removing one ``'`` always gives it back."""
    if not text or text[0] not in _FORMULA_OR_QUOTE:  # most cells: nothing to strip or check
        return text
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
    if kind in ("eur", "decimal", "delta_eur"):
        return f"{Decimal(str(value)):.2f}"
    if kind in ("share", "score", "delta_share"):
        return f"{float(value):.6f}".rstrip("0").rstrip(".") if value != 0 else "0"
    if kind in ("int", "count", "delta"):
        return str(int(value))
    if kind == "number":  # exact up to six decimals, no trailing zeros, no exponent
        text = format(Decimal(str(value)).quantize(Decimal("0.000001")), "f").rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text
    return neutralise_formula(str(value)) if kind == "text" else str(value)


def suppress(table: ExportTable, threshold: int = SMALL_CELL_THRESHOLD) -> list[dict]:
    """Rows with person counts below the threshold replaced by ``<5`` (never the real number)."""
    if not table.suppress_small_counts:
        return list(table.rows)  # the callers copy a row before they change it
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


def _csv_converter(kind: str):
    """``csv_value`` of one column's cells, ``<5`` kept as it is: the same text, with the common
    cases (a text cell that is a string, a count that is an int) taken without the general checks,
    which the largest tables (a mailing list of ~300 000 rows) pay per cell."""

    def convert(value):
        if isinstance(value, str) and value == SUPPRESSED:
            return value
        return csv_value(value, kind)

    if kind == "text":
        return lambda value: neutralise_formula(value) if type(value) is str else convert(value)
    if kind in ("int", "count", "delta"):
        return lambda value: str(value) if type(value) is int else convert(value)
    return convert


def write_table_csv(folder: Path, table: ExportTable) -> Path:
    converters = {c.name: _csv_converter(c.kind) for c in table.columns if c.in_csv}
    rows = [{k: converters[k](v) for k, v in row.items() if k in converters} for row in suppress(table)]
    target = folder / f"{table.name}.csv"
    write_csv_atomic(target, rows, table.column_names)
    return target


def _sheet_name(text: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique."""
    name = "".join("-" if ch in "[]:*?/\\" else ch for ch in text)[:31]
    base, n = name, 2
    while name.lower() in used:
        name = f"{base[:28]}({n})"
        n += 1
    used.add(name.lower())
    return name


def rendered(value, number_format: str | None) -> str:
    """The text a spreadsheet shows for ``value`` with ``number_format`` (for the column widths): a
    thousands separator per three digits, the decimals, a sign, a ``%`` or `` €``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ONWAAR" if not value else "WAAR"  # the longer of TRUE/FALSE and WAAR/ONWAAR
    if not isinstance(value, (int, float, Decimal)) or not number_format:
        return str(value)
    fmt = number_format.split(";")[0]
    number = float(value)
    if "%" in fmt:
        number *= 100
    decimals = len(fmt.split(".")[1].split("%")[0].split(" ")[0]) if "." in fmt else 0
    text = f"{abs(number):,.{decimals}f}" if "," in fmt else f"{abs(number):.{decimals}f}"
    if "#" in fmt.split(".")[-1]:  # optional decimals (kind number): no trailing zeros
        text = text.rstrip("0").rstrip(".")
    sign = "-" if number < 0 else ("+" if fmt.startswith("+") and number > 0 else "")
    return sign + text + ("%" if "%" in fmt else "") + (" €" if "€" in fmt else "")


def _workbook_columns(table: ExportTable, presentation) -> list[ExportColumn]:
    """The table's columns with a name column after every code column that has names."""
    from exports.labels import CODE_NAMES, name_column

    names = {c.name for c in table.columns}
    out = []
    for column in table.columns:
        out.append(column)
        if column.name in CODE_NAMES and name_column(column.name) not in names and presentation.names.get(column.name):
            out.append(ExportColumn(name_column(column.name), "text", in_csv=False))
    return out


def _workbook_rows(table: ExportTable, columns: list[ExportColumn], presentation) -> list[dict]:
    from exports.labels import CODE_NAMES, LANDSBOND_TOTAL, name_column

    rows = []
    for row in suppress(table):
        row = dict(row)
        for column in columns:
            if column.name in CODE_NAMES:
                target = name_column(column.name)
                if row.get(target) is None:
                    row[target] = presentation.name(column.name, row.get(column.name))
                if row.get(column.name) == LANDSBOND_TOTAL:  # "Landsbond" in the name column says it
                    row[column.name] = None
        rows.append(row)
    return rows


def write_workbook(target: Path, tables: Iterable[ExportTable], presentation=None) -> Path:
    """The one writer of every workbook (issue 17): per table a sheet with a title row (sheet, period,
    the data's latest month), Dutch headers of seed export_labels, names next to codes, numbers as numbers with
    EUR/%/thousands formats, widths from the content, a frozen and repeated header row, printing
    landscape on one page wide with sheet name and page in the footer; the notes of every table on
    one last sheet "Toelichting". The same tables and presentation give the same bytes."""
    from exports.labels import load_presentation

    presentation = presentation or load_presentation()
    tables = list(tables)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})  # fixed, so the workbook is reproducible
    title_format = book.add_format({"bold": True, "font_size": 13})
    header = book.add_format({"bold": True, "bg_color": "#DDE5F0", "border": 1, "text_wrap": True, "valign": "top"})
    heading = book.add_format({"bold": True, "font_size": 12, "bottom": 1})
    number_formats = dict(XLSX_FORMATS, identifier="0")
    formats = {kind: book.add_format({"num_format": fmt}) if fmt else None for kind, fmt in number_formats.items()}
    bold_formats = {
        kind: book.add_format({"num_format": fmt, "bold": True} if fmt else {"bold": True})
        for kind, fmt in number_formats.items()
    }
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    right = book.add_format({"align": "right"})
    used: set[str] = set()
    notes: list[tuple[str, str]] = []

    for table in tables:
        columns = _workbook_columns(table, presentation)
        rows = _workbook_rows(table, columns, presentation)
        title = presentation.labels.title(table.name) or table.title or table.name
        sheet_name = _sheet_name(title, used)
        sheet = book.add_worksheet(sheet_name)
        kinds = [
            "identifier" if c.name in IDENTIFIER_COLUMNS and c.kind in ("int", "text") else c.kind for c in columns
        ]
        headings = [presentation.labels.label(table.name, c.name) or c.label or c.name for c in columns]
        title_text = " · ".join(
            part
            for part in (
                title,
                table.period,
                f"gegevens t.e.m. {presentation.data_through}" if presentation.data_through else None,
            )
            if part
        )
        sheet.write_string(0, 0, title_text, title_format)
        widths = [max([len(word) for word in h.split()] + [6]) + 2 for h in headings]
        # Long free text (a reason, a rubric) wraps in a column of 60 instead of a page-wide column.
        wrapped = [
            c.kind == "text" and max((len(str(r.get(c.name) or "")) for r in rows), default=0) + 2 > WRAP_WIDTH
            for c in columns
        ]
        # What each column's cells need, looked up once: a sheet of 300 000 rows (the mailing list)
        # spent a quarter of its time on these look-ups. The cells are written in the same order
        # as ever (row by row), which XlsxWriter's shared strings, and so the file's bytes, follow.
        plan = [
            (
                col,
                column.name,
                column.kind == "bool",
                column.kind in NUMERIC_KINDS,
                kinds[col] == "identifier",
                formats[kinds[col]],
                bold_formats[kinds[col]],
                number_formats[kinds[col]],
                wrap if wrapped[col] else None,
            )
            for col, column in enumerate(columns)
        ]
        # XlsxWriter's writers without their decorator, which only turns "A1" into row and column
        write_string, write_number, write_boolean = sheet._write_string, sheet._write_number, sheet._write_boolean
        number_lengths: dict[tuple, int] = {}  # (number format, value): length of the text shown
        for r, row in enumerate(rows, start=2):
            bold = bool(row.get("_bold"))
            if row.get("_heading"):
                sheet.write_string(r, 0, str(row["_heading"]), heading)
                continue
            pad = 3 if bold else 2
            for col, name, is_bool, is_number, identifier, fmt, bold_fmt, number_format, wrap_fmt in plan:
                value = row.get(name)
                if value is None:
                    continue
                cell_format = bold_fmt if bold else fmt
                if value == SUPPRESSED:
                    write_string(r, col, value, right)
                    length = len(value)
                elif is_bool:
                    shown = rendered(bool(value), None)
                    write_boolean(r, col, bool(value), cell_format)
                    length = len(shown)
                elif is_number or (identifier and str(value).isdigit()):
                    write_number(r, col, float(value), cell_format)
                    key = (number_format, value)
                    length = number_lengths.get(key)
                    if length is None:
                        length = number_lengths[key] = len(rendered(value, number_format))
                else:
                    if type(value) is not str:
                        value = value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
                    write_string(r, col, value, wrap_fmt or cell_format)
                    length = len(value)
                if length + pad > widths[col]:
                    widths[col] = length + pad
        widths = [WRAP_WIDTH if wrap_column else width for width, wrap_column in zip(widths, wrapped)]
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        header_lines = max([-(-len(h) // max(1, w - 2)) for h, w in zip(headings, widths)] + [1])
        sheet.set_row(1, 15 * header_lines)
        for col, text in enumerate(headings):
            sheet.write_string(1, col, text, header)
        sheet.freeze_panes(2, 0)
        data_rows = [r for r in rows if not r.get("_heading")]
        if data_rows and not table.fit_one_page:
            sheet.autofilter(1, 0, 1 + len(rows), len(columns) - 1)
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, 1 if table.fit_one_page else 0)
        sheet.repeat_rows(0, 1)
        sheet.set_footer("&L&A&RPagina &P van &N")
        notes.extend((sheet_name, note) for note in table.notes)

    if notes:
        sheet = book.add_worksheet(_sheet_name(NOTES_SHEET, used))
        sheet.write_string(0, 0, NOTES_SHEET, title_format)
        sheet.write_string(1, 0, "Blad", header)
        sheet.write_string(1, 1, "Toelichting", header)
        sheet.set_column(0, 0, max([len(name) for name, _ in notes] + [8]) + 2, wrap)
        sheet.set_column(1, 1, 110, wrap)
        for r, (name, note) in enumerate(notes, start=2):
            sheet.write_string(r, 0, name)
            sheet.write_string(r, 1, note)
            sheet.set_row(r, 15 * max(1, -(-len(note) // 105)))
        sheet.freeze_panes(2, 0)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0, 1)
        sheet.set_footer("&L&A&RPagina &P van &N")
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

    from mutwh.home import Home
    from mutwh.warehouse import connect_warehouse, is_postgres
    from sources.ingest import ingested_files

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
    values = {
        "run_id": run_id,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "input_files": input_files(landing_dir),
        "tables": {t.name: {"rows": len(t.rows), "columns": t.column_names} for t in tables},
        "files": sorted(p.name for p in files),
        "checks": list(checks),
        "checks_passed": all(c["passed"] is not False for c in checks),
        "checks_failed": sum(1 for c in checks if c["passed"] is False),
        "checks_not_evaluated": sum(1 for c in checks if c["passed"] is None),
    }
    manifest = {key: values[key] for key in MANIFEST_KEYS}
    target = folder / "manifest.json"
    write_bytes_atomic(target, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return target


def publish_folder(
    folder: Path,
    tables: Sequence[ExportTable],
    workbook_name: str,
    run_id: str,
    landing_dir: Path,
    checks: Sequence[Mapping],
    presentation=None,
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
    csv_tables = [t for t in tables if t.csv]
    written = [write_table_csv(staging, t) for t in csv_tables]
    written.append(write_workbook(staging / workbook_name, tables, presentation))
    written.append(write_manifest(staging, run_id, landing_dir, csv_tables, checks, written))
    if folder.exists():
        folder.rename(previous)
    staging.rename(folder)
    shutil.rmtree(previous, ignore_errors=True)
    return [folder / p.name for p in written]


def fetch_rows(con, sql: str, params: Sequence | None = None) -> list[dict]:
    """Rows of a read-only query as dicts. ``con`` is the warehouse's read connection: DuckDB's
    own, or ``mutwh.warehouse.PostgresConnection`` with the same ``sql``/``columns``/``fetchall``
    and ``?`` placeholders (MUTWH_TARGET=postgres)."""
    relation = con.sql(sql, params=params) if params else con.sql(sql)
    names = relation.columns
    return [dict(zip(names, values)) for values in relation.fetchall()]


def select_list(columns: Iterable[ExportColumn], prefix: str = "") -> str:
    """The columns as a SQL select list; ``prefix`` is a table alias with its dot (``m.``)."""
    return ", ".join(prefix + c.name for c in columns)


def year_rows(
    con, columns: Iterable[ExportColumn], mart: str, year: int, order_by: str, where: str = "", params: Sequence = ()
) -> list[dict]:
    """``columns`` of the rows of ``mart`` for one ``year``, in ``order_by`` order; ``where`` is a
    further condition, ``params`` the values of its ``?`` placeholders."""
    condition = f"year = ? and {where}" if where else "year = ?"
    return fetch_rows(
        con, f"select {select_list(columns)} from {mart} where {condition} order by {order_by}", [year, *params]
    )


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
