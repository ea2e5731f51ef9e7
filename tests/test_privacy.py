"""Privacy (SPEC §4, §6): no INSZ anywhere the product writes, no development key in production,
small cells suppressed in exports.

An INSZ is looked for in two ways: any word-bounded 11-digit number whose mod-97 check is valid
(``\\b\\d{11}\\b``, either century), and every INSZ-like value of the landing zone itself (valid or
not: a number with a typo is still a person's number). Both are searched in the DuckDB file (every
VARCHAR column of every schema, and the raw bytes with the WAL), the exports (XLSX unzipped), the
quarantine, the Python logs and captured output, the Dagster storage (sqlite rows and raw bytes,
compute logs), the dashboards and the GX data docs.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.pipeline import run_mutwh
from support.privacy import find_insz, landing_insz, scan_home

from exports.tables import SUPPRESSED, ExportColumn, ExportTable, suppress, write_table_csv, write_workbook
from sources.insz import (
    DEVELOPMENT_KEY,
    PseudonymKeyError,
    make_insz,
    pseudonym_key,
    require_production_key,
)

REPO = Path(__file__).resolve().parents[1]


# --- development key in production -------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "MUTWH_PSEUDONYM_KEY is not set, so the public development key would be used"),
        (DEVELOPMENT_KEY, "MUTWH_PSEUDONYM_KEY holds the public development key"),
        ("short-secret", "MUTWH_PSEUDONYM_KEY is shorter than 32 characters"),
    ],
)
def test_production_refuses_the_development_key(home, monkeypatch, capsys, key, problem):
    from orchestration.cli import main

    monkeypatch.setenv("MUTWH_ENV", "production")
    if key is not None:
        monkeypatch.setenv("MUTWH_PSEUDONYM_KEY", key)
    assert main(["run"]) == 2
    assert main(["run", "--job", "ingest"]) == 2
    err = capsys.readouterr().err
    assert f"error: MUTWH_ENV=production but {problem}: set MUTWH_PSEUDONYM_KEY to the secret pseudonym key" in err
    assert "Traceback" not in err
    assert not (home / "dagster").exists(), "nothing may run before the key is checked"
    with pytest.raises(PseudonymKeyError):
        pseudonym_key()  # the ingestion assets (UI, sensor) refuse too


def test_production_with_a_real_key_and_development_without_production(home, monkeypatch, capsys):
    from orchestration.cli import main

    monkeypatch.setenv("MUTWH_ENV", "Production")
    monkeypatch.setenv("MUTWH_PSEUDONYM_KEY", "k" * 64)
    require_production_key()
    assert pseudonym_key() == b"k" * 64
    # past the key check, an empty landing zone is the next (usage) error
    assert main(["run"]) == 2
    assert "landing zone" in capsys.readouterr().err
    monkeypatch.setenv("MUTWH_ENV", "development")
    monkeypatch.delenv("MUTWH_PSEUDONYM_KEY")
    monkeypatch.setattr("sources.insz._warned", False)
    assert pseudonym_key() == DEVELOPMENT_KEY.encode()


def test_mutwh_run_command_refuses_the_development_key_in_production(home):
    """The installed console script, as an operator would call it."""
    mutwh = Path(sys.executable).parent / "mutwh"
    command = [str(mutwh)] if mutwh.exists() else [sys.executable, "-m", "orchestration.cli"]
    env = {"MUTWH_HOME": str(home), "MUTWH_ENV": "production", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    done = subprocess.run([*command, "run"], capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    assert done.returncode == 2
    assert "error: MUTWH_ENV=production but MUTWH_PSEUDONYM_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


# --- small cells ---------------------------------------------------------------------------------------


def small_cell_table(suppress_small_counts: bool = True) -> ExportTable:
    return ExportTable(
        "users_by_module",
        [
            ExportColumn("module"),
            ExportColumn("users", "count"),
            ExportColumn("share", "share"),
            ExportColumn("year", "int"),
        ],
        [
            {"module": "zero", "users": 0, "share": 0.0, "year": 2023},
            {"module": "one", "users": 1, "share": 0.01, "year": 2023},
            {"module": "four", "users": 4, "share": 0.04, "year": 2023},
            {"module": "five", "users": 5, "share": 0.05, "year": 2023},
            {"module": "many", "users": 1234, "share": 0.9, "year": 2023},
            {"module": "unknown", "users": None, "share": None, "year": 2023},
        ],
        suppress_small_counts=suppress_small_counts,
    )


def test_counts_of_one_to_four_persons_become_lt5_everywhere(tmp_path):
    """Decision: 0 is published as 0, not ``<5``. SPEC §6 suppresses counts of persons so that no
    small group can be singled out; an empty cell singles out nobody, and the inspection needs to
    see a norm with no users at all. 1-4 are replaced, 5 and more kept, null stays empty. Only
    ``count`` columns are touched (years, shares and amounts are no counts of persons)."""
    table = small_cell_table()
    assert [r["users"] for r in suppress(table)] == [0, SUPPRESSED, SUPPRESSED, 5, 1234, None]
    assert [r["year"] for r in suppress(table)] == [2023] * 6

    csv_text = write_table_csv(tmp_path, table).read_text(encoding="utf-8")
    assert csv_text.splitlines()[1:] == [
        "zero,0,0,2023",
        "one,<5,0.01,2023",
        "four,<5,0.04,2023",
        "five,5,0.05,2023",
        "many,1234,0.9,2023",
        "unknown,,,2023",
    ]

    from openpyxl import load_workbook

    sheet = load_workbook(write_workbook(tmp_path / "t.xlsx", [table]))["users_by_module"]
    users = [sheet.cell(row=r, column=2).value for r in range(3, 9)]  # row 1 title, row 2 headers
    assert users == [0, "<5", "<5", 5, 1234, None]
    with zipfile.ZipFile(tmp_path / "t.xlsx") as book:
        cells = book.read("xl/worksheets/sheet1.xml").decode()
    numbers = re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")?><v>([^<]*)</v></c>', cells)  # cells without t="s"
    assert not {"1", "4"} & set(numbers), "the real number may not hide in the workbook"


def test_tables_at_a_whole_ziekenfonds_or_dmw_grain_are_not_suppressed(tmp_path):
    table = small_cell_table(suppress_small_counts=False)
    assert [r["users"] for r in suppress(table)] == [0, 1, 4, 5, 1234, None]


# --- the whole pipeline (slow) --------------------------------------------------------------------------


@pytest.mark.slow
def test_no_insz_anywhere_after_a_full_run(home):
    """A small generated landing zone (with the generator's defects: bad checksums, malformed INSZ,
    unknown titularissen) plus corpus files with an INSZ in the wrong column: after ``mutwh run``,
    no INSZ in any output, the Python logs (the run's stdout and stderr) included."""
    from sources.generator import generate

    generate(home / "landing", [2022, 2023], scale=0.001, seed=11, clean=False, fmt="csv", progress=False)
    corpus = REPO / "tests" / "data" / "bad"
    for case, source in (
        ("insz_in_wrong_column", "members"),
        ("insz_bad_check_digits", "vt_periods"),
        ("unknown_titularis", "members"),
        ("duplicate_keys", "members"),
        # issue 14: INSZ in file names, glued to text, in free text that reaches marts and exports
        ("insz_in_file_name", "vt_periods"),
        ("insz_glued_in_file_name", "members"),
        ("insz_glued_in_text", "zorgkas_affiliations"),
        ("insz_in_free_text", "dmw_proactive_actions"),
        ("insz_in_aid_type", "dmw_aid_loans"),
        ("insz_in_ledger_rubric", "finance_ledger"),
        ("quote_swallows_lines", "dmw_proactive_actions"),
    ):
        for path in (corpus / case / source).iterdir():
            (home / "landing" / source / f"zz_{case}_{path.name}").write_bytes(path.read_bytes())
    known = landing_insz(home / "landing")
    known |= {make_insz(n, c) for n, c in (("850730033", False), ("150412224", True), ("700101001", False))}
    assert len(known) > 1000 and make_insz("850730033", False) in known

    done = run_mutwh(home, "run", "--years", "2022-2023")
    assert done.returncode in (0, 1), done.stderr[-3000:]

    quarantined = sum(len(p.read_text().splitlines()) - 1 for p in (home / "quarantine").rglob("quarantine.csv"))
    assert quarantined > 50, "the run must have rejected rows holding INSZ"
    findings = scan_home(home, known, {"stdout": done.stdout, "stderr (python logs)": done.stderr})
    # dbt's own log is shared by every run of the project: only this landing zone's INSZ count there
    dbt_logs = "\n".join(p.read_text(errors="replace") for p in (REPO / "dbt_project" / "logs").glob("*.log"))
    if leaked := [k for k in find_insz(dbt_logs, known) if k in known]:
        findings["dbt_project/logs"] = leaked
    scanned = {str(p.relative_to(home)) for p in home.rglob("*") if p.is_file() and "landing" not in p.parts}
    for expected in (
        "warehouse.duckdb",
        "exports/ingestion_summary.csv",
        "quarantine/members/quarantine.csv",
        "dashboards/index.html",
    ):
        assert expected in scanned
    assert any(p.startswith("dagster/") and p.endswith(".db") for p in scanned)
    assert any(p.startswith("dagster/storage/") for p in scanned)
    assert findings == {}
