"""The export dictionary ``docs/exports.md`` (issue 17): every file the exports write, every column
with its Dutch workbook label and its meaning, generated from the metadata that writes them: the
``ExportTable`` definitions of ``exports/*.py`` (found as the pipeline finds them, through
``discover_export_specs``) and seed ``export_labels`` (labels and descriptions).

    python -m exports.dictionary --write    # regenerate docs/exports.md (make docs-md)
    python -m exports.dictionary --check    # exit 1 when docs/exports.md is stale
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from exports.labels import LABELS_SEED, Labels, load_labels, load_presentation
from exports.tables import (
    NOTES_SHEET,
    WORKBOOKS,
    ExportTable,
    _workbook_columns,
    discover_export_specs,
)
from mutwh.files import generated_page_main

DOCS = Path(__file__).resolve().parent.parent / "docs" / "exports.md"
# Files written outside ExportSpec: their columns are defined where they are written.
MONITORING_FILE = "dmw_norms_monthly"  # dmw_monitoring/dmw_norms_<YYYY-MM>.csv has its columns
INGESTION_SUMMARY = "ingestion_summary"
MANIFEST = "manifest.json"

KIND_TEXT = {
    "text": "tekst",
    "int": "geheel getal",
    "count": "aantal personen",
    "eur": "bedrag in euro, 2 decimalen",
    "share": "fractie (0,287 = 28,7 %)",
    "score": "fractie (0,9871 = 98,71 %)",
    "decimal": "getal, 2 decimalen",
    "number": "exact getal, tot 6 decimalen",
    "bool": "true/false",
    "delta": "verschil (geheel getal met teken)",
    "delta_share": "relatieve verandering (fractie)",
    "delta_eur": "verschil in euro",
}


class _NoRows:
    """A warehouse without rows: the export functions then return their tables empty, with the
    same names and columns they are published with."""

    columns: list[str] = []  # noqa: RUF012 - a stand-in read once, never mutated

    def sql(self, *args, **kwargs):
        return self

    def execute(self, *args, **kwargs):
        return self

    def fetchall(self):
        return []


def export_tables(year: int = 2023) -> dict[str, list[ExportTable]]:
    """Folder → its tables, in workbook order, as the export of a year defines them."""
    con = _NoRows()
    folders: dict[str, list[ExportTable]] = {}
    for spec in discover_export_specs():
        folders.setdefault(spec.folder, []).extend(spec.tables(con, year))
    return folders


@dataclass(frozen=True)
class Column:
    name: str
    label: str | None
    description: str | None
    kind: str
    in_csv: bool


def workbook_columns(table: ExportTable, labels: Labels, presentation=None) -> list[Column]:
    presentation = presentation or load_presentation()
    return [
        Column(c.name, labels.label(table.name, c.name), labels.description(table.name, c.name), c.kind, c.in_csv)
        for c in _workbook_columns(table, presentation)
    ]


def missing_labels(labels: Labels | None = None) -> list[str]:
    """``file.column`` of every workbook column without a Dutch label or description in the seed,
    and every table without a sheet title."""
    labels = labels or load_labels()
    presentation = load_presentation()
    missing = []
    for tables in export_tables().values():
        for table in tables:
            title = labels.title(table.name)
            if not title:
                missing.append(f"{table.name}: no sheet title (row file={table.name}, column_name=_sheet)")
            elif len(title) > 31 or any(ch in title for ch in "[]:*?/\\"):
                missing.append(
                    f"{table.name}: sheet title {title!r} is not a valid sheet name (31 characters, no []:*?/\\)"
                )
            for column in workbook_columns(table, labels, presentation):
                if not column.label or not column.description:
                    missing.append(f"{table.name}.{column.name}: no label_nl or description")
    return missing


def _cell(text: str | None) -> str:
    """Markdown table text: ``|`` escaped, ``<source>`` kept visible (not read as an HTML tag)."""
    return (text or "").replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def _columns_table(table: ExportTable, columns: list[Column]) -> list[str]:
    lines = ["| kolom (CSV) | kop in de werkmap | soort | betekenis |", "|---|---|---|---|"]
    for c in columns:
        name = f"`{c.name}`" if c.in_csv and table.csv else f"({c.name}, alleen werkmap)"
        kind = KIND_TEXT.get(c.kind, c.kind)
        if c.kind == "count" and table.suppress_small_counts:
            kind += ", 1-4 als &lt;5"
        lines.append(f"| {name} | {_cell(c.label)} | {kind} | {_cell(c.description)} |")
    return lines


def _plain_file(file: str, labels: Labels, fields: tuple[str, ...]) -> list[str]:
    lines = ["| veld | betekenis |", "|---|---|"]
    lines += [f"| `{name}` | {_cell(labels.description(file, name))} |" for name in fields]
    return lines


def render(labels: Labels | None = None) -> str:
    from exports.tables import INGESTION_SUMMARY_COLUMNS, MANIFEST_KEYS

    labels = labels or load_labels()
    presentation = load_presentation()
    folders = export_tables()
    out = [
        "# Export dictionary",
        "",
        "<!-- Generated by `python -m exports.dictionary --write` (`make docs-md`) from seed",
        f"     `dbt_project/seeds/exports/{LABELS_SEED.name}` and the export tables of `exports/*.py`.",
        "     Do not edit by hand: tests/test_workbooks.py fails when this file is stale. -->",
        "",
        "Every file `mutwh run` writes under `$MUTWH_HOME/exports/`, with every column. The CSV files are",
        "the machine contract of SPEC §6: their names, columns and formats never change with a label.",
        "The workbooks (`.xlsx`) are for people: Dutch sheet titles and headers (the *kop* column below),",
        "names next to codes, extra columns marked *alleen werkmap*. Labels and meanings come from seed",
        f"`{LABELS_SEED.name}`: edit a label there, then run `make docs-md`.",
        "",
        "```",
        "exports/",
        "  ingestion_summary.csv",
        "  <year>/",
    ]
    for folder, tables in folders.items():
        out.append(f"    {folder}/")
        out += [f"      {t.name}.csv" for t in tables if t.csv]
        out += [f"      {WORKBOOKS[folder]}", f"      {MANIFEST}"]
    out += ["    dmw_monitoring/", "      dmw_norms_<YYYY-MM>.csv", "```", ""]
    out += [
        "## Workbooks",
        "",
        "Every workbook is written by one writer (`exports/tables.py`, `write_workbook`):",
        "",
        "- one sheet per table, titled as in the seed; row 1 names the sheet, the period and the latest",
        "  month the warehouse holds (`gegevens t.e.m. december 2023`: the data's date, so the same inputs",
        "  give the same bytes on any day), row 2 holds the headers (frozen, with a filter);",
        "- a code column (`ziekenfonds_code`, `zorgkas_code`, `dmw_code`, `landsbond_code`) gets the name",
        "  beside it from the reference seeds; the landsbond total `ALL` of the CSV is shown as `Landsbond`;",
        "- years and months are numbers without separator, counts have thousands separators, amounts",
        "  `#,##0.00 €`, shares `0.0%`, changes with their sign (`+#,##0`, `+0.0%`); column widths follow",
        "  the longest value as printed;",
        f"- the notes of every sheet are on the last sheet, `{NOTES_SHEET}`;",
        "- printing: A4 landscape, one page wide, headers repeated on every page, footer with the sheet",
        "  name and `Pagina n van m`. `annual_report.xlsx` starts with `Kerncijfers`, one page.",
        "",
    ]
    for folder, tables in folders.items():
        out += [f"## `{folder}/` — `{WORKBOOKS[folder]}`", ""]
        for table in tables:
            title = labels.title(table.name) or table.name
            heading = f"### `{table.name}.csv`, blad *{title}*" if table.csv else f"### blad *{title}* (geen CSV)"
            out += [heading, "", _cell(labels.description(table.name, "_sheet") or ""), ""]
            out += _columns_table(table, workbook_columns(table, labels, presentation))
            out.append("")
    out += [
        "## `dmw_monitoring/dmw_norms_<YYYY-MM>.csv`",
        "",
        f"Written by the monthly job `dmw_monthly` for one month: the columns of `{MONITORING_FILE}.csv`",
        "above, rows of that month only. No workbook.",
        "",
        f"## `{INGESTION_SUMMARY}.csv`",
        "",
        _cell(labels.description(INGESTION_SUMMARY, "_sheet")),
        "",
        *_plain_file(INGESTION_SUMMARY, labels, INGESTION_SUMMARY_COLUMNS),
        "",
        f"## `{MANIFEST}`",
        "",
        _cell(labels.description(MANIFEST, "_sheet")),
        "",
        *_plain_file(MANIFEST, labels, MANIFEST_KEYS),
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    return generated_page_main(argv, render, DOCS, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
