"""The further checks of the Zorginspectie report on the DMW (issue 16, seed 004): from raw rows with
one violation of each check, through the dbt models, to the files of ``exports/<year>/inspection/``
and the DMW page, as a quality officer would open them; plus the optional ``qualification`` column
of ``dmw_staff`` and the generated check list in ``docs/``.

The hand-computed cases of every model are the dbt unit tests (run by ``test_dmw_norms``); here the
same rules are followed to the published files.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import REPO
from support.dbt_run import dmw_inspection_fixtures, pseudonym, publish_dmw_inspection, read_csv
from support.dmw_rows import (
    DMW_RAW_ROWS,
    housing_advice,
    personal_alarm,
    proactive_action,
    registration,
    staff_member,
)
from support.raw_rows import lineage
from support.spec import DMW_FINDINGS_HEADER, DMW_REPORTED_VS_COMPUTED_HEADER

from dashboards.pages import render_dashboard
from dashboards.render import BuildInfo
from sources.contract import SOURCES
from sources.loader import read_landing_file_scanned

A, B, C = pseudonym("check-user-a"), pseudonym("check-user-b"), pseudonym("check-user-c")


def _alarm(n: int, person: str, start: date, reduced: bool, placement: str = "45.00") -> dict:
    return personal_alarm(
        n, f"K{n}", person, start, None, "24.90", reduced_contribution=reduced, placement_cost=placement
    )


# 2024. DMW_SOL_ANT: A in trajectbegeleiding without active consultation, B in ergo with it; A is
# also helped by DMW_SOL_BRA (directe hulp). Housing: one advice on the home without home visit.
# Alarms: A has VT since 2023 and a contract without reduction whose placement cost is above the
# maximum; seven more contracts, four of them reduced. Staff: one guidance worker hired in 2022
# with a recognised diploma, one without a diploma registered. Proactive: 12 actions over 3 groups.
CHECK_RAW_ROWS = {
    **DMW_RAW_ROWS,
    "dmw_registrations": [
        registration(2, "R1", A, date(2024, 3, 5), "TRAJECTBEGELEIDING", zorgbehoefte=True),
        registration(3, "R2", B, date(2024, 3, 9), "ERGOTHERAPEUTISCH", active_consultation=True),
        registration(4, "R3", A, date(2024, 4, 2), "DIRECTE_HULP", dmw_code="DMW_SOL_BRA", zorgbehoefte=True),
    ],
    "dmw_housing_advice": [
        housing_advice(2, "H1", B, date(2024, 5, 2), home_visit=True),
        housing_advice(3, "H2", C, date(2024, 5, 3), home_visit=False),
    ],
    "dmw_personal_alarms": [
        _alarm(1, A, date(2024, 2, 1), reduced=False, placement="95.00"),
        *(_alarm(n, pseudonym(f"alarm-{n}"), date(2023, 6, n), reduced=n <= 5) for n in range(2, 9)),
    ],
    "vt_periods": [lineage(2, "vt.csv", person_pseudonym=A, start_date=date(2023, 1, 1), end_date=None)],
    "dmw_staff": [
        *DMW_RAW_ROWS["dmw_staff"],
        staff_member(4, "ST3", "MAATSCHAPPELIJK_WERKER", date(2022, 9, 1), None, qualification="BACHELOR_SOCIAAL_WERK"),
    ],
    "dmw_proactive_actions": [
        proactive_action(
            n, f"P{n:02d}", B, ("Mantelzorgers", "Rouw", "Alleenstaanden")[n % 3], date(2024, 2, n), n % 4 == 0
        )
        for n in range(1, 13)
    ],
}
INSPECTION_FILES = (
    "dmw_no_active_consultation",
    "dmw_housing_advice_findings",
    "dmw_placement_cost_above_max",
    "dmw_vt_without_reduction",
    "dmw_staff_qualification",
    "dmw_alarm_invoice_sample",
    "dmw_proactive_sample",
    "dmw_reported_vs_computed",
)


warehouse, published = dmw_inspection_fixtures(CHECK_RAW_ROWS)


def norms(folder: Path, dmw: str) -> dict[str, dict]:
    return {r["norm_code"]: r for r in read_csv(folder / "dmw_norms.csv")[1] if r["dmw_code"] == dmw}


def test_each_check_is_a_norm_with_its_figure(published):
    ant = norms(published, "DMW_SOL_ANT")
    # 1. A's begeleiding lacks active consultation, B's has it: 1 of 2
    assert (ant["BEGELEIDING_ACTIVE_CONSULTATION"]["achieved"], ant["BEGELEIDING_ACTIVE_CONSULTATION"]["met"]) == (
        "0.5",
        "false",
    )
    # 2. H2 without home visit: 1 of 2 WONINGAANPASSING advices complies
    assert (ant["HOUSING_ADVICE_PRACTICE"]["achieved"], ant["HOUSING_ADVICE_PRACTICE"]["met"]) == ("0.5", "false")
    # 3. K1 started in 2024 at 95 EUR (maximum 60, a working assumption)
    assert (ant["ALARM_PLACEMENT_COST_MAX"]["achieved"], ant["ALARM_PLACEMENT_COST_MAX"]["met"]) == ("1", "false")
    # 4. A has VT on K1's start date and no reduction: 0 of 1
    assert (ant["ALARM_REDUCTION_ENTITLED"]["achieved"], ant["ALARM_REDUCTION_ENTITLED"]["met"]) == ("0", "false")
    # 8. ST1 (file without the qualification column) and ST3 (recognised) are hired since 2020
    assert (ant["STAFF_QUALIFICATION"]["achieved"], ant["STAFF_QUALIFICATION"]["met"]) == ("0.5", "false")
    # DMW_SOL_BRA places no alarm: the placement rule is met there, it is not an error
    assert norms(published, "DMW_SOL_BRA")["ALARM_PLACEMENT_COST_MAX"]["met"] == "true"


def test_landsbond_counts_a_person_helped_by_two_dmw_once(published):
    ant, bra, landsbond = (norms(published, d) for d in ("DMW_SOL_ANT", "DMW_SOL_BRA", "LB_300"))
    assert (ant["USERS_REACHED"]["achieved"], bra["USERS_REACHED"]["achieved"]) == ("2", "1")
    assert landsbond["USERS_REACHED"]["achieved"] == "2"  # A and B, not 3
    notes = (published / "dmw_norms.csv").parent.joinpath("inspection.xlsx")
    assert notes.exists()


def test_finding_lists_name_the_records_with_pseudonyms(published):
    expected = {
        "dmw_no_active_consultation": ("R1", A, "TRAJECTBEGELEIDING registration without active consultation"),
        "dmw_housing_advice_findings": ("H2", C, "no home visit"),
        "dmw_placement_cost_above_max": ("K1", A, "placement cost 95.00 EUR above the maximum of 60.00 EUR"),
        "dmw_vt_without_reduction": ("K1", A, "VT since 2023-01-01, no reduced contribution"),
    }
    for name, (record, person, finding) in expected.items():
        columns, rows = read_csv(published / f"{name}.csv")
        assert columns == DMW_FINDINGS_HEADER
        listed = [(r["record_id"], r["person_pseudonym"], r["finding"]) for r in rows]
        assert listed == [(record, person, finding)], name
    columns, rows = read_csv(published / "dmw_staff_qualification.csv")
    assert "person_pseudonym" not in columns
    assert [(r["record_id"], r["finding"]) for r in rows] == [
        ("ST1", "MAATSCHAPPELIJK_WERKER hired 2021-03-15: no qualification registered")
    ]
    # pseudonyms are keyed hex hashes, never an 11-digit INSZ
    for name in INSPECTION_FILES:
        text = (published / f"{name}.csv").read_text(encoding="utf-8")
        assert not any(token.isdigit() and len(token) == 11 for token in text.replace(";", ",").split(","))


def test_samples_are_reproducible_and_follow_the_rules(published, warehouse, tmp_path):
    _, invoices = read_csv(published / "dmw_alarm_invoice_sample.csv")
    ant = [r for r in invoices if r["dmw_code"] == "DMW_SOL_ANT"]
    assert len(ant) == 6  # eight contracts active in 2024, six drawn
    assert [r["reduced_contribution"] for r in ant[:3]] == ["true"] * 3  # three reduced ones first
    _, actions = read_csv(published / "dmw_proactive_sample.csv")
    assert len(actions) == 9
    groups = [r["target_group"] for r in actions]
    assert {g: groups.count(g) for g in set(groups)} == {"Mantelzorgers": 3, "Rouw": 3, "Alleenstaanden": 3}
    again = publish_dmw_inspection(warehouse, tmp_path / "inspection", "other-run")
    for name in INSPECTION_FILES:
        assert (again / f"{name}.csv").read_bytes() == (published / f"{name}.csv").read_bytes(), name


def test_reported_vs_computed_columns_and_flag(published):
    columns, rows = read_csv(published / "dmw_reported_vs_computed.csv")
    assert columns == DMW_REPORTED_VS_COMPUTED_HEADER
    with (REPO / "dbt_project" / "seeds" / "dmw" / "dmw_reported_figures.csv").open(encoding="utf-8") as handle:
        seeded = [r for r in csv.DictReader(handle) if r["year"] == "2024"]
    assert len(rows) == len(seeded)
    for row in rows:
        if row["computed_value"]:
            assert Decimal(row["difference"]) == Decimal(row["reported_value"]) - Decimal(row["computed_value"])
            assert (row["above_tolerance"] == "true") == (abs(Decimal(row["difference"])) > Decimal(row["tolerance"]))


def test_workbook_has_a_dutch_sheet_per_new_table(published):
    openpyxl = pytest.importorskip("openpyxl")
    from exports.labels import load_labels

    labels = load_labels()
    book = openpyxl.load_workbook(published / "inspection.xlsx")
    assert {labels.title(name) for name in INSPECTION_FILES} <= set(book.sheetnames)
    header = [c.value for c in book[labels.title("dmw_no_active_consultation")][2]]
    assert header[0] == "Jaar" and {"Dossier", "Pseudoniem", "Vaststelling"} <= set(header), header
    header = [c.value for c in book[labels.title("dmw_reported_vs_computed")][2]]
    assert {"Gerapporteerd (jaarverslag)", "Berekend (registratie)", "Verschil"} <= set(header), header


def test_dmw_page_shows_every_check_and_the_demo_scale_note(warehouse):
    info = BuildInfo("test-run", None)
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        page = render_dashboard("dmw_norms", con, info)
    for label in (
        "Actief overleg in elke begeleiding",
        "Woonadvies met huisbezoek door ergotherapeut",
        "Plaatsingskost boven maximum",
        "Verminderde bijdrage voor wie VT heeft",
        "Kwalificatie personeel",
        "Controles van Zorginspectie in 2024",
        "Steekproeven voor de inspectie",
        "dmw_no_active_consultation",
        "Reducties automatisch toegekend (R01, per DMW)",
        "✗ niet behaald",
    ):
        assert label in page, label
    # two users against 47 vte x 150: activity far below the per-vte requirement -> the note says why
    assert "de gegevens zijn een steekproef of demo" in page
    assert "DVM" not in page


def test_no_demo_note_when_activity_is_near_the_requirement():
    import tempfile

    from support.dashboard_warehouse import INFO, write_fixture_warehouse  # activity at 0.8-1.16 of the requirement

    with tempfile.TemporaryDirectory() as tmp:
        path = write_fixture_warehouse(Path(tmp) / "warehouse.duckdb")
        with duckdb.connect(str(path)) as con:
            con.sql("alter table marts.fct_dmw_norm_year add column kind varchar")
            con.sql(
                "update marts.fct_dmw_norm_year set kind = case when norm_code in ('USERS_REACHED',"
                " 'USERS_BEGELEIDING', 'USERS_ERGO', 'USERS_HANDICAP_DEMENTIA', 'HOUSING_ADVICE',"
                " 'PERSONAL_ALARMS') then 'PER_VTE' else 'COUNT' end"
            )
            page = render_dashboard("dmw_norms", con, INFO)
            assert "steekproef of demo" not in page
            con.sql("update marts.fct_dmw_norm_year set achieved = achieved / 100 where kind = 'PER_VTE'")
            assert "steekproef of demo" in render_dashboard("dmw_norms", con, INFO)


def test_staff_file_without_the_optional_qualification_column_stays_valid(tmp_path):
    source = SOURCES["dmw_staff"]
    assert not source.column("qualification").required
    header = "staff_id;dmw_code;role;fte;hired_on;left_on;dementia_training_on"
    row = "S1;DMW_SOL_ANT;ERGOTHERAPEUT;0.8;2021-02-01;;2022-05-01"
    for name, text, qualification in (
        ("staff.csv", f"{header}\n{row}\n", None),  # a file without the column
        ("staff_new.csv", f"{header};qualification\n{row};BACHELOR_ERGOTHERAPIE\n", "BACHELOR_ERGOTHERAPIE"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8")
        frame, warnings, _ = read_landing_file_scanned(tmp_path / name, source)
        assert frame["qualification"].to_list() == [qualification] and not warnings, name


def test_check_list_in_docs_is_generated_from_the_seeds():
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.dmw_checks_doc", "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stderr
    page = (REPO / "docs" / "dmw_inspection_checks.md").read_text(encoding="utf-8")
    with (REPO / "dbt_project" / "seeds" / "dmw" / "dmw_norms.csv").open(encoding="utf-8") as handle:
        for norm in csv.DictReader(handle):
            assert f"| `{norm['norm_code']}` | {norm['section']} |" in page, norm["norm_code"]
