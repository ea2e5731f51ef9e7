"""``docs/landing_contract.md`` written from ``sources/contract.py`` and the checks of ``sources/loader.py``.

    python -m sources.contract_doc --write   # regenerate (also: make docs-md)
    python -m sources.contract_doc --check   # exit 1 when the committed page is stale

The quarantine reasons in the page are not typed here: each one is what ``loader.check_rows``
answers for a row with that problem, so the page says what a user will find in
``quarantine.csv`` and changes when the checks change.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polars as pl

from mutwh.files import generated_page_main
from sources import loader
from sources.contract import MAX_DATE, MIN_DATE, RAW_SQL_TYPES, SOURCES, Column, Source, raw_column_name

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "docs" / "landing_contract.md"

KIND_TEXT = {
    "insz": "INSZ: 11 digits, mod-97 check digits (pseudonymised at ingestion)",
    "str": "text (free text: scanned for INSZ, masked in place)",
    "code": "code",
    "postcode": "postcode: 4 digits, not starting with 0",
    "date": "date `YYYY-MM-DD`",
    "month": "month `YYYY-MM`",
    "int": "whole number",
    "decimal": "number, `.` as decimal separator (rounded to 2 decimals)",
    "bool": "boolean `true`/`false` (`1`/`0` accepted)",
}
# A value of each kind that the checks refuse, to obtain the reason they give.
BAD_VALUE = {
    "insz": "12345",
    "code": "??",
    "postcode": "123",
    "date": "31/12/2023",
    "month": "2023-13",
    "int": "1.5",
    "decimal": "1,50",
    "bool": "ja",
}


def _reasons(source: Source, values: dict[str, str]) -> list[str]:
    """The reasons ``check_rows`` gives for one row of text values (missing columns empty)."""
    row = {c.name: [values.get(c.name, "")] for c in source.columns}
    df = pl.DataFrame(row, schema={c.name: pl.String for c in source.columns})
    reason = loader.check_rows(df, source).get_column(loader.REASON_COL)[0]
    return [part for part in reason.split("; ") if part]


def _own(reasons: list[str], column: str) -> list[str]:
    return [r for r in reasons if r.startswith(f"{column}:")]


def column_reasons(source: Source, col: Column) -> list[str]:
    """Every quarantine reason the checks give for a bad value of ``col`` alone."""
    found: list[str] = []
    if col.required:
        # another column holds a value, else the row is reported as an empty row
        other = next(c.name for c in source.columns if c.name != col.name)
        found += _own(_reasons(source, {other: "x"}), col.name)
    if col.kind in BAD_VALUE:
        found += _own(_reasons(source, {col.name: BAD_VALUE[col.kind]}), col.name)
    if col.kind == "insz":
        # synthetic: the date part of an example with a wrong check digit, so the check-digit reason shows
        found += _own(_reasons(source, {col.name: "85073003300"}), col.name)
    if col.kind in ("int", "decimal"):
        if col.min_value is not None:
            low = col.min_value - 1
            found += _own(_reasons(source, {col.name: f"{low:.0f}" if col.kind == "int" else f"{low:.2f}"}), col.name)
        if col.max_value is not None:
            high = col.max_value + 1
            found += _own(_reasons(source, {col.name: f"{high:.0f}" if col.kind == "int" else f"{high:.2f}"}), col.name)
    if col.kind == "date":
        found += _own(_reasons(source, {col.name: "1880-01-01"}), col.name)
    return list(dict.fromkeys(found))


def _allowed(col: Column) -> str:
    if col.codes:
        return " / ".join(f"`{c}`" for c in col.codes)
    if col.kind in ("int", "decimal") and (col.min_value is not None or col.max_value is not None):
        return f"{col.min_value:g} … {col.max_value:g}"
    if col.kind == "date":
        return f"{MIN_DATE} … {MAX_DATE}"
    return ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _reason_cell(reasons: list[str]) -> str:
    # The preview of the rejected value is the one this page made up: show it as a placeholder.
    shown = [re.sub(r"\(got '[^']*'\)", "(got '<value>')", r) for r in reasons]
    return "<br>".join(f"`{_cell(r)}`" for r in shown)


def source_section(source: Source) -> list[str]:
    lines = [f"## `{source.name}`", "", f"{source.description[:1].upper()}{source.description[1:]}.", ""]
    lines += [
        f"- Files: `$MUTWH_HOME/landing/{source.name}/*.csv` or `*.parquet` (suffix in any case; any "
        "file name, several files are loaded together).",
        f"- Loaded into: `raw.{source.name}`.",
        f"- Key (a second row with the same key is quarantined): {', '.join(f'`{k}`' for k in source.key)}.",
    ]
    for start, end in source.date_order:
        lines.append(f"- `{end}`, when given, is not before `{start}`.")
    for rule in source.null_when:
        lines.append(
            f"- `{rule.column}` is empty exactly when `{rule.when_column}` is "
            f"{' / '.join(f'`{c}`' for c in rule.codes)}."
        )
    lines += [
        "",
        "| column | type | required | allowed values | column in `raw` | quarantine reason when violated |",
        "|---|---|---|---|---|---|",
    ]
    for col in source.columns:
        lines.append(
            f"| `{col.name}` | {KIND_TEXT[col.kind]} | {'yes' if col.required else 'no (may be empty)'} | "
            f"{_allowed(col)} | `{raw_column_name(col)}` {RAW_SQL_TYPES[col.kind]} | {_reason_cell(column_reasons(source, col))} |"
        )
    rules = []
    for start, end in source.date_order:
        values = {start: "2023-06-01", end: "2023-01-01"}
        rules += [r for r in _reasons(source, values) if r.startswith(f"{end} is before")]
    for rule in source.null_when:
        code = rule.codes[0]
        other = next(c for c in source.column(rule.when_column).codes if c not in rule.codes)
        rules += [r for r in _reasons(source, {rule.when_column: other}) if r == rule.message_missing]
        rules += [
            r
            for r in _reasons(source, {rule.when_column: code, rule.column: "2023-01-01"})
            if r == rule.message_present
        ]
    if rules:
        lines += ["", "Rules across columns, with their quarantine reason:", ""]
        lines += [f"- `{_cell(r)}`" for r in dict.fromkeys(rules)]
    lines.append("")
    return lines


def render() -> str:
    lines = [
        "# Landing-zone contract",
        "",
        "<!-- Generated by `python -m sources.contract_doc --write` (make docs-md) from sources/contract.py "
        "and the checks of sources/loader.py. Do not edit: tests/test_docs_generated.py fails when it is stale. -->",
        "",
        "What the pipeline accepts in `$MUTWH_HOME/landing/` (SPEC §4 and §5b). How to put real files there "
        "and read what `mutwh validate` says: [loading real files](loading_real_files.md).",
        "",
        "## Every source",
        "",
        "- One folder per source: `$MUTWH_HOME/landing/<source>/`. Every file directly in it whose name ends "
        "in `.csv` or `.parquet` (any case) is read; hidden files, subfolders and other suffixes are not "
        "read and each gets a warning.",
        "- CSV: UTF-8 (a byte-order mark is allowed), `;` between values, a header row with the column names "
        'below, LF or CRLF line ends, one record per physical line. A value holding `;` or `"` may be '
        'enclosed in `"` with inner quotes doubled; a value never spans lines. Dates `YYYY-MM-DD`, `.` as '
        "decimal separator, an empty value is null. UTF-16, NUL bytes and CR-only line ends refuse the file.",
        "- Parquet: the same column names; dates as Date (or text `YYYY-MM-DD`).",
        "- Header: the column names exactly as below, in any order. Other columns are ignored with a warning "
        "(`ignoring unknown column(s): …`); an optional column may be left out; a missing required column "
        "refuses the file (`missing required column(s): …`), as does a column named twice.",
        f"- Every text value is at most {loader.MAX_VALUE_LENGTH} bytes; a longer one quarantines its row.",
        "- A row that breaks a rule goes to `$MUTWH_HOME/quarantine/<source>/quarantine.csv` with its file, "
        "row (1-based data row, header not counted) and the reasons below, joined by `; `; an INSZ in it is "
        "masked (`850101*****`). The other rows load. `<value>` stands for the first 40 characters of the "
        "rejected value.",
        "- A row whose key was already seen (in this file or an earlier file of the source, in file-name "
        "order) is quarantined with `duplicate key (<key columns>): first seen in <source>/<file> row <n>`.",
        "- `members`: a `titularis_insz` that is not the `insz` of any accepted members row is quarantined "
        "with `titularis_insz: the titularis is not a member in any members file`.",
        "- An empty line is quarantined with `empty row: no value in any column`.",
        "",
        "| source | description | columns |",
        "|---|---|---|",
    ]
    for source in SOURCES.values():
        lines.append(f"| [`{source.name}`](#{source.name}) | {source.description} | {len(source.columns)} |")
    lines.append("")
    for source in SOURCES.values():
        lines += source_section(source)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_page_main(argv, render, TARGET, __doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main())
