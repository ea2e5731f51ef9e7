"""Bad input (SPEC §4, §9): every case of the corpus ``tests/data/bad/<case>/<source>/<file>`` ends
in a clear message naming file, row or line, column and what was expected — a refused file, a
quarantined row or a warning — through ``mutwh validate`` and through ingestion. Never a traceback,
never a silently dropped row (rows_in = rows_loaded + rows_quarantined), never an INSZ in a message.

The corpus is written by ``tests/data/bad/make_corpus.py``; the 50 MB line is generated here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pytest
from support.landing import ingest, landing_member
from support.privacy import assert_no_insz, find_insz, find_insz_bytes, scan_home

from orchestration.cli import main
from sources.contract import SOURCES
from sources.ingest import SourceRefused
from sources.insz import make_insz
from sources.loader import MAX_VALUE_LENGTH, file_label, shown, unknown_landing_entries

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
REPO = Path(__file__).resolve().parents[1]
TITULARIS = make_insz("850730033", False)
# every INSZ the corpus holds (valid or not): searched anywhere, glued to text or not
KNOWN_INSZ = frozenset(
    {
        *(
            make_insz(first9, born_2000)
            for first9, born_2000 in (
                ("850730033", False),
                ("150412224", True),
                ("700101001", False),
                ("050412224", True),
                ("600101001", False),
            )
        ),
    }
)
QUOTE_OPEN = "a quoted value opens here and does not close on this line (a value cannot span lines: a closing '\"' is missing, or remove the stray '\"')"
QUOTE_INSIDE = "a '\"' inside a value that is not enclosed in '\"' (enclose the whole value in '\"' and double the quote, or remove it)"
QUOTE_AFTER = "text after the closing '\"' of a quoted value (a '\"' inside a value must be doubled)"
UTF16 = "as spreadsheet and PowerShell exports write; save it as CSV UTF-8 (';' separated)"
CR_ONLY = "line ends are CR only (old Mac); save it as CSV UTF-8 with LF or CRLF line ends"
MASKED_FREE_TEXT = "an INSZ-like number in free text masked in {} row(s) (first six digits kept); rows loaded, keep person numbers out of text columns"


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    outcome: str  # refused | rejected | accepted
    # refused: the reason after "<path>: "; rejected: "<row>: <reason>" per row; accepted: warnings
    messages: tuple[str, ...]
    rows: tuple[int, int, int] = (0, 0, 0)  # rows_in, rows_loaded, rows_quarantined
    extra_warnings: tuple[str, ...] = field(default=())

    @property
    def landing(self) -> Path:
        return CORPUS / self.name


def refused(name, source, reason) -> Case:
    return Case(name, source, "refused", (reason,))


def rejected(name, source, rows_in, *reasons) -> Case:
    return Case(name, source, "rejected", reasons, (rows_in, rows_in - len(reasons), len(reasons)))


def accepted(name, source, rows_in, *warnings, quarantined=0) -> Case:
    return Case(name, source, "accepted", warnings, (rows_in, rows_in - quarantined, quarantined))


CASES = [
    # whole files that cannot be used: refused with the file named, previous data kept
    refused(
        "encoding_latin1",
        "finance_ledger",
        "not valid UTF-8: byte 0xe9 at line 3, column rubric; the contract requires UTF-8 "
        "(the file looks like Latin-1/Windows-1252: save it again as UTF-8)",
    ),
    refused(
        "separator_comma",
        "vt_periods",
        "wrong separator: the header 'insz,start_date,end_date' is one column; expected ';' between the "
        "columns (insz;start_date;end_date;...)",
    ),
    refused("missing_column", "contributions", "missing required column(s): scheme"),
    refused(
        "uppercase_header", "vt_periods", "missing required column(s): insz ('INSZ' found, expected exactly 'insz')"
    ),
    refused("duplicate_column", "vt_periods", "column(s) named more than once in the header: start_date"),
    refused(
        "no_header",
        "members",
        "no header row: the first line holds values, not column names; expected the header "
        "insz;birth_date;sex;postcode;ziekenfonds_code;member_type;titularis_insz;affiliation_start;affiliation_end",
    ),
    refused(
        "empty_file", "members", "empty file (0 bytes): expected a header row; was the export or upload interrupted?"
    ),
    refused(
        "truncated_parquet",
        "zorgkas_payments",
        "cannot be parsed as Parquet (truncated, corrupt or not a Parquet file): parquet: File out of "
        "specification: The file must end with PAR1 or PARE",
    ),
    refused(
        "parquet_nested_column",
        "dmw_registrations",
        "column typemodule has Parquet type List(String); expected a single text, number, date or boolean value",
    ),
    refused(
        "ragged_row",
        "vt_periods",
        "line 4 (data row 3): 4 fields, expected 3 separated by ';' (a ';' inside a value must be enclosed in '\"')",
    ),
    # issue 14: encodings and line ends that are not CSV UTF-8, Parquet types, INSZ in a header
    refused("utf16_with_bom", "vt_periods", f"file is UTF-16 (byte-order mark FF FE), {UTF16}"),
    refused("utf16_big_endian", "vt_periods", f"file is UTF-16 (byte-order mark FE FF), {UTF16}"),
    refused(
        "utf16_without_bom",
        "vt_periods",
        "file holds NUL bytes: it is UTF-16 without byte-order mark, or not text at all; save it as CSV UTF-8 (';' separated)",
    ),
    refused("cr_only_line_ends", "members", CR_ONLY),
    refused("cr_only_line_ends_ledger", "finance_ledger", CR_ONLY),
    refused(
        "parquet_duration_for_date",
        "dmw_registrations",
        "column registered_on has Parquet type Duration(time_unit='us'), expected a date (Date, or text YYYY-MM-DD); "
        "write the column as a date (Date, or text YYYY-MM-DD)",
    ),
    refused(
        "parquet_time_for_date",
        "zorgkas_payments",
        "column paid_on has Parquet type Time, expected a date (Date, or text YYYY-MM-DD); write the column as a date "
        "(Date, or text YYYY-MM-DD)",
    ),
    refused(
        "parquet_duration_for_amount",
        "zorgkas_payments",
        "column amount has Parquet type Duration(time_unit='us'), expected a number (or text); write the column as a "
        "number (or text)",
    ),
    refused("insz_duplicated_in_header", "vt_periods", "column(s) named more than once in the header: 850730*****"),
    refused(
        "insz_in_refused_file_name",
        "finance_ledger",
        "not valid UTF-8: byte 0xe9 at line 3, column rubric; the contract requires UTF-8 "
        "(the file looks like Latin-1/Windows-1252: save it again as UTF-8)",
    ),
    # files accepted, with a warning where something is ignored
    accepted("extra_column", "vt_periods", 1, "vt_periods/vt_2023.csv: ignoring unknown column(s): remark"),
    accepted(
        "header_only",
        "members",
        0,
        "members/members_SOL_ANT.csv: no data rows (header only); nothing to load from this file",
    ),
    accepted("bom_crlf", "members", 2),
    accepted(
        "other_files",
        "vt_periods",
        1,
        "vt_periods/.vt_2024.csv.part: hidden file ignored (an upload in progress or a system file)",
        "vt_periods/2024: subfolder ignored, landing files belong directly in",
        "vt_periods/notes.txt: ignored, only .csv and .parquet files are read",
    ),
    accepted(
        "parquet_insz_as_integer",
        "vt_periods",
        2,
        "vt_periods/vt_2023.parquet: column insz is stored as Int64, not as text: INSZ born from 2000 lose their "
        "leading zeros and are rejected; store INSZ as text",
        quarantined=1,
    ),
    accepted(
        "insz_glued_in_header", "vt_periods", 1, "vt_periods/vt_2023.csv: ignoring unknown column(s): klant_700101*****"
    ),
    accepted(
        "insz_in_free_text",
        "dmw_proactive_actions",
        3,
        "dmw_proactive_actions/actions_2023-03.csv: column target_group: " + MASKED_FREE_TEXT.format(2),
    ),
    accepted(
        "insz_in_aid_type",
        "dmw_aid_loans",
        2,
        "dmw_aid_loans/loans_2023-03.csv: column aid_type: " + MASKED_FREE_TEXT.format(1),
    ),
    accepted(
        "insz_in_ledger_rubric",
        "finance_ledger",
        2,
        "finance_ledger/ledger_2023.csv: column rubric: " + MASKED_FREE_TEXT.format(1),
    ),
    accepted(
        "broken_symlink",
        "vt_periods",
        1,
        "vt_periods/vt_2024.csv: broken symbolic link ignored (its target does not exist)",
    ),
    accepted(
        "symlink_loop",
        "vt_periods",
        1,
        "vt_periods/vt_loop.csv: broken symbolic link ignored (its target does not exist)",
    ),
    accepted("uppercase_suffix", "vt_periods", 2),
    # rows rejected to quarantine, the rest of the file loaded
    # a record never spans lines: a line whose quotes break the dialect is quarantined with its number
    rejected("unclosed_quote", "finance_ledger", 3, f"2: line 3: rubric: {QUOTE_OPEN}"),
    rejected("stray_quote", "finance_ledger", 3, f"2: line 3: rubric: {QUOTE_INSIDE}"),
    rejected(
        "quote_swallows_lines",
        "dmw_proactive_actions",
        4,
        f"2: line 3: target_group: {QUOTE_OPEN}",
        f"3: line 4: target_group: {QUOTE_INSIDE}",
    ),
    rejected(
        "quote_inside_value",
        "dmw_aid_loans",
        5,
        f"2: line 3: aid_type: {QUOTE_INSIDE}",
        f"4: line 5: aid_type: {QUOTE_AFTER}",
    ),
    rejected(
        "quote_at_line_end",
        "finance_ledger",
        4,
        f"2: line 3: rubric: {QUOTE_INSIDE}",
        f"4: line 5: amount_eur: {QUOTE_INSIDE}",
    ),
    # INSZ glued to text or in a file name: masked in every message and quarantine value
    rejected("insz_in_file_name", "vt_periods", 2, "2: insz: INSZ check digits do not match (mod 97)"),
    rejected(
        "insz_glued_in_file_name",
        "members",
        2,
        "2: ziekenfonds_code: unknown code, expected one of SOL_ANT/SOL_BRA/SOL_LIM/SOL_OVL/SOL_WVL/SOL_WAL/MSL_LUX "
        "(got 'X700101*****')",
    ),
    rejected(
        "insz_glued_in_text",
        "zorgkas_affiliations",
        3,
        "2: zorgkas_code: unknown code, expected one of 180/280/380/480/580 (got 'klant_700101*****')",
        "3: zorgkas_code: unknown code, expected one of 180/280/380/480/580 (got 'nr70.01.01*****')",
    ),
    # file names with Latin-1 bytes: read, and shown escaped
    rejected(
        "latin1_file_name",
        "vt_periods",
        2,
        "2: end_date: date outside the plausible range 1900-01-01..2050-12-31 (an open end is left empty) (got '2099-12-31')",
    ),
    rejected("latin1_file_name_parquet", "zorgkas_payments", 2, "2: amount: must be >= 0 (got '-1.00')"),
    rejected(
        "decimal_comma",
        "contributions",
        2,
        "2: amount_due: not a number with '.' as decimal separator (got '58,00'); "
        "amount_paid: not a number with '.' as decimal separator (got '58,00')",
    ),
    rejected(
        "duplicate_keys",
        "members",
        4,
        "2: duplicate key (insz, affiliation_start): first seen in members/members_a.csv row 1",
        "3: duplicate key (insz, affiliation_start): first seen in members/members_b.csv row 1",
    ),
    rejected("insz_bad_check_digits", "vt_periods", 2, "2: insz: INSZ check digits do not match (mod 97)"),
    rejected("insz_wrong_length", "vt_periods", 2, "2: insz: INSZ must be 11 digits"),
    rejected("insz_letters", "vt_periods", 2, "2: insz: INSZ must be 11 digits"),
    rejected(
        "date_impossible",
        "zorgkas_affiliations",
        2,
        "2: start_date: not a valid date, expected YYYY-MM-DD (got '2023-02-30')",
    ),
    rejected(
        "date_year_1880",
        "members",
        2,
        "2: birth_date: date outside the plausible range 1900-01-01..2050-12-31 (got '1880-01-01')",
    ),
    rejected(
        "date_year_2099",
        "vt_periods",
        2,
        "2: end_date: date outside the plausible range 1900-01-01..2050-12-31 (an open end is left empty) (got '2099-12-31')",
    ),
    rejected("end_before_start", "zorgkas_affiliations", 2, "2: end_date is before start_date"),
    rejected("negative_amount", "zorgkas_payments", 2, "2: amount: must be >= 0 (got '-130.00')"),
    rejected(
        "unknown_ziekenfonds_code",
        "members",
        2,
        "2: ziekenfonds_code: unknown code, expected one of SOL_ANT/SOL_BRA/SOL_LIM/SOL_OVL/SOL_WVL/SOL_WAL/MSL_LUX "
        "(got 'SOL_XXX')",
    ),
    rejected(
        "unknown_zorgkas_code",
        "zorgkas_affiliations",
        2,
        "2: zorgkas_code: unknown code, expected one of 180/280/380/480/580 (got '980')",
    ),
    rejected(
        "unknown_dmw_code",
        "dmw_registrations",
        2,
        "2: dmw_code: unknown code, expected one of DMW_CM/DMW_LM_PLUS/DMW_LM_MUTPLUS/DMW_LM_OVL/DMW_VNZ/DMW_NZV/"
        "DMW_HELAN/DMW_SOL_ANT/DMW_SOL_BRA/DMW_SOL_LIM/DMW_SOL_OVL/DMW_SOL_WVL (got 'DMW_SOL_XXX')",
    ),
    rejected("unknown_titularis", "members", 2, "2: titularis_insz: the titularis is not a member in any members file"),
    rejected(
        "blank_line", "vt_periods", 4, "1: empty row: no value in any column", "3: empty row: no value in any column"
    ),
    rejected(
        "insz_in_wrong_column",
        "members",
        2,
        "2: postcode: postcode must be 4 digits (got '850730*****'); titularis_insz: INSZ must be 11 digits",
    ),
    rejected(
        "value_too_long",
        "contributions",
        2,
        f"2: contribution_id: value too long (5000 bytes, at most {MAX_VALUE_LENGTH})",
    ),
    rejected("number_too_large", "contributions", 2, "2: contribution_year: not a whole number (got '999999*****')"),
]
BY_NAME = {c.name: c for c in CASES}


def test_the_corpus_holds_exactly_the_listed_cases():
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert on_disk == set(BY_NAME)
    for case in CASES:
        assert (case.landing / case.source).is_dir(), case.name
    committed = b"".join(p.read_bytes() for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".csv", ".parquet"))
    assert len(committed) < 100_000, "keep the corpus small; generate big inputs in the test"


# --- mutwh validate ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_validate_names_file_row_column_and_expectation(case, home, capsys):
    code = main(["validate", str(case.landing)])
    out, err = capsys.readouterr()

    assert code == (1 if case.outcome == "refused" else 0)
    assert "Traceback" not in out + err
    assert_no_insz(out + err, where=f"mutwh validate {case.name}", known=KNOWN_INSZ)
    if case.outcome == "refused":
        (path,) = [p for p in (case.landing / case.source).iterdir() if p.is_file()]
        assert f"refused: {shown(path)}: {case.messages[0]}" in out.splitlines(), out
    elif case.outcome == "rejected":
        file = case_rows_file(case)
        for message in case.messages:
            row, reason = message.split(": ", 1)
            assert f"{file(row)}:{row}: {reason}" in out.splitlines(), out
    else:
        warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
        # a folder that is no source (here the misspelt vt_period) is reported by validate only
        unknown = [entry.split(": ", 1)[0] for entry in unknown_landing_entries(CORPUS / case.name)]
        landing_level = [w for w in warnings if any(w.startswith(f"warning: {u}: not a source") for u in unknown)]
        assert len(landing_level) == len(unknown), warnings
        warnings = [w for w in warnings if w not in landing_level]
        assert len(warnings) == len(case.messages), warnings
        for expected in case.messages:
            assert any(f"{case.landing}/{expected}" in w for w in warnings), (expected, warnings)
    rows_in, loaded, quarantined = case.rows
    summary = f"{case.source}: "
    assert any(
        line.startswith(summary) and f"{rows_in} rows, {loaded} valid, {quarantined} rejected" in line
        for line in err.splitlines()
    ), err


def case_rows_file(case: Case):
    """The ``<source>/<file>`` that a rejected row of the case is reported in."""
    files = sorted(file_label(SOURCES[case.source], p) for p in (case.landing / case.source).iterdir() if p.is_file())
    if case.name == "duplicate_keys":
        return lambda row: f"{case.source}/members_b.csv"
    (name,) = files
    return lambda row: name


# --- ingestion ---------------------------------------------------------------------------------


def table_rows(home: Path, source: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(f"select * from raw.{source} order by all").fetchall()


def previous_state(home: Path, case: Case) -> list[tuple]:
    """Load the source once from the case's valid twin (the first valid row of a good file), so
    that a refused file must leave exactly this behind."""
    good = {
        "finance_ledger": "entity;rubric;year;amount_eur\nVerplichte Verzekering;Beheerskosten;2022;1.00\n",
        "vt_periods": f"insz;start_date;end_date\n{TITULARIS};2019-01-01;\n",
        "contributions": ";".join(SOURCES["contributions"].column_names)
        + f"\nC0;{TITULARIS};ZORGKAS_PREMIE;2022;58.00;false;;;\n",
        "members": ";".join(SOURCES["members"].column_names)
        + f"\n{TITULARIS};1985-07-30;M;2000;SOL_ANT;TITULARIS;;2010-01-01;\n",
        "zorgkas_payments": "payment_id;dossier_id;for_month;paid_on;amount\nP0;D0;2022-01;2022-01-20;10.00\n",
        "zorgkas_affiliations": f"insz;zorgkas_code;start_date;end_date\n{TITULARIS};380;2001-01-01;\n",
        "dmw_registrations": ";".join(SOURCES["dmw_registrations"].column_names)
        + f"\nR0;DMW_SOL_ANT;{TITULARIS};2022-01-05;DIRECTE_HULP;false;NONE;true;false\n",
        "dmw_proactive_actions": ";".join(SOURCES["dmw_proactive_actions"].column_names)
        + f"\nA0;DMW_SOL_ANT;{TITULARIS};senioren;2022-01-05;BRIEF;false\n",
        "dmw_aid_loans": ";".join(SOURCES["dmw_aid_loans"].column_names)
        + f"\nL0;DMW_SOL_ANT;{TITULARIS};rollator;2022-01-05;true\n",
    }[case.source]
    folder = home / "landing" / case.source
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "previous.csv").write_text(good, encoding="utf-8")
    result = ingest(home, case.source)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 0)
    (folder / "previous.csv").unlink()
    return table_rows(home, case.source)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_ingestion_refuses_quarantines_or_warns_and_loses_nothing(case, home, caplog):
    before = previous_state(home, case)
    quarantine = home / "quarantine" / case.source / "quarantine.csv"
    quarantine_before = quarantine.read_bytes()
    shutil.copytree(case.landing, home / "landing", dirs_exist_ok=True, symlinks=True)

    if case.outcome == "refused":
        with pytest.raises(SourceRefused) as info:
            ingest(home, case.source)
        message = str(info.value)
        assert f"source '{case.source}': 1 file(s) refused, previously loaded data kept" in message
        assert f"landing/{case.source}/" in message and case.messages[0] in message
        assert_no_insz(message, where=case.name)
        assert table_rows(home, case.source) == before, "a refused file must leave the loaded table untouched"
        assert quarantine.read_bytes() == quarantine_before
        return

    result = ingest(home, case.source, allow_shrink=True)  # the one-row previous table is no real history
    rows_in, loaded, quarantined = case.rows
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (rows_in, loaded, quarantined)
    assert result.reconciles
    assert result.rows_in == physical_data_lines(case.landing / case.source), "rows_in counts the files' lines"
    assert len(table_rows(home, case.source)) == loaded
    rows = pl.read_csv(quarantine, separator=";", infer_schema=False)
    assert rows.height == quarantined
    if case.outcome == "rejected":
        got = [f"{row}: {reason}" for row, reason in rows.select("row", "reason").iter_rows()]
        assert got == list(case.messages)
        assert set(rows["file"]) <= {
            file_label(SOURCES[case.source], p) for p in (case.landing / case.source).iterdir()
        }
    else:
        warnings = [w.replace(f"{home}/landing/", "") for w in result.warnings]
        assert len(warnings) == len(case.messages), warnings
        for expected in case.messages:
            assert any(expected in w for w in warnings), (expected, warnings)
    assert_no_insz(
        quarantine.read_text(encoding="utf-8") + "\n".join(result.warnings) + caplog.text,
        where=case.name,
        known=KNOWN_INSZ,
    )


@pytest.mark.parametrize(
    "text",
    [
        "ZK380-2013-0000002-202301",
        "ZP2022-000000001",
        "MUT2023-00000001",
        "2023-01-23",
        "331000000.00",
        "1234567890",
        "R2023-0000001",
        "2023.01.01 12:30",
    ],
)
def test_ids_dates_and_amounts_are_no_insz(text):
    from sources.loader import _redact_expr, redact_insz

    assert redact_insz(text) == text
    assert pl.select(_redact_expr(pl.lit(text))).item() == text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"klant_{TITULARIS}", "klant_850730*****"),
        (f"X{TITULARIS}X", "X850730*****X"),
        (f"0{TITULARIS}", "085073*****"),
        ("nr85.07.30-033.28;", "nr85.07.30*****;"),
        ("850730 033 28", "850730*****"),
        ("850730-033.28/85.07.30-033.28", "850730*****/85.07.30*****"),
    ],
)
def test_insz_glued_to_text_or_printed_is_masked(text, masked):
    from sources.loader import _redact_expr, redact_insz

    assert redact_insz(text) == masked
    assert pl.select(_redact_expr(pl.lit(text))).item() == masked


def physical_data_lines(folder: Path) -> int:
    """Data lines of the folder's CSV files counted on the bytes (a last line without line end
    counts, the header does not), plus the rows of its Parquet files."""
    total = 0
    for path in folder.iterdir():
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() == ".csv":
            data = path.read_bytes()
            total += data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1
        elif path.suffix.lower() == ".parquet":
            total += pl.read_parquet(path.read_bytes()).height
    return total


def test_quoted_values_on_one_line_load_and_no_line_is_swallowed(home):
    """Quotes that enclose a whole value (a ';' or a doubled '"' inside) load as the value; a
    value opened by a quote never takes the next lines with it, so the INSZ on the line after
    the unclosed quote is not stored as text of the line before."""
    for case in ("quote_swallows_lines", "quote_inside_value", "quote_at_line_end"):
        shutil.copytree(CORPUS / case, home / "landing", dirs_exist_ok=True)
    for source in ("dmw_proactive_actions", "dmw_aid_loans", "finance_ledger"):
        result = ingest(home, source)
        assert result.reconciles and result.rows_in == physical_data_lines(home / "landing" / source)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        groups = con.sql("select action_id, target_group from raw.dmw_proactive_actions order by all").fetchall()
        aids = con.sql("select loan_id, aid_type from raw.dmw_aid_loans order by all").fetchall()
        rubrics = con.sql("select rubric from raw.finance_ledger order by all").fetchall()
    assert groups == [("A1", "senioren"), ("A4", "mantelzorgers")]
    assert aids == [("L1", "rollator"), ("L3", "rollator"), ("L5", 'douchestoel "XL"')]
    assert rubrics == [("Beheerskosten",), ("Investeringen; gebouwen",)]


# --- shrink guard -------------------------------------------------------------------------------------


def members_rows(count: int) -> list[dict]:
    return [landing_member(make_insz(f"8507300{i + 10:02d}", False), sex="F") for i in range(count)]


@pytest.fixture
def five_members(home, monkeypatch) -> list[tuple]:
    from conftest import write_csv

    monkeypatch.delenv("MUTWH_ALLOW_SHRINK", raising=False)
    monkeypatch.delenv("MUTWH_MAX_SHRINK", raising=False)
    write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(5))
    assert ingest(home, "members").rows_loaded == 5
    return table_rows(home, "members")


def emptied(home: Path) -> None:
    (home / "landing" / "members" / "members_SOL_ANT.csv").unlink()


def only_refused(home: Path) -> None:
    path = home / "landing" / "members" / "members_SOL_ANT.csv"
    path.write_bytes(path.read_text().encode("utf-16"))


def sixty_percent_fewer(home: Path) -> None:
    from conftest import write_csv

    write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(2))


def folder_removed(home: Path) -> None:
    shutil.rmtree(home / "landing" / "members")


@pytest.mark.parametrize("disturb", [emptied, sixty_percent_fewer, folder_removed], ids=lambda f: f.__name__)
def test_a_source_that_loses_its_rows_is_blocked_and_keeps_its_table(home, five_members, disturb):
    from sources.ingest import SourceShrunk

    quarantine = (home / "quarantine" / "members" / "quarantine.csv").read_bytes()
    disturb(home)
    with pytest.raises(SourceShrunk) as info:
        ingest(home, "members")
    after = 2 if disturb is sixty_percent_fewer else 0
    drop = "60%" if after else "all"
    assert str(info.value).startswith(
        f"source 'members': would load {after} rows where raw.members holds 5 (a drop of {drop}; more than 50% is blocked"
    )
    assert (
        "previously loaded data kept. If the drop is intended, run `mutwh run --allow-shrink members` (or set "
        "MUTWH_ALLOW_SHRINK=members, or run config allow_shrink: true in the UI); the threshold is MUTWH_MAX_SHRINK (now 0.5)"
        in str(info.value)
    )
    assert table_rows(home, "members") == five_members
    assert (home / "quarantine" / "members" / "quarantine.csv").read_bytes() == quarantine


def test_a_source_whose_files_are_all_refused_keeps_its_table(home, five_members):
    only_refused(home)
    with pytest.raises(SourceRefused, match="file is UTF-16"):
        ingest(home, "members")
    assert table_rows(home, "members") == five_members


def test_an_allowed_or_small_drop_loads(home, five_members, monkeypatch):
    from conftest import write_csv

    write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(3))  # 40 % fewer: within 50 %
    assert ingest(home, "members").rows_loaded == 3
    write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(5))
    ingest(home, "members")
    sixty_percent_fewer(home)
    monkeypatch.setenv("MUTWH_MAX_SHRINK", "0.7")
    assert ingest(home, "members").rows_loaded == 2
    monkeypatch.delenv("MUTWH_MAX_SHRINK")
    emptied(home)
    for allowed in ("vt_periods,members", "all"):
        monkeypatch.setenv("MUTWH_ALLOW_SHRINK", allowed)
        write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(5))
        ingest(home, "members")
        emptied(home)
        assert ingest(home, "members").rows_loaded == 0
    monkeypatch.delenv("MUTWH_ALLOW_SHRINK")
    write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(5))
    ingest(home, "members")
    emptied(home)
    assert ingest(home, "members", allow_shrink=True).rows_loaded == 0


def test_the_ingestion_asset_fails_on_a_shrink_unless_its_run_config_allows_it(home, five_members):
    """What the UI launchpad or a schedule does: the asset fails with the guard's message, and
    ``allow_shrink: true`` in its run config lets the load through."""
    import dagster as dg

    from orchestration.defs.ingestion.assets import build_ingestion_asset
    from orchestration.resources import GxResource, WarehouseResource

    asset = build_ingestion_asset(SOURCES["members"])
    emptied(home)
    resources = {"warehouse": WarehouseResource(home=str(home)), "gx": GxResource()}
    with dg.instance_for_test() as instance:
        blocked = dg.materialize([asset], resources=resources, instance=instance, raise_on_error=False)
        assert not blocked.success
        failure = next(e for e in blocked.all_events if e.event_type_value == "STEP_FAILURE")
        assert (
            "source 'members': would load 0 rows where raw.members holds 5" in failure.event_specific_data.error.message
        )
        assert len(table_rows(home, "members")) == 5
        allowed = dg.materialize(
            [asset],
            resources=resources,
            instance=instance,
            run_config={"ops": {"raw__members": {"config": {"allow_shrink": True}}}},
        )
        assert allowed.success and table_rows(home, "members") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--allow-shrink", "memebrs"],
            "error: --allow-shrink: unknown source(s) memebrs; expected 'all' or one of members, ",
        ),
    ],
)
def test_allow_shrink_names_a_source(home, capsys, args, message):
    assert main(["run", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_max_shrink_that_is_no_fraction_is_a_configuration_error(home, capsys, monkeypatch):
    monkeypatch.setenv("MUTWH_MAX_SHRINK", "50%")
    assert main(["run"]) == 2
    assert (
        "error: MUTWH_MAX_SHRINK='50%': expected a fraction between 0 and 1, e.g. 0.5 for 50 %"
        in capsys.readouterr().err
    )


@pytest.mark.slow
def test_ingest_job_blocks_an_emptied_folder_until_allowed(home):
    """The command an operator runs: `mutwh run --job ingest` after the members folder was emptied
    fails naming the source and the override; `--allow-shrink members` then loads it."""
    from conftest import write_csv
    from support.pipeline import run_mutwh

    write_csv(home / "landing", "members", "members_SOL_ANT.csv", members_rows(5))
    write_csv(
        home / "landing", "vt_periods", "vt.csv", [{"insz": members_rows(1)[0]["insz"], "start_date": "2020-01-01"}]
    )
    assert run_mutwh(home, "run", "--job", "ingest").returncode == 0
    emptied(home)
    done = run_mutwh(home, "run", "--job", "ingest")
    assert done.returncode == 1
    assert "source 'members': would load 0 rows where raw.members holds 5" in done.stderr
    assert "mutwh run --allow-shrink members" in done.stderr
    assert len(table_rows(home, "members")) == 5
    done = run_mutwh(home, "run", "--job", "ingest", "--allow-shrink", "members")
    assert done.returncode == 0, done.stderr[-2000:]
    assert table_rows(home, "members") == []


# --- unreadable files ----------------------------------------------------------------------------------


def test_an_unreadable_file_is_refused_and_other_sources_still_reported(home, capsys, monkeypatch):
    """Without read permission: refused with what to do, and validate goes on with every source.
    As root permission bits do not stop a read, so there the denial is simulated at the open."""
    from conftest import write_csv

    from sources import loader

    landing = home / "landing"
    locked = write_csv(landing, "members", "members_SOL_ANT.csv", members_rows(2))
    write_csv(landing, "vt_periods", "vt_2023.csv", [{"insz": TITULARIS, "start_date": "2020-01-01"}])
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root
        real_open = open

        def denying_open(path, *args, **kwargs):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(loader, "open", denying_open, raising=False)
    try:
        code = main(["validate", str(landing)])
    finally:
        locked.chmod(0o644)
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in out + err
    assert (
        f"refused: {locked}: cannot be read: permission denied; give the pipeline's user read access to the file "
        "(or remove it from the landing folder)"
    ) in out.splitlines()
    assert "vt_periods: 1 file(s), 1 rows, 1 valid, 0 rejected, 0 file(s) refused" in err
    assert "staff_departments: 0 file(s)" in err


# --- manifest: exactly the files read, hashed when read ------------------------------------------------


def test_manifest_lists_exactly_the_files_read_with_the_hash_taken_when_read(home, tmp_path):
    import hashlib

    from conftest import write_csv

    from exports.tables import write_manifest

    landing = home / "landing"
    extra = write_csv(landing, "vt_periods", "EXTRA.CSV", [{"insz": TITULARIS, "start_date": "2020-01-01"}])
    named = write_csv(landing, "vt_periods", f"vt_{TITULARIS}.csv", [{"insz": TITULARIS, "start_date": "2021-01-01"}])
    write_csv(landing, "vt_periods", ".vt_upload.csv", [{"insz": TITULARIS, "start_date": "2022-01-01"}])
    (landing / "vt_periods" / "2024").mkdir()
    shutil.copy(extra, landing / "vt_periods" / "2024" / "vt_2024.csv")
    hashes = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (extra, named)}
    assert ingest(home, "vt_periods").rows_loaded == 2
    write_csv(landing, "vt_periods", "vt_late.csv", [{"insz": TITULARIS, "start_date": "2019-01-01"}])  # after the load
    extra.write_text(extra.read_text() + f"{TITULARIS};2018-01-01;\n")  # changed after it was read

    folder = tmp_path / "export"
    folder.mkdir()
    manifest = json.loads(write_manifest(folder, "run-1", landing, [], {}, []).read_text())
    assert manifest["input_files"] == [
        {"path": "vt_periods/EXTRA.CSV", "sha256": hashes[extra], "rows_in": 1},
        {"path": "vt_periods/vt_850730*****.csv", "sha256": hashes[named], "rows_in": 1},
    ]
    assert_no_insz(json.dumps(manifest), known=KNOWN_INSZ)


# --- leak scan over every case --------------------------------------------------------------------------


def test_no_corpus_insz_reaches_any_file_message_or_table(tmp_path, monkeypatch, capsys, caplog):
    """Every case validated and ingested into its own data directory: no INSZ of the corpus (valid
    or not, glued to text or not) in the warehouse (raw tables, _ingested_files), quarantine, or
    any other file written, nor in validate's output, refusal messages, warnings or logs."""
    texts: dict[str, str] = {}
    for case in CASES:
        home = tmp_path / case.name
        shutil.copytree(case.landing, home / "landing", symlinks=True)
        monkeypatch.setenv("MUTWH_HOME", str(home))
        main(["validate", str(home / "landing")])
        for source in sorted(p.name for p in (home / "landing").iterdir() if p.name in SOURCES):
            try:
                result = ingest(home, source)
                texts[f"{case.name} warnings"] = "\n".join(result.warnings) + json.dumps(result.files)
            except SourceRefused as error:
                texts[f"{case.name} refusal"] = str(error)
        out, err = capsys.readouterr()
        texts[f"{case.name} output"] = out + err
        assert scan_home(home, set(KNOWN_INSZ)) == {}, case.name
    texts["logs"] = caplog.text
    leaks = {place: found for place, text in texts.items() if (found := find_insz(text, KNOWN_INSZ))}
    assert leaks == {}
    # the scan itself finds what it looks for: the landing files hold the INSZ in every form
    assert find_insz_bytes(
        (CORPUS / "insz_in_free_text" / "dmw_proactive_actions" / "actions_2023-03.csv").read_bytes(), KNOWN_INSZ
    )


def test_a_landing_folder_that_is_no_source_is_reported():
    warnings = unknown_landing_entries(CORPUS / "other_files")
    assert warnings == [
        f"{CORPUS / 'other_files' / 'vt_period'}: not a source of the landing contract, not loaded "
        f"(sources: {', '.join(SOURCES)})"
    ]


# --- a 50 MB line ------------------------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024
PEAK_RSS_BUDGET_MB = 600  # the interpreter with polars takes ~150 MB; the file itself is 50 MB


def write_fifty_megabyte_line(landing: Path) -> Path:
    """A members file whose second data line is 50 MB without a separator or a newline (a binary
    blob, a lost line end): read once, cut to MAX_VALUE_LENGTH, rejected as too long."""
    folder = landing / "members"
    folder.mkdir(parents=True, exist_ok=True)
    header = ";".join(SOURCES["members"].column_names)
    good = f"{TITULARIS};1985-07-30;M;2000;SOL_ANT;TITULARIS;;2010-01-01;"
    path = folder / "members_SOL_ANT.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"{header}\n{good}\n")
        chunk = ("8507300332" * 110_000)[: 1 << 20]  # digits, so that the line also looks like INSZ
        for _ in range(FIFTY_MB // len(chunk)):
            handle.write(chunk)
        handle.write(f"\n{good.replace('2010-01-01', '2012-01-01')}\n")
    return path


def test_a_fifty_megabyte_line_is_rejected_quickly_and_without_blowing_memory(home, tmp_path):
    path = write_fifty_megabyte_line(home / "landing")
    script = textwrap.dedent(
        """
        import re, sys
        from orchestration.cli import main
        code = main(["validate", sys.argv[1]])
        # VmHWM: the peak of this program's own memory. ru_maxrss is not: Linux keeps it across
        # exec, so it starts at the size of the pytest process that forked this one.
        status = open("/proc/self/status").read()
        print("peak_rss_mb", int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024, file=sys.stderr)
        sys.exit(code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(home / "landing")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert (
        "members/members_SOL_ANT.csv:2: insz: value too long (52428800 bytes, at most 1000); insz: INSZ must be 11 digits"
        in done.stdout
    )
    assert len(done.stdout) < 10_000, "the line must not be echoed"
    peak = int(done.stderr.split("peak_rss_mb ")[1].split()[0])
    assert peak < PEAK_RSS_BUDGET_MB, f"validate peaked at {peak} MB for a 50 MB line"

    result = ingest(home, "members")
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert (home / "quarantine" / "members" / "quarantine.csv").stat().st_size < 10_000
    assert path.stat().st_size > FIFTY_MB


# --- the whole pipeline on representative cases (slow) -------------------------------------------------


def asset_metadata(instance, key: list[str]) -> dict:
    import dagster as dg

    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


@pytest.mark.slow
def test_pipeline_quarantines_bad_rows_then_fails_on_a_refused_file_keeping_previous_state(home):
    """A tiny landing zone made of corpus rows: run_pipeline loads the good rows, quarantines the
    bad ones with their reasons and reconciles; a Latin-1 ledger then fails its asset with the file
    named, exit code 1, the previous warehouse and exports untouched."""
    import dagster as dg
    from support.pipeline import export_bytes, run_mutwh

    for case in ("duplicate_keys", "insz_bad_check_digits", "negative_amount", "decimal_comma", "unknown_dmw_code"):
        shutil.copytree(CORPUS / case, home / "landing", dirs_exist_ok=True)
    (home / "landing" / "finance_ledger").mkdir()
    (home / "landing" / "finance_ledger" / "ledger_2023.csv").write_text(
        "entity;rubric;year;amount_eur\nVerplichte Verzekering;Beheerskosten;2023;331000000.00\n", encoding="utf-8"
    )

    done = run_mutwh(home, "run", "--years", "2023")
    assert done.returncode == 0, done.stderr[-3000:]
    with dg.DagsterInstance.get() as instance:
        for source in ("members", "vt_periods", "zorgkas_payments", "contributions", "dmw_registrations"):
            meta = asset_metadata(instance, ["raw", source])
            assert meta["rows_in"] == meta["rows_loaded"] + meta["rows_quarantined"], (source, meta)
            assert meta["rows_quarantined"] >= 1, (source, meta)
    summary = (home / "exports" / "ingestion_summary.csv").read_text()
    assert "members,2,2\n" in summary and "vt_periods,1,1\n" in summary
    warehouse_before = {s: table_rows(home, s) for s in SOURCES}
    exports_before = export_bytes(home)

    shutil.copy(
        CORPUS / "encoding_latin1" / "finance_ledger" / "ledger_2023.csv",
        home / "landing" / "finance_ledger" / "ledger_2024.csv",
    )
    done = run_mutwh(home, "run", "--years", "2023")
    assert done.returncode == 1, done.stderr[-3000:]
    err = done.stderr
    assert "Traceback" not in err
    assert f"{home}/landing/finance_ledger/ledger_2024.csv: not valid UTF-8: byte 0xe9 at line 3, column rubric" in err
    assert "exports and dashboards not published" in err
    assert {s: table_rows(home, s) for s in SOURCES} == warehouse_before
    assert export_bytes(home) == exports_before
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
        assert runs[0].status == dg.DagsterRunStatus.FAILURE
    manifest = json.loads((home / "exports" / "2023" / "annual_report" / "manifest.json").read_text())
    checks = {(c["asset"], c["check"]): c for c in manifest["checks"]}
    assert checks[("raw/members", "rows_reconcile")]["passed"] is True  # quarantined rows are accounted for
    assert manifest["checks_passed"] == all(c["passed"] is not False for c in manifest["checks"])
