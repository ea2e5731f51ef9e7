"""What a person reads in a workbook (issue 17): the Dutch sheet titles, column headers and column
descriptions of seed ``export_labels`` (one table for every export, also the source of
``docs/exports.md``), and the names next to codes from the reference seeds (``SOL_ANT`` →
"Solidaris Antwerpen").

The exports read them from schema ``reference`` of the warehouse, as every other seed; without a
warehouse (a table written by hand, ``python -m exports.dictionary``) they are read from the seed
files of the repository, through DuckDB as well. Nothing here changes a CSV (SPEC §6).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
LABELS_SEED = SEEDS / "exports" / "export_labels.csv"
LABEL_COLUMNS = ("file", "column_name", "label_nl", "description")
ANY_FILE = "*"  # a label for a column in every file, unless the file has its own row
SHEET = "_sheet"  # the row of a file itself: its sheet title and what the file holds

LANDSBOND_TOTAL = "ALL"
LANDSBOND_NAME = "Landsbond"
# code column -> (reference seed, its key, the column with the name); the workbook shows the name
# in a column <prefix>_name right after the code.
CODE_NAMES = {
    "ziekenfonds_code": ("ziekenfondsen", "ziekenfonds_code", "name"),
    "zorgkas_code": ("zorgkassen", "zorgkas_code", "name"),
    "dmw_code": ("erkende_dmw", "dmw_code", "name"),
    "landsbond_code": ("landsbonden", "landsbond_code", "short_name"),
}
LANDSBOND_DMW_PREFIX = "LB_"  # dmw_code LB_<landsbond_code>: the roll-up of a landsbond's DMW


def name_column(code_column: str) -> str:
    return code_column.removesuffix("_code") + "_name"


@dataclass(frozen=True)
class Labels:
    """(file, column) → (Dutch label, description); file ``*`` holds the labels shared by every
    file, column ``_sheet`` the sheet title."""

    entries: Mapping[tuple[str, str], tuple[str, str]]

    def _entry(self, file: str, column: str) -> tuple[str, str] | None:
        return self.entries.get((file, column)) or self.entries.get((ANY_FILE, column))

    def label(self, file: str, column: str) -> str | None:
        entry = self._entry(file, column)
        return entry[0] if entry and entry[0] else None

    def description(self, file: str, column: str) -> str | None:
        entry = self._entry(file, column)
        return entry[1] if entry and entry[1] else None

    def title(self, file: str) -> str | None:
        entry = self.entries.get((file, SHEET))
        return entry[0] if entry else None

    def files(self) -> list[str]:
        return sorted({f for f, c in self.entries if c == SHEET})


@dataclass(frozen=True)
class Presentation:
    """Everything the workbook writer adds to the tables: labels, names, the build date."""

    labels: Labels
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # code column -> code -> name
    # The latest period the warehouse holds ("december 2023"): the data's date, not the clock's, so
    # the same inputs give the same workbook bytes on any day. None leaves it off the title.
    data_through: str | None = None

    def name(self, code_column: str, code) -> str | None:
        if code is None:
            return None
        code = str(code)
        if code == LANDSBOND_TOTAL:
            return LANDSBOND_NAME
        if code_column == "dmw_code" and code.startswith(LANDSBOND_DMW_PREFIX):
            landsbond = self.names.get("landsbond_code", {}).get(code.removeprefix(LANDSBOND_DMW_PREFIX))
            return f"{LANDSBOND_NAME} {landsbond}" if landsbond else LANDSBOND_NAME
        return self.names.get(code_column, {}).get(code)


def _rows(con, sql: str) -> list[tuple]:
    relation = con.sql(sql)
    return list(relation.fetchall())


def _has_table(con, schema: str, table: str) -> bool:
    try:
        return bool(
            _rows(
                con,
                f"select 1 from information_schema.tables where table_schema = '{schema}' and table_name = '{table}'",
            )
        )
    except Exception:  # a connection without an information schema: read the seed files
        return False


def _seed_rows(seed: Path, columns: tuple[str, ...]) -> list[tuple]:
    import duckdb

    with duckdb.connect() as con:
        relation = con.execute(
            f"select {', '.join(columns)} from read_csv(?, header = true, all_varchar = true)", [str(seed)]
        )
        return relation.fetchall()


def _read(con, seed: str, path: Path, columns: tuple[str, ...]) -> list[tuple]:
    """Rows of a seed: from ``reference.<seed>`` when the warehouse has it, else from its file."""
    if con is not None and _has_table(con, "reference", seed):
        return _rows(con, f"select {', '.join(columns)} from reference.{seed}")
    return _seed_rows(path, columns)


def load_labels(con=None) -> Labels:
    entries: dict[tuple[str, str], tuple[str, str]] = {}
    for number, (file, column, label, description) in enumerate(
        _read(con, "export_labels", LABELS_SEED, LABEL_COLUMNS), start=1
    ):
        if not file or not column:
            raise ValueError(
                f"{LABELS_SEED.name}: row {number}: file and column_name are required, found {file!r}, {column!r}"
            )
        if (file, column) in entries:
            raise ValueError(f"{LABELS_SEED.name}: row {number}: ({file}, {column}) is listed twice")
        entries[(file, column)] = ((label or "").strip(), (description or "").strip())
    return Labels(entries)


def load_names(con=None) -> dict[str, dict[str, str]]:
    names = {}
    for code_column, (seed, key, name) in CODE_NAMES.items():
        rows = _read(con, seed, SEEDS / f"{seed}.csv", (key, name))
        names[code_column] = {str(code): value for code, value in rows if code is not None and value}
    return names


# The Dutch month names, also of the dashboards (dashboards/render.py).
MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def month_label(year: int, month: int) -> str:
    """``(2023, 12)`` → ``december 2023``."""
    return f"{MONTHS_NL[month - 1]} {year}"


def data_through(con) -> str | None:
    """The last month of DMW activity loaded (the monthly grain), else the last loaded year's end."""
    if con is None:
        return None
    if _has_table(con, "marts", "fct_dmw_norm_month"):
        rows = _rows(con, "select max(year * 100 + month) from marts.fct_dmw_norm_month")
        if rows and rows[0][0] is not None:
            year, month = divmod(int(rows[0][0]), 100)
            return month_label(year, month)
    if _has_table(con, "intermediate", "int_reporting_years"):
        rows = _rows(con, "select max(year) from intermediate.int_reporting_years")
        if rows and rows[0][0] is not None:
            return month_label(int(rows[0][0]), 12)
    return None


def load_presentation(con=None) -> Presentation:
    return Presentation(load_labels(con), load_names(con), data_through(con))
