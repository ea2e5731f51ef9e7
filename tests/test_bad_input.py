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

from orchestration.cli import main
from sources.contract import SOURCES
from sources.ingest import SourceRefused, ingest_source
from sources.insz import make_insz
from sources.loader import MAX_VALUE_LENGTH, unknown_landing_entries
from test_privacy import assert_no_insz

CORPUS = Path(__file__).resolve().parent / "data" / "bad"
REPO = Path(__file__).resolve().parents[1]
KEY = b"test-key"
TITULARIS = make_insz("850730033", False)


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
    refused("encoding_latin1", "finance_ledger",
            "not valid UTF-8: byte 0xe9 at line 3, column rubric; the contract requires UTF-8 "
            "(the file looks like Latin-1/Windows-1252: save it again as UTF-8)"),
    refused("separator_comma", "vt_periods",
            "wrong separator: the header 'insz,start_date,end_date' is one column; expected ';' between the "
            "columns (insz;start_date;end_date;...)"),
    refused("missing_column", "contributions", "missing required column(s): scheme"),
    refused("uppercase_header", "vt_periods", "missing required column(s): insz ('INSZ' found, expected exactly 'insz')"),
    refused("duplicate_column", "vt_periods", "column(s) named more than once in the header: start_date"),
    refused("no_header", "members",
            "no header row: the first line holds values, not column names; expected the header "
            "insz;birth_date;sex;postcode;ziekenfonds_code;member_type;titularis_insz;affiliation_start;affiliation_end"),
    refused("empty_file", "members", "empty file (0 bytes): expected a header row; was the export or upload interrupted?"),
    refused("truncated_parquet", "zorgkas_payments",
            "cannot be parsed as Parquet (truncated, corrupt or not a Parquet file): parquet: File out of "
            "specification: The file must end with PAR1 or PARE"),
    refused("parquet_nested_column", "dmw_registrations",
            "column typemodule has Parquet type List(String); expected a single text, number, date or boolean value"),
    refused("ragged_row", "vt_periods",
            "line 4 (data row 3): 4 fields, expected 3 separated by ';' (a ';' inside a value must be enclosed in '\"')"),
    refused("unclosed_quote", "finance_ledger", "line 3 (data row 2): a quoted value opened here is never closed (a '\"' is missing)"),
    refused("stray_quote", "finance_ledger",
            "line 3 (data row 2): an odd number of '\"' characters; a quote inside a value must be doubled and the "
            "value enclosed in '\"'"),
    # files accepted, with a warning where something is ignored
    accepted("extra_column", "vt_periods", 1, "vt_periods/vt_2023.csv: ignoring unknown column(s): remark"),
    accepted("header_only", "members", 0, "members/members_SOL_ANT.csv: no data rows (header only); nothing to load from this file"),
    accepted("bom_crlf", "members", 2),
    accepted("other_files", "vt_periods", 1,
             "vt_periods/.vt_2024.csv.part: hidden file ignored (an upload in progress or a system file)",
             "vt_periods/2024: subfolder ignored, landing files belong directly in",
             "vt_periods/notes.txt: ignored, only .csv and .parquet files are read"),
    accepted("parquet_insz_as_integer", "vt_periods", 2,
             "vt_periods/vt_2023.parquet: column insz is stored as Int64, not as text: INSZ born from 2000 lose their "
             "leading zeros and are rejected; store INSZ as text", quarantined=1),
    # rows rejected to quarantine, the rest of the file loaded
    rejected("decimal_comma", "contributions", 2,
             "2: amount_due: not a number with '.' as decimal separator (got '58,00'); "
             "amount_paid: not a number with '.' as decimal separator (got '58,00')"),
    rejected("duplicate_keys", "members", 4,
             "2: duplicate key (insz, affiliation_start): first seen in members/members_a.csv row 1",
             "3: duplicate key (insz, affiliation_start): first seen in members/members_b.csv row 1"),
    rejected("insz_bad_check_digits", "vt_periods", 2, "2: insz: INSZ check digits do not match (mod 97)"),
    rejected("insz_wrong_length", "vt_periods", 2, "2: insz: INSZ must be 11 digits"),
    rejected("insz_letters", "vt_periods", 2, "2: insz: INSZ must be 11 digits"),
    rejected("date_impossible", "zorgkas_affiliations", 2, "2: start_date: not a valid date, expected YYYY-MM-DD (got '2023-02-30')"),
    rejected("date_year_1880", "members", 2,
             "2: birth_date: date outside the plausible range 1900-01-01..2050-12-31 (got '1880-01-01')"),
    rejected("date_year_2099", "vt_periods", 2,
             "2: end_date: date outside the plausible range 1900-01-01..2050-12-31 (an open end is left empty) (got '2099-12-31')"),
    rejected("end_before_start", "zorgkas_affiliations", 2, "2: end_date is before start_date"),
    rejected("negative_amount", "zorgkas_payments", 2, "2: amount: must be >= 0 (got '-130.00')"),
    rejected("unknown_ziekenfonds_code", "members", 2,
             "2: ziekenfonds_code: unknown code, expected one of SOL_ANT/SOL_BRA/SOL_LIM/SOL_OVL/SOL_WVL/SOL_WAL/MSL_LUX "
             "(got 'SOL_XXX')"),
    rejected("unknown_zorgkas_code", "zorgkas_affiliations", 2,
             "2: zorgkas_code: unknown code, expected one of 180/280/380/480/580 (got '980')"),
    rejected("unknown_dmw_code", "dmw_registrations", 2,
             "2: dmw_code: unknown code, expected one of DMW_CM/DMW_LM_PLUS/DMW_LM_MUTPLUS/DMW_LM_OVL/DMW_VNZ/DMW_NZV/"
             "DMW_HELAN/DMW_SOL_ANT/DMW_SOL_BRA/DMW_SOL_LIM/DMW_SOL_OVL/DMW_SOL_WVL (got 'DMW_SOL_XXX')"),
    rejected("unknown_titularis", "members", 2, "2: titularis_insz: the titularis is not a member in any members file"),
    rejected("blank_line", "vt_periods", 4, "1: empty row: no value in any column", "3: empty row: no value in any column"),
    rejected("insz_in_wrong_column", "members", 2,
             "2: postcode: postcode must be 4 digits (got '850730*****'); titularis_insz: INSZ must be 11 digits"),
    rejected("value_too_long", "contributions", 2, f"2: contribution_id: value too long (5000 bytes, at most {MAX_VALUE_LENGTH})"),
    rejected("number_too_large", "contributions", 2, "2: contribution_year: not a whole number (got '99999999999999999999')"),
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
    assert_no_insz(out + err, where=f"mutwh validate {case.name}")
    if case.outcome == "refused":
        (path,) = [p for p in (case.landing / case.source).iterdir() if p.is_file()]
        assert f"refused: {path}: {case.messages[0]}" in out.splitlines()
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
    assert any(line.startswith(summary) and f"{rows_in} rows, {loaded} valid, {quarantined} rejected" in line
               for line in err.splitlines()), err


def case_rows_file(case: Case):
    """The ``<source>/<file>`` that a rejected row of the case is reported in."""
    files = sorted(p.name for p in (case.landing / case.source).iterdir() if p.is_file())
    if case.name == "duplicate_keys":
        return lambda row: f"{case.source}/members_b.csv"
    (name,) = files
    return lambda row: f"{case.source}/{name}"


# --- ingestion ---------------------------------------------------------------------------------


def ingest(home: Path, source: str):
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        return ingest_source(home / "landing", SOURCES[source], con, home / "quarantine", KEY)


def table_rows(home: Path, source: str) -> list[tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(f"select * from raw.{source} order by all").fetchall()


def previous_state(home: Path, case: Case) -> list[tuple]:
    """Load the source once from the case's valid twin (the first valid row of a good file), so
    that a refused file must leave exactly this behind."""
    good = {
        "finance_ledger": "entity;rubric;year;amount_eur\nVerplichte Verzekering;Beheerskosten;2022;1.00\n",
        "vt_periods": f"insz;start_date;end_date\n{TITULARIS};2019-01-01;\n",
        "contributions": ";".join(SOURCES["contributions"].column_names) + f"\nC0;{TITULARIS};ZORGKAS_PREMIE;2022;58.00;false;;;\n",
        "members": ";".join(SOURCES["members"].column_names) + f"\n{TITULARIS};1985-07-30;M;2000;SOL_ANT;TITULARIS;;2010-01-01;\n",
        "zorgkas_payments": "payment_id;dossier_id;for_month;paid_on;amount\nP0;D0;2022-01;2022-01-20;10.00\n",
        "zorgkas_affiliations": f"insz;zorgkas_code;start_date;end_date\n{TITULARIS};380;2001-01-01;\n",
        "dmw_registrations": ";".join(SOURCES["dmw_registrations"].column_names)
        + f"\nR0;DMW_SOL_ANT;{TITULARIS};2022-01-05;DIRECTE_HULP;false;NONE;true;false\n",
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
    shutil.copytree(case.landing, home / "landing", dirs_exist_ok=True)

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

    result = ingest(home, case.source)
    rows_in, loaded, quarantined = case.rows
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (rows_in, loaded, quarantined)
    assert result.reconciles
    assert len(table_rows(home, case.source)) == loaded
    rows = pl.read_csv(quarantine, separator=";", infer_schema=False)
    assert rows.height == quarantined
    if case.outcome == "rejected":
        got = [f"{row}: {reason}" for row, reason in rows.select("row", "reason").iter_rows()]
        assert got == list(case.messages)
        assert set(rows["file"]) <= {f"{case.source}/{p.name}" for p in (case.landing / case.source).iterdir()}
    else:
        warnings = [w.replace(f"{home}/landing/", "") for w in result.warnings]
        assert len(warnings) == len(case.messages), warnings
        for expected in case.messages:
            assert any(expected in w for w in warnings), (expected, warnings)
    assert_no_insz(quarantine.read_text(encoding="utf-8") + "\n".join(result.warnings) + caplog.text, where=case.name)


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
        chunk = ("8507300332" * 110_000)[:1 << 20]  # digits, so that the line also looks like INSZ
        for _ in range(FIFTY_MB // len(chunk)):
            handle.write(chunk)
        handle.write(f"\n{good.replace('2010-01-01', '2012-01-01')}\n")
    return path


def test_a_fifty_megabyte_line_is_rejected_quickly_and_without_blowing_memory(home, tmp_path):
    path = write_fifty_megabyte_line(home / "landing")
    script = textwrap.dedent(
        """
        import resource, sys
        from orchestration.cli import main
        code = main(["validate", sys.argv[1]])
        print("peak_rss_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
        sys.exit(code)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(home / "landing")], capture_output=True, text=True, timeout=300,
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert done.returncode == 0, done.stderr
    assert "members/members_SOL_ANT.csv:2: insz: value too long (52428800 bytes, at most 1000); insz: INSZ must be 11 digits" in done.stdout
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

    from test_idempotency import export_bytes
    from test_privacy import run_mutwh

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

    shutil.copy(CORPUS / "encoding_latin1" / "finance_ledger" / "ledger_2023.csv", home / "landing" / "finance_ledger" / "ledger_2024.csv")
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
