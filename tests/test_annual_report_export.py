"""Annual-report export (SPEC §6: key_figures.csv, finance.csv, staff_fte.csv + workbook).

- a fast test on hand-written raw rows: dbt builds the marts, ``exports.annual_report.tables``
  formats them, and the figures are the hand-computed ones;
- a fast test on a small generated landing zone: ingestion, ``dbt build`` of the three marts and
  ``tables(con, year)`` for 2021-2023: exactly the SPEC columns, ALL = the sum of the seven
  ziekenfondsen;
- slow tests (``make test-slow``): the same through ``run_pipeline`` (ingestion, dbt build of
  every domain, the yearly export partitions; several minutes, most of it other domains' dbt
  models), and the published figures of the 2021 and 2023 annual reports reproduced with the
  generator's ``solidaris`` profile at full scale.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import require_fresh_manifest
from support.dbt_run import build_with_upstream, create_raw_warehouse, pseudonym, read_csv
from support.raw_rows import dossier, member, raw_rows
from support.spec import FINANCE_HEADER, KEY_FIGURES_HEADER, STAFF_HEADER

from exports.annual_report import EXPORTS, tables
from exports.tables import discover_export_specs, publish_folder
from sources.contract import SOURCES, ZIEKENFONDSEN
from sources.generator import generate

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "sources" / "reference"
MY_MARTS = (
    "fct_membership_year",
    "fct_membership_year_change",
    "fct_finance_year",
    "fct_finance_year_change",
    "fct_staff_fte_year",
)


P1, P2, P3, P4, P5 = (pseudonym(f"p{n}") for n in range(1, 6))


# Loaded years 2022 and 2023 (finance and staff activity). Hand-computed key figures below.
RAW = {
    "members": raw_rows(
        "members",
        [
            member(P1, "SOL_ANT", "TITULARIS", date(2010, 1, 1)),
            # dependant who becomes titularis on 1 June 2023
            member(P2, "SOL_ANT", "PERSOON_TEN_LASTE", date(2015, 1, 1), date(2023, 5, 31)),
            member(P2, "SOL_ANT", "TITULARIS", date(2023, 6, 1)),
            # covered by SOL_BRA and (from July 2023) SOL_WAL: counted once, in SOL_WAL, flagged
            member(P3, "SOL_BRA", "TITULARIS", date(2000, 1, 1)),
            member(P3, "SOL_WAL", "PERSOON_TEN_LASTE", date(2023, 7, 1)),
            # leaves on 31/12/2023: still a lid that day
            member(P4, "MSL_LUX", "TITULARIS", date(2001, 1, 1), date(2023, 12, 31)),
            # leaves on 31/12/2022
            member(P5, "SOL_LIM", "TITULARIS", date(2005, 1, 1), date(2022, 12, 31)),
        ],
    ),
    "vt_periods": raw_rows(
        "vt_periods",
        [
            {"person_pseudonym": P1, "start_date": date(2020, 1, 1), "end_date": None},
            {"person_pseudonym": P4, "start_date": date(2022, 1, 1), "end_date": date(2023, 12, 30)},
        ],
    ),
    "zorgkas_affiliations": raw_rows(
        "zorgkas_affiliations",
        [
            {"person_pseudonym": P1, "zorgkas_code": "380", "start_date": date(2010, 1, 1)},
            {"person_pseudonym": P5, "zorgkas_code": "380", "start_date": date(2010, 1, 1)},
            {"person_pseudonym": P2, "zorgkas_code": "180", "start_date": date(2010, 1, 1)},
        ],
    ),
    "zorgkas_dossiers": raw_rows(
        "zorgkas_dossiers",
        [  # applied for on 10 January 2022, decided on 20 February 2022
            dossier("D1", P1, "POSITIEF", date(2022, 4, 1), None, date(2022, 1, 10), date(2022, 2, 20)),
            dossier("D2", P5, "POSITIEF", date(2021, 1, 1), date(2023, 12, 31), date(2022, 1, 10), date(2022, 2, 20)),
            dossier("D3", P1, "NEGATIEF", None, None, date(2022, 1, 10), date(2022, 2, 20)),
        ],
    ),
    "finance_ledger": raw_rows(
        "finance_ledger",
        [
            {"entity": entity, "rubric": rubric, "year": year, "amount_eur": Decimal(amount)}
            for entity, rubric, year, amount in (
                ("VMOB Solidaris Verzekeringen", "Premies", 2022, "85131756"),
                ("VMOB Solidaris Verzekeringen", "Premies", 2023, "91978473"),
                ("Verplichte Verzekering", "Netto-administratiekosten", 2023, "367738280.5"),
            )
        ],
    ),
    "staff_departments": raw_rows(
        "staff_departments",
        [
            {"year": 2023, "department": "Informatica", "fte": Decimal("434")},
            {"year": 2023, "department": "Directiepersoneel", "fte": Decimal("104.5")},
            {"year": 2023, "department": "Totaal aantal", "fte": Decimal("538")},
        ],
    ),
}


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory):
    home = tmp_path_factory.mktemp("annual_report_home")
    create_raw_warehouse(home, RAW)
    result = build_with_upstream(home, MY_MARTS, also=("int_members_flagged_in_several_ziekenfondsen",))
    return home, {r.node.name: str(r.status) for r in result.result or []}


def test_the_export_is_discovered_for_the_annual_report_folder():
    (spec,) = [s for s in discover_export_specs() if s.tables is tables]
    assert spec is EXPORTS[0]
    assert spec.folder == "annual_report"
    assert set(spec.marts) == {("marts", m) for m in MY_MARTS}


def test_data_errors_and_reported_totals_surface_as_warnings(hand_warehouse):
    _, statuses = hand_warehouse
    assert statuses["assert_membership_no_person_in_several_ziekenfondsen"] == "warn"  # P3 in 2023
    assert statuses["assert_staff_reported_total_matches_departments"] == "warn"  # 538 vs 538.5
    assert statuses["assert_membership_all_row_equals_sum_of_ziekenfondsen"] == "pass"
    assert statuses["assert_staff_total_row_equals_sum_of_departments"] == "pass"


def test_export_tables_hold_the_hand_computed_figures(hand_warehouse, tmp_path):
    home, _ = hand_warehouse
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        kerncijfers, key_figures, finance, staff = tables(con, 2023)
        previous_key_figures = tables(con, 2022)[1]
    written = publish_folder(
        tmp_path, [kerncijfers, key_figures, finance, staff], "annual_report.xlsx", "run-1", home, checks=[]
    )
    assert sorted(p.name for p in written) == [
        "annual_report.xlsx",
        "finance.csv",
        "key_figures.csv",
        "manifest.json",
        "staff_fte.csv",
    ]

    header, rows = read_csv(tmp_path / "key_figures.csv")
    assert header == KEY_FIGURES_HEADER
    assert [r["ziekenfonds_code"] for r in rows] == sorted(ZIEKENFONDSEN) + ["ALL"]
    by_code = {r["ziekenfonds_code"]: r for r in rows}
    # the counts in header order: leden, titularissen and vt_leden with their 12-month change, then
    # zorgkas_leden and zorgkas_active_dossiers (the shares are checked below)
    columns = [c for c in KEY_FIGURES_HEADER[2:] if "share" not in c]
    expected = {  # 2023, with the change since 31/12/2022
        "SOL_ANT": ("2", "0", "2", "1", "1", "0", "1", "1"),  # P1, P2 (titularis since June)
        "SOL_BRA": ("0", "-1", "0", "-1", "0", "0", "0", "0"),  # P3 moved to SOL_WAL's count
        "SOL_WAL": ("1", "1", "0", "0", "0", "0", "0", "0"),  # P3, latest affiliation, dependant
        "MSL_LUX": ("1", "0", "1", "0", "0", "-1", "0", "0"),  # P4 leaves on 31/12; VT ended 30/12
        "SOL_LIM": ("0", "-1", "0", "-1", "0", "0", "0", "0"),  # P5 left on 31/12/2022
        "SOL_OVL": ("0", "0", "0", "0", "0", "0", "0", "0"),
        # ALL: P5 is a zorgkas member and has an active dossier without being a lid on 31/12/2023
        "ALL": ("4", "-1", "3", "-1", "1", "-1", "2", "2"),
    }
    for code, values in expected.items():
        assert tuple(by_code[code][c] for c in columns) == values, code
    assert by_code["ALL"]["vt_share"] == "0.25"
    assert by_code["SOL_ANT"]["vt_share"] == "0.5"
    assert by_code["SOL_BRA"]["vt_share"] == ""  # no leden
    assert by_code["ALL"]["market_share_leden"] == "0"  # 4 / 11 572 633, six decimals
    assert any("implied" in note for note in key_figures.notes)
    assert any("twee ziekenfondsen op 31/12/2023 (gegevensfout): 1;" in note for note in key_figures.notes)

    assert all(r["leden_delta_12m"] is None for r in previous_key_figures.rows)  # 2021 not loaded
    assert {r["ziekenfonds_code"]: r["leden"] for r in previous_key_figures.rows}["ALL"] == 5

    header, rows = read_csv(tmp_path / "finance.csv")
    assert header == FINANCE_HEADER
    assert rows == [  # by entity in binary (code point) order: "VM" before "Ve"
        {
            "entity": "VMOB Solidaris Verzekeringen",
            "rubric": "Premies",
            "year": "2023",
            "amount_eur": "91978473.00",
            "previous_year_amount_eur": "85131756.00",
        },
        {
            "entity": "Verplichte Verzekering",
            "rubric": "Netto-administratiekosten",
            "year": "2023",
            "amount_eur": "367738280.50",
            "previous_year_amount_eur": "",
        },
    ]

    header, rows = read_csv(tmp_path / "staff_fte.csv")
    assert header == STAFF_HEADER
    assert rows == [
        {"department": "Directiepersoneel", "fte": "104.50"},
        {"department": "Informatica", "fte": "434.00"},
        {"department": "Totaal", "fte": "538.50"},  # the sum, not the reported 538
    ]
    assert any("meldt een totaal van 538.00" in note for note in staff.notes)

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(tmp_path / "annual_report.xlsx")
    assert book.sheetnames == ["Kerncijfers", "Ledencijfers", "Financiën", "Personeel (vte)", "Toelichting"]
    sheet = book["Ledencijfers"]
    headers = [c.value for c in sheet[2]]
    assert headers[:4] == ["Jaar", "Ziekenfonds (code)", "Ziekenfonds", "Leden"]
    assert sheet.freeze_panes == "A3"
    assert sheet.cell(3, headers.index("Aandeel VT") + 1).number_format == "0.0%"  # vt_share, as a percentage
    finance_headers = [c.value for c in book["Financiën"][2]]
    assert book["Financiën"].cell(3, finance_headers.index("Bedrag (EUR)") + 1).number_format.startswith("#,##0.00")


# --- end to end ---------------------------------------------------------------------------------


def read_exports(home: Path, years) -> dict[int, dict[str, tuple[list[str], list[dict]]]]:
    out = {}
    for year in years:
        folder = home / "exports" / str(year) / "annual_report"
        out[year] = {name: read_csv(folder / f"{name}.csv") for name in ("key_figures", "finance", "staff_fte")}
        assert (folder / "annual_report.xlsx").exists() and (folder / "manifest.json").exists()
    return out


def run_and_read_exports(home: Path, years: list[int]) -> dict[int, dict[str, tuple[list[str], list[dict]]]]:
    from orchestration.runner import run_pipeline

    assert run_pipeline(years=years) == 0
    return read_exports(home, years)


def check_annual_report(year: int, files: dict[str, tuple[list[str], list[dict]]]) -> None:
    """SPEC §6 columns exactly; ALL last and the sum of the seven ziekenfondsen; staff total last."""
    header, rows = files["key_figures"]
    assert header == KEY_FIGURES_HEADER
    assert [r["ziekenfonds_code"] for r in rows] == sorted(ZIEKENFONDSEN) + ["ALL"]
    assert {r["year"] for r in rows} == {str(year)}
    (total,) = [r for r in rows if r["ziekenfonds_code"] == "ALL"]
    for column in ("leden", "titularissen", "vt_leden"):
        assert int(total[column]) == sum(int(r[column]) for r in rows if r is not total), (year, column)
    assert int(total["leden"]) > 0
    assert (total["leden_delta_12m"] == "") == (year == 2021)
    header, finance_rows = files["finance"]
    assert header == FINANCE_HEADER
    assert finance_rows and {r["year"] for r in finance_rows} == {str(year)}
    header, staff = files["staff_fte"]
    assert header == STAFF_HEADER
    assert staff[-1]["department"] == "Totaal"
    assert Decimal(staff[-1]["fte"]) == sum(Decimal(r["fte"]) for r in staff[:-1])


ANNUAL_REPORT_SOURCES = (
    "members",
    "vt_periods",
    "zorgkas_affiliations",
    "zorgkas_dossiers",
    "finance_ledger",
    "staff_departments",
)


def test_generated_landing_zone_exports_the_annual_report_for_each_year(home):
    """Ingestion of the sources the annual report reads, dbt build of its marts, then the export
    function for each year (what the yearly export partitions run), written as CSV."""
    from sources.ingest import ingest_source

    years = [2021, 2022, 2023]
    generate(home / "landing", years, scale=0.002, seed=7, clean=True, profile="default", fmt="parquet", progress=False)
    create_raw_warehouse(home, {})
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for source in ANNUAL_REPORT_SOURCES:
            ingest_source(home / "landing", SOURCES[source], con, home / "quarantine", b"test-key")
    build_with_upstream(home, MY_MARTS, exclude="test_type:unit")

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for year in years:
            folder = home / "exports" / str(year) / "annual_report"
            publish_folder(folder, tables(con, year), "annual_report.xlsx", "test", home / "landing", checks=[])
            check_annual_report(
                year, {n: read_csv(folder / f"{n}.csv") for n in ("key_figures", "finance", "staff_fte")}
            )


@pytest.mark.slow
def test_pipeline_exports_the_annual_report_for_each_year(home):
    require_fresh_manifest(MY_MARTS)
    years = [2021, 2022, 2023]
    generate(home / "landing", years, scale=0.003, seed=7, clean=True, profile="default", fmt="parquet", progress=False)

    exported = run_and_read_exports(home, years)

    for year, files in exported.items():
        check_annual_report(year, files)


# --- published figures (slow) -------------------------------------------------------------------


def published_key_figures() -> dict[tuple[int, str], float]:
    with (REFERENCE / "solidaris_key_figures.csv").open(encoding="utf-8", newline="") as f:
        return {(int(r["year"]), r["metric"]): float(r["value"]) for r in csv.DictReader(f)}


def published_leden_per_ziekenfonds_2021() -> dict[str, int]:
    """The 2021 map of 000, keyed by the seed's ziekenfonds codes (matched on the printed name)."""
    with (REPO / "dbt_project" / "seeds" / "ziekenfondsen.csv").open(encoding="utf-8", newline="") as f:
        code_by_name = {r["name"]: r["ziekenfonds_code"] for r in csv.DictReader(f)}
    with (REFERENCE / "solidaris_ziekenfondsen_2021.csv").open(encoding="utf-8", newline="") as f:
        return {
            code_by_name[r["entity"]]: int(r["leden"]) for r in csv.DictReader(f) if r["entity_type"] == "ziekenfonds"
        }


def percent(value: str, decimals: int) -> float:
    return round(100 * float(value), decimals)


@pytest.mark.slow
def test_solidaris_profile_reproduces_the_published_key_figures(solidaris_scale_1):
    require_fresh_manifest(MY_MARTS)
    assert solidaris_scale_1.exit_code == 0
    exported = read_exports(solidaris_scale_1.home, solidaris_scale_1.years)

    published = published_key_figures()
    totals = {
        year: next(r for r in files["key_figures"][1] if r["ziekenfonds_code"] == "ALL")
        for year, files in exported.items()
    }

    t2023, t2022, t2021 = totals[2023], totals[2022], totals[2021]
    for metric in ("leden", "titularissen", "vt_leden"):
        assert int(t2023[metric]) == published[2023, metric], metric
        assert int(t2023[f"{metric}_delta_12m"]) == published[2023, f"{metric}_growth_12m"], metric
    assert percent(t2023["vt_share"], 1) == round(100 * published[2023, "vt_leden_share"], 1)  # 28.7 %
    assert percent(t2023["market_share_leden"], 1) == round(100 * published[2023, "leden_market_share"], 1)  # 28.6
    assert percent(t2023["market_share_titularissen"], 1) == round(
        100 * published[2023, "titularissen_market_share"], 1
    )  # 27.5

    # 2022: derived in the reference (2023 minus the printed 12-month change); with the published
    # 2022 national totals they give the published NVSM shares 28.57 % and 27.46 %.
    assert int(t2022["leden"]) == published[2022, "leden"]
    assert int(t2022["titularissen"]) == published[2022, "titularissen"]
    assert percent(t2022["market_share_leden"], 2) == 28.57
    assert percent(t2022["market_share_titularissen"], 2) == 27.46

    # 2021: per-ziekenfonds leden of the 2021 report's map (sum 3 252 667).
    per_ziekenfonds = {r["ziekenfonds_code"]: int(r["leden"]) for r in exported[2021]["key_figures"][1]}
    expected_2021 = published_leden_per_ziekenfonds_2021()
    assert {code: per_ziekenfonds[code] for code in expected_2021} == expected_2021
    assert int(t2021["leden"]) == published[2021, "leden"] == sum(expected_2021.values())
