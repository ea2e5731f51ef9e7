"""Workbooks people use as they are (issue 17): a small demo is built with the commands a user types
(``mutwh generate``, ``mutwh run``), then every workbook is opened as a reader would, with
openpyxl and with LibreOffice, and checked for what the jaarverslag and the inspection report need:
Dutch headers, names next to codes, numbers as numbers, columns wide enough for what they print,
print setup, notes on their own sheet, and a Kerncijfers page that prints on one landscape page.

The label table (seed export_labels) and the export dictionary ``docs/exports.md`` are checked
without a demo: a workbook column without a Dutch label, or a stale dictionary, fails here.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.spec import KEY_FIGURES_HEADER

from tests.conftest import REPO

openpyxl = pytest.importorskip("openpyxl")

YEARS = "2022-2023"
YEAR = 2023
SCALE = os.environ.get("MUTWH_JOURNEY_SCALE", "0.001")
# While working on this file: a data directory that `mutwh run --years 2022-2023` built.
REUSE = os.environ.get("MUTWH_WORKBOOK_DEMO_HOME")
WORKBOOKS = ("annual_report/annual_report.xlsx", "inspection/inspection.xlsx", "non_take_up/non_take_up.xlsx")
NOTES_SHEET = "Toelichting"
SNAKE_CASE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")
NUMBER_AS_TEXT = re.compile(r"^[+-]?\d[\d ,.]*%?$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """``$MUTWH_HOME`` of a demo built as the README says, at a small scale."""
    if REUSE:
        return Path(REUSE)
    home = tmp_path_factory.mktemp("workbooks") / "mutwh"
    env = {**os.environ, "MUTWH_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    env.pop("MUTWH_TARGET", None)
    mutwh = str(REPO / ".venv" / "bin" / "mutwh")
    for command in (
        [mutwh, "generate", "--years", YEARS, "--scale", SCALE, "--seed", "42"],
        [mutwh, "run", "--years", YEARS],
    ):
        result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"{command} exited {result.returncode}: {result.stderr[-3000:]}"
    return home


def year_folder(demo: Path) -> Path:
    return demo / "exports" / str(YEAR)


def shown(cell) -> str:
    """The text a spreadsheet prints for a cell with its number format (independently of the
    writer's own width computation): ``#,##0.00 €`` → ``10,455,007,552.00 €``, ``+0.0%`` → ``+0.8%``."""
    value, fmt = cell.value, cell.number_format or "General"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ONWAAR"
    if not isinstance(value, (int, float)):
        return str(value)
    section = fmt.split(";")[0] if value >= 0 or ";" not in fmt else fmt.split(";")[1]
    if section == "General":
        return repr(value) if isinstance(value, float) else str(value)
    percent = "%" in section
    number = abs(value) * (100 if percent else 1)
    core = re.sub(r"\[[^\]]*\]|[+\-%\" ]", "", section)
    decimals = len(core.split(".")[1]) if "." in core else 0
    text = f"{number:,.{decimals}f}" if "," in core else f"{number:.{decimals}f}"
    if "#" in (core.split(".")[1] if "." in core else ""):
        text = text.rstrip("0").rstrip(".")
    sign = "-" if value < 0 and ";" not in fmt else ("+" if section.startswith("+") and value > 0 else "")
    if value < 0 and ";" in fmt:
        sign = "-"
    return sign + text + ("%" if percent else "") + (" €" if "€" in section else "")


def data_sheets(book):
    return [book[name] for name in book.sheetnames if name != NOTES_SHEET]


def column_width(sheet, index: int) -> float:
    """The width of column ``index`` (1-based): adjacent columns of one width are stored as one
    ``<col min max>`` range, which openpyxl keys by its first letter only."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.max and dimension.min <= index <= dimension.max:
            return dimension.width
    from openpyxl.utils import get_column_letter

    return sheet.column_dimensions[get_column_letter(index)].width


def header(sheet) -> list:
    return [c.value for c in sheet[2]]


# --- without a demo ------------------------------------------------------------------------------


def test_every_workbook_column_has_a_dutch_label_in_the_seed():
    """A table added to exports/*.py without rows in seed export_labels fails here, by name."""
    from exports.dictionary import missing_labels

    assert missing_labels() == [], "add these to dbt_project/seeds/exports/export_labels.csv"


def test_a_column_without_label_is_reported(tmp_path, monkeypatch):
    from exports import dictionary, labels

    seed = tmp_path / "export_labels.csv"
    lines = labels.LABELS_SEED.read_text(encoding="utf-8").splitlines()
    seed.write_text(
        "\n".join(line for line in lines if not line.startswith("finance,rubric,")) + "\n", encoding="utf-8"
    )
    monkeypatch.setattr(labels, "LABELS_SEED", seed)
    assert dictionary.missing_labels() == ["finance.rubric: no label_nl or description"]


def test_export_dictionary_is_current():
    """docs/exports.md is what `python -m exports.dictionary --write` writes now (make docs-md)."""
    result = subprocess.run(
        [sys.executable, "-m", "exports.dictionary", "--check"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_a_changed_label_makes_the_dictionary_stale(tmp_path, monkeypatch):
    from exports import dictionary, labels

    current = dictionary.render()
    seed = tmp_path / "export_labels.csv"
    seed.write_text(
        labels.LABELS_SEED.read_text(encoding="utf-8").replace(",Rubriek,", ",Rubriek (jaarrekening),"),
        encoding="utf-8",
    )
    monkeypatch.setattr(labels, "LABELS_SEED", seed)
    changed = dictionary.render()
    assert changed != current and "Rubriek (jaarrekening)" in changed
    monkeypatch.setattr(dictionary, "DOCS", tmp_path / "exports.md")
    (tmp_path / "exports.md").write_text(current, encoding="utf-8")
    assert dictionary.main(["--check"]) == 1


def test_the_largest_amount_fits_its_column_and_long_text_wraps(tmp_path):
    """The issue's case: 10 455 007 552,00 € printed ### in a column as wide as ``amount_eur``."""
    from exports.annual_report import FINANCE_COLUMNS
    from exports.tables import ExportTable, write_workbook

    rows = [
        {
            "entity": "Verplichte Verzekering",
            "rubric": "Uitgaven geneeskundige verzorging " * 3,
            "year": 2023,
            "amount_eur": 10455007552.00,
            "previous_year_amount_eur": -9.5,
            "change_eur": 1.0,
            "change_share": 0.008,
        }
    ]
    book = openpyxl.load_workbook(write_workbook(tmp_path / "f.xlsx", [ExportTable("finance", FINANCE_COLUMNS, rows)]))
    sheet = book["Financiën"]
    headers = header(sheet)
    amount = sheet.cell(3, headers.index("Bedrag (EUR)") + 1)
    assert shown(amount) == "10,455,007,552.00 €"
    assert sheet.column_dimensions[amount.column_letter].width >= len(shown(amount))
    rubric = sheet.cell(3, headers.index("Rubriek") + 1)
    assert rubric.alignment.wrap_text and sheet.column_dimensions[rubric.column_letter].width <= 62
    assert shown(sheet.cell(3, headers.index("Verschil (%)") + 1)) == "+0.8%"
    assert sheet.cell(3, headers.index("Boekjaar") + 1).value == 2023


# --- on a demo -----------------------------------------------------------------------------------


def test_every_export_file_and_column_is_in_the_dictionary(demo):
    text = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    exports = demo / "exports"
    files = sorted(p for p in exports.rglob("*") if p.is_file())
    assert files
    for path in files:
        name = re.sub(r"\d{4}-\d{2}", "<YYYY-MM>", path.name)
        assert name in text, f"{path.relative_to(exports)} is not in docs/exports.md"
        if path.suffix == ".csv":
            with path.open(encoding="utf-8") as handle:
                columns = next(csv.reader(handle))
            for column in columns:
                assert f"`{column}`" in text, f"{path.name}: column {column} is not in docs/exports.md"
    manifest = json.loads((year_folder(demo) / "annual_report" / "manifest.json").read_text(encoding="utf-8"))
    for key in manifest:
        assert f"`{key}`" in text, f"manifest.json: {key} is not in docs/exports.md"


@pytest.mark.parametrize("workbook", WORKBOOKS)
def test_workbook_reads_as_a_report(demo, workbook):
    book = openpyxl.load_workbook(year_folder(demo) / workbook)
    assert book.sheetnames[-1] == NOTES_SHEET, "notes belong on their own sheet"
    problems = []
    for sheet in data_sheets(book):
        title = sheet["A1"].value or ""
        assert str(YEAR) in title, f"{sheet.title}: title row without the period: {title!r}"
        assert re.search(r"gegevens t\.e\.m\. [a-z]+ \d{4}$", title), f"{sheet.title}: title without the data's date"
        headers = header(sheet)
        assert all(isinstance(h, str) and h for h in headers), f"{sheet.title}: empty header in {headers}"
        snake = [h for h in headers if SNAKE_CASE.match(h)]
        assert not snake, f"{sheet.title}: headers not labelled in Dutch: {snake}"
        assert sheet.freeze_panes == "A3"
        # print setup: landscape, one page wide, header rows on every page, sheet and page in the footer
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToWidth in (None, 1), sheet.title  # absent = 1 (OOXML default)
        assert sheet.print_title_rows == "$1:$2", sheet.title
        assert "&A" in sheet.oddFooter.left.text and "&P" in sheet.oddFooter.right.text, sheet.title
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if cell.value is None:
                    continue
                width = column_width(sheet, cell.column)
                text = shown(cell)
                if len(text) > width and not cell.alignment.wrap_text and not cell.font.bold:
                    problems.append(f"{sheet.title}!{cell.coordinate}: {text!r} ({len(text)}) wider than {width:.0f}")
                column = headers[cell.column - 1] if cell.column <= len(headers) else ""
                is_code = column.endswith(("(code)", "(id)")) or column in ("Indicator", "Norm", "Pseudoniem")
                if isinstance(cell.value, str) and NUMBER_AS_TEXT.match(cell.value) and not is_code:
                    problems.append(f"{sheet.title}!{cell.coordinate}: number stored as text {cell.value!r}")
                if column in ("Jaar", "Boekjaar", "Maand", "Jaar van het recht") and (
                    not isinstance(cell.value, int) or cell.number_format != "0"
                ):
                    problems.append(f"{sheet.title}!{cell.coordinate}: year {cell.value!r} not a number")
                if "_" in str(cell.value) and cell.row > 2 and cell.column == 1 and len(str(cell.value)) > 60:
                    problems.append(f"{sheet.title}!{cell.coordinate}: a note in the data: {cell.value!r}")
    assert not problems, "\n".join(problems[:30])
    notes = book[NOTES_SHEET]
    assert [c.value for c in notes[2]] == ["Blad", "Toelichting"]
    assert {r[0] for r in notes.iter_rows(min_row=3, values_only=True)} <= set(book.sheetnames)


def test_names_next_to_codes_and_landsbond_instead_of_all(demo):
    book = openpyxl.load_workbook(year_folder(demo) / "annual_report" / "annual_report.xlsx")
    sheet = book["Ledencijfers"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    headers = header(sheet)
    code, name = headers.index("Ziekenfonds (code)"), headers.index("Ziekenfonds")
    assert name == code + 1
    assert ("SOL_ANT", "Solidaris Antwerpen") in [(r[code], r[name]) for r in rows]
    assert rows[-1][name] == "Landsbond" and rows[-1][code] is None
    assert "ALL" not in [c for r in rows for c in r]
    inspection = openpyxl.load_workbook(year_folder(demo) / "inspection" / "inspection.xlsx")
    scores = inspection["Zorgkas-scores"]
    assert "Socialistische zorgkas" in [
        r[header(scores).index("Zorgkas")] for r in scores.iter_rows(min_row=3, values_only=True)
    ]


def test_key_figures_have_previous_year_and_change_as_the_csv_says(demo):
    """The workbook's previous year and changes agree with key_figures.csv (whose bytes stay SPEC §6)."""
    folder = year_folder(demo) / "annual_report"
    with (folder / "key_figures.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == KEY_FIGURES_HEADER
    total = next(r for r in rows if r["ziekenfonds_code"] == "ALL")
    leden, delta = int(total["leden"]), int(total["leden_delta_12m"])
    book = openpyxl.load_workbook(folder / "annual_report.xlsx")
    assert book.sheetnames[0] == "Kerncijfers"
    sheet = book["Ledencijfers"]
    headers = header(sheet)
    last = list(sheet[sheet.max_row])
    by_header = dict(zip(headers, last))
    assert by_header["Leden"].value == leden
    assert by_header["Leden vorig jaar"].value == leden - delta
    assert by_header["Leden: verschil op 12 maanden"].value == delta
    assert by_header["Leden: verschil op 12 maanden"].number_format.startswith("+#,##0")
    assert math.isclose(by_header["Leden: verschil (%)"].value, delta / (leden - delta), abs_tol=1e-6)
    assert by_header["Leden: verschil (%)"].number_format.startswith("+0.0%")
    kern = {r[0]: r for r in book["Kerncijfers"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert kern["Leden"][1:4] == (leden, leden - delta, delta)
    finance = book["Financiën"]
    fin_headers = header(finance)
    for row in finance.iter_rows(min_row=3, values_only=True):
        values = dict(zip(fin_headers, row))
        if values["Bedrag vorig jaar (EUR)"] is not None:
            assert math.isclose(
                values["Verschil (EUR)"], values["Bedrag (EUR)"] - values["Bedrag vorig jaar (EUR)"], abs_tol=0.005
            )


def test_workbook_is_reproducible(demo, tmp_path):
    """Publishing the same marts again gives the same workbook bytes (the title's date is the data's
    latest month, not the time of writing)."""
    import duckdb

    from exports.annual_report import tables
    from exports.labels import load_presentation
    from exports.tables import publish_folder

    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        first = publish_folder(
            tmp_path / "a", tables(con, YEAR), "annual_report.xlsx", "r", demo / "landing", [], load_presentation(con)
        )
        second = publish_folder(
            tmp_path / "b", tables(con, YEAR), "annual_report.xlsx", "r", demo / "landing", [], load_presentation(con)
        )
    assert first[-2].name == "annual_report.xlsx"
    assert first[-2].read_bytes() == second[-2].read_bytes()
    for name in ("key_figures.csv", "finance.csv", "staff_fte.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (year_folder(demo) / "annual_report" / name).read_bytes()


# --- LibreOffice -------------------------------------------------------------------------------


def to_pdf(workbook: Path, out: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; .ci/run installs it")
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(workbook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = out / f"{workbook.stem}.pdf"
    assert pdf.exists(), f"soffice did not convert {workbook.name}: {result.stdout} {result.stderr}"
    return pdf


def pages_by_sheet(pdf: Path) -> dict[str, list[tuple[float, float]]]:
    """Sheet name (from the page footer) → size of each of its pages."""
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(pdf))
    pages: dict[str, list[tuple[float, float]]] = {}
    for page in reader.pages:
        text = page.extract_text() or ""
        match = re.search(r"^(.*?)\s*Pagina \d+ van \d+\s*$", text, re.MULTILINE)  # the footer: sheet, page
        sheet = match.group(1).strip() if match else "?"
        box = page.mediabox
        pages.setdefault(sheet, []).append((float(box.width), float(box.height)))
    return pages


def test_libreoffice_prints_kerncijfers_on_one_landscape_page(demo, tmp_path):
    pdf = to_pdf(year_folder(demo) / "annual_report" / "annual_report.xlsx", tmp_path)
    pages = pages_by_sheet(pdf)
    assert len(pages.get("Kerncijfers", [])) == 1, {k: len(v) for k, v in pages.items()}
    ((width, height),) = pages["Kerncijfers"]
    assert width > height, "Kerncijfers is not landscape"
    assert all(w > h for sizes in pages.values() for w, h in sizes), "every page is landscape"
    assert len(pages.get("Ledencijfers", [])) == 1, {k: len(v) for k, v in pages.items()}
