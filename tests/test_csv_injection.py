"""CSV exports neutralise spreadsheet formulas in text cells (issue 14, point 14; OWASP "CSV
injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``, TAB or CR gets a leading ``'``;
numeric columns are never touched (a negative amount stays a number: machine contract, SPEC §6).

The LibreOffice test opens the files as a user's spreadsheet would: ``soffice --convert-to csv``
evaluates a formula it finds in a CSV or an XLSX, so a live formula shows up as its result. A
control file proves that it does, the exports prove that theirs stay text. It skips when
``soffice`` is missing (``.ci/run`` installs ``libreoffice-calc``).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from exports.annual_report import FINANCE_COLUMNS
from exports.tables import ExportColumn, ExportTable, neutralise_formula, write_table_csv, write_workbook

HOSTILE = {  # rubric as typed into the ledger -> the CSV cell
    '=HYPERLINK("http://example.invalid/x","klik hier")': '\'=HYPERLINK("http://example.invalid/x","klik hier")',
    "=1+1": "'=1+1",
    "+41+1": "'+41+1",
    "-2+3": "'-2+3",
    "@SUM(1,2)": "'@SUM(1,2)",
    "\t=1+2": "'\t=1+2",
    "\r=1+3": "'\r=1+3",
    "Premies": "Premies",
    "Lonen - bedienden": "Lonen - bedienden",
    "a=b": "a=b",
}


def finance_table() -> ExportTable:
    rows = [
        {
            "entity": "Verplichte Verzekering",
            "rubric": rubric,
            "year": "2023",
            "amount_eur": Decimal("-27542") if i == 0 else Decimal(i),
            "previous_year_amount_eur": Decimal("-0.5"),
        }
        for i, rubric in enumerate(HOSTILE)
    ]
    return ExportTable("finance", FINANCE_COLUMNS, rows)


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_text_cells_are_neutralised_and_numbers_are_not(tmp_path):
    rows = read_rows(write_table_csv(tmp_path, finance_table()))
    assert [r["rubric"] for r in rows] == list(HOSTILE.values())
    assert rows[0]["amount_eur"] == "-27542.00"
    assert {r["previous_year_amount_eur"] for r in rows} == {"-0.50"}


def test_every_numeric_kind_keeps_its_minus_sign(tmp_path):
    kinds = ("int", "count", "eur", "share", "score", "decimal", "number")
    table = ExportTable("numbers", [ExportColumn(k, k) for k in kinds], [dict.fromkeys(kinds, -3)])
    (row,) = read_rows(write_table_csv(tmp_path, table))
    assert row == {
        "int": "-3",
        "count": "-3",
        "eur": "-3.00",
        "share": "-3",
        "score": "-3",
        "decimal": "-3.00",
        "number": "-3",
    }


def test_neutralise_formula_only_touches_the_first_character():
    assert neutralise_formula("=A1") == "'=A1"
    assert neutralise_formula("'=A1") == "''=A1"  # one ' removed by a reader gives the text back
    assert neutralise_formula("'quoted'") == "'quoted'"
    assert neutralise_formula("") == ""
    assert neutralise_formula("SOL_ANT") == "SOL_ANT"


def soffice_to_csv(files: list[Path], out: Path, profile: Path, infilter: str | None = None) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out), *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    missing = [f.name for f in files if not (out / f"{f.stem}.csv").exists()]
    assert not missing, f"soffice did not convert {missing}: {result.stdout} {result.stderr}"


def test_libreoffice_shows_the_cells_as_text_in_the_csv_and_the_workbook(tmp_path):
    table = finance_table()
    exported = write_table_csv(tmp_path / "export", table)
    workbook = write_workbook(tmp_path / "export" / "finance_book.xlsx", [table])
    # controls: the same cells written verbatim (as before the fix), and a workbook with a formula
    control = tmp_path / "control" / "verbatim.csv"
    control.parent.mkdir()
    with control.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["rubric", "amount_eur"])
        writer.writerows([rubric, "1"] for rubric in HOSTILE)
    control_book = tmp_path / "control" / "formula_book.xlsx"
    with xlsxwriter.Workbook(str(control_book)) as book:
        book.add_worksheet().write_formula(0, 0, "=1+1", None, 2)

    out, profile = tmp_path / "out", tmp_path / "lo-profile"
    soffice_to_csv([exported, control], out, profile, infilter="CSV:44,34,76,1")
    soffice_to_csv([workbook, control_book], out, profile)

    verbatim = [r["rubric"] for r in read_rows(out / "verbatim.csv")]
    assert verbatim[1] == "2", f"LibreOffice no longer evaluates CSV formulas on import: {verbatim}"
    assert (out / "formula_book.csv").read_text().strip() == "2"

    as_opened = read_rows(out / "finance.csv")
    rubrics = [r["rubric"] for r in as_opened]
    for typed, shown in zip(HOSTILE, rubrics):
        assert shown.lstrip("'").strip() == typed.strip(), (typed, shown)
    assert as_opened[0]["amount_eur"] == "-27542"  # still a number for the spreadsheet

    with (out / "finance_book.csv").open(encoding="utf-8", newline="") as handle:
        text = handle.read().split("\n", 1)[1]  # below the sheet's title row
    in_book = [r["Rubriek"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    assert in_book == list(HOSTILE), "the workbook writes text cells as text, never as formulas"


@pytest.mark.slow  # dbt parses the whole project: 60 s on the shared 2-core machine
def test_a_formula_typed_into_the_ledger_reaches_finance_csv_as_text(home, tmp_path):
    """The way it happens: a hand-edited ledger export in the landing zone, ingestion, dbt's
    finance mart, the annual-report export. The rubric stays text, the negative amount a number."""
    import duckdb
    from conftest import write_csv
    from support.dbt_run import create_raw_warehouse, failures, run_dbt

    from exports.annual_report import finance
    from exports.tables import publish_folder
    from sources.contract import SOURCES
    from sources.ingest import ingest_source

    write_csv(
        home / "landing",
        "finance_ledger",
        "ledger_2023.csv",
        [
            {
                "entity": "Verplichte Verzekering",
                "rubric": '=HYPERLINK("http://example.invalid/x","klik hier")',
                "year": 2023,
                "amount_eur": "-27542",
            },
            {"entity": "Verplichte Verzekering", "rubric": "@SUM(1,2)", "year": 2023, "amount_eur": "12.5"},
            {"entity": "Verplichte Verzekering", "rubric": "Premies", "year": 2023, "amount_eur": "100"},
        ],
    )
    create_raw_warehouse(home, {})
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        result = ingest_source(home / "landing", SOURCES["finance_ledger"], con, home / "quarantine", b"test-key")
    assert (result.rows_in, result.rows_loaded) == (3, 3), result.rejection_reasons
    built = run_dbt(home, "run", "--select", "+fct_finance_year_change")
    assert built.success, failures(built) or built.exception
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        table = finance(con, 2023)
    publish_folder(tmp_path / "annual_report", [table], "annual_report.xlsx", "run-1", home / "landing", checks={})

    by_rubric = {r["rubric"]: r for r in read_rows(tmp_path / "annual_report" / "finance.csv")}
    assert set(by_rubric) == {'\'=HYPERLINK("http://example.invalid/x","klik hier")', "'@SUM(1,2)", "Premies"}
    assert by_rubric['\'=HYPERLINK("http://example.invalid/x","klik hier")']["amount_eur"] == "-27542.00"
    assert by_rubric["'@SUM(1,2)"]["amount_eur"] == "12.50"


def test_per_column_converters_give_csv_value_text():
    """The per-column fast paths of ``write_table_csv`` (a text cell that is a string, a count that
    is an int) write exactly what ``csv_value`` writes, and ``<5`` stays ``<5`` in every kind."""
    import datetime as dt

    from exports.tables import SUPPRESSED, XLSX_FORMATS, _csv_converter, csv_value

    values = [
        None,
        True,
        False,
        0,
        7,
        -3,
        12345678901,
        1.5,
        -0.25,
        0.0,
        Decimal("2.345"),
        Decimal("-0.0000004"),
        dt.date(2023, 12, 31),
        dt.datetime(2023, 1, 2, 3, 4, 5),
        "",
        "plain",
        "'quoted",
        "''=1",
        "=1+1",
        "+32",
        "-x",
        "@SUM",
        "\tx",
        "\rx",
        "a,b",
        'say "hi"',
        "line\nbreak",
        "12",
        SUPPRESSED,
    ]
    for kind in XLSX_FORMATS:
        convert = _csv_converter(kind)
        for value in values:
            try:
                expected = value if value == SUPPRESSED else csv_value(value, kind)
            except (ValueError, ArithmeticError, TypeError):
                continue  # a value this kind never holds (e.g. a word in an "eur" column)
            assert convert(value) == expected, (kind, value)


def test_neutralise_formula_matches_its_rule():
    """The first-character shortcut of ``neutralise_formula`` changes nothing: a ``'`` is added
    exactly when the text without its leading quotes starts with a formula leader."""
    from exports.tables import FORMULA_LEADERS

    for text in ["", "a", "'", "''", "'a", "'=x", "''+1", "=", "+", "-1", "@", "\t", "\r", "x=1", " =1", "€"]:
        expected = "'" + text if text.lstrip("'").startswith(FORMULA_LEADERS) else text
        assert neutralise_formula(text) == expected, text
