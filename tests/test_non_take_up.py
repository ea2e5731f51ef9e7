"""Non-take-up domain (SPEC §5b): the dbt unit tests of every rule pass, the marts are documented
and contract-typed, and on a small hand-written warehouse the whole project builds (the singular
invariant tests included) and ``exports/<year>/non_take_up/`` holds exactly the §5b columns with
the hand-computed figures, the small-cell rule of §6, the provisional note and the personal-data
note of the mailing list. Also: the Dagster assets of the domain and the published figures on the
dashboard coming from the seed.

The slow acceptance test on the solidaris profile at scale 1.0 is in tests/test_non_take_up_published.py.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import ensure_dbt_manifest
from support.dbt_run import (
    DBT_PROJECT_DIR,
    assert_unit_tests_pass,
    create_raw_warehouse,
    documented_models,
    failures,
    pseudonym,
    run_dbt,
)
from support.spec import MAILING_LIST_HEADER, RENEWAL_STAGES, RIGHT_RENEWAL_HEADER, VT_TAKE_UP_HEADER

MARTS = ("fct_vt_take_up_year", "fct_right_renewal_year", "fct_vt_mailing_list")
MODELS = (
    "stg_member_indicators__indicator_periods",
    "stg_vt_mailings__mailings",
    "stg_right_renewals__renewals",
    "int_vt_mailings_first_of_year",
    "int_vt_candidates_evaluated",
    "int_right_renewals_attributed",
    *MARTS,
)
UNIT_TESTS = {
    "unit_vt_first_mailing_window_attribution_and_vt_status",
    "unit_vt_candidates_indicators_vt_and_365_day_mailing",
    "unit_right_renewals_attribution_stages_and_date_checks",
    "unit_vt_take_up_counts_all_rows_and_rate",
    "unit_vt_take_up_follow_up_complete_against_latest_year",
    "unit_right_renewal_funnel_cumulative_stages_and_shares",
    "unit_vt_mailing_list_due_candidates_of_latest_year",
}
SINGULAR_TESTS = {
    "assert_right_renewal_stages_are_cumulative",
    "assert_non_take_up_all_rows_equal_sum_of_ziekenfondsen",
    "assert_vt_take_up_counts_are_consistent",
    "assert_vt_mailing_list_matches_not_mailed_candidates",
}

# The three landing tables as ingestion creates them (SPEC §5b columns, INSZ -> person_pseudonym,
# lineage); created here only when the contract of this checkout does not declare them yet.
RAW_NON_TAKE_UP = {
    "member_indicators": "person_pseudonym varchar, indicator varchar, start_date date, end_date date, "
    "_source_file varchar, _source_row bigint",
    "vt_mailings": "mailing_id varchar, person_pseudonym varchar, sent_on date, indicator varchar, "
    "is_reminder boolean, _source_file varchar, _source_row bigint",
    "right_renewals": "person_pseudonym varchar, right_year integer, outcome varchar, decided_on date, "
    "letter_sent_on date, _source_file varchar, _source_row bigint",
}


def create_warehouse(home: Path) -> None:
    create_raw_warehouse(home, {})
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for table, columns in RAW_NON_TAKE_UP.items():
            con.execute(f"create table if not exists raw.{table} ({columns})")


def P(label: str) -> str:
    return pseudonym(label)


def hand_rows() -> dict[str, list[tuple]]:
    """Twelve leden of SOL_ANT (A01-A12) and one of SOL_BRA (B01); reporting years 2022-2023.

    2023 by hand: candidates A02-A08 (WEDUWE) and B01 (INVALIDE) = 8 (A01 got VT on 2023-05-01,
    A12 has VT). Mailed on 2023-03-01: A01-A06 and A12 = 7, A06 by reminder, A12 with VT, A01
    converted: rate 1/7. A07 was last mailed 2022-12-31 (exactly 365 days: not due), A08 on
    2022-12-30 (due, reminder), B01 never: 2 not-mailed candidates = the mailing list.
    Right year 2023: A01-A10 AUTO_JUNE, A11 AFTER_LETTER, A12 NO_RIGHT (both with a letter) in
    SOL_ANT; B01 REGULARISED_LATE with a letter in SOL_BRA.
    """
    ant = [f"A{i:02d}" for i in range(1, 13)]
    members = [
        (
            P(p),
            "1960-01-01",
            "F",
            "2000",
            "SOL_BRA" if p == "B01" else "SOL_ANT",
            "TITULARIS",
            None,
            "2000-01-01",
            None,
            "members.csv",
            n,
        )
        for n, p in enumerate([*ant, "B01"], start=1)
    ]
    contributions = [
        (f"C{y}", P("A01"), "ZORGKAS_PREMIE", y, 58, False, None, None, None, "c.csv", n)
        for n, y in enumerate((2022, 2023), start=1)
    ]
    vt = [(P("A01"), "2023-05-01", None, "vt.csv", 1), (P("A12"), "2015-01-01", None, "vt.csv", 2)]
    indicators = [(P(p), "WEDUWE", "2015-01-01", None, "ind.csv", n) for n, p in enumerate(ant[:8] + ["A12"], start=1)]
    indicators += [
        (P("A01"), "INVALIDE", "2015-01-01", None, "ind.csv", 20),
        (P("B01"), "INVALIDE", "2015-01-01", None, "ind.csv", 21),
    ]
    mailings = [
        (f"M{p}", P(p), "2023-03-01", "WEDUWE", p == "A06", "mail.csv", n)
        for n, p in enumerate(ant[:6] + ["A12"], start=1)
    ]
    mailings += [
        ("MA07", P("A07"), "2022-12-31", "WEDUWE", False, "mail.csv", 8),
        ("MA08", P("A08"), "2022-12-30", "WEDUWE", False, "mail.csv", 9),
    ]
    renewals = [(P(p), 2023, "AUTO_JUNE", "2022-06-15", None, "ren.csv", n) for n, p in enumerate(ant[:10], start=1)]
    renewals += [
        (P("A11"), 2023, "AFTER_LETTER", "2022-12-20", "2022-11-10", "ren.csv", 11),
        (P("A12"), 2023, "NO_RIGHT", None, "2022-11-10", "ren.csv", 12),
        (P("B01"), 2023, "REGULARISED_LATE", "2023-02-01", "2022-11-10", "ren.csv", 13),
    ]
    return {
        "members": members,
        "contributions": contributions,
        "vt_periods": vt,
        "member_indicators": indicators,
        "vt_mailings": mailings,
        "right_renewals": renewals,
    }


@pytest.fixture(scope="module")
def unit_build(tmp_path_factory):
    """``dbt build`` of the domain and everything upstream, without data tests (empty raw tables)."""
    home = tmp_path_factory.mktemp("non_take_up_units")
    create_warehouse(home)
    result = run_dbt(home, "build", "--select", *(f"+{m}" for m in MARTS), "--exclude", "test_type:data")
    return home, result


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory) -> Path:
    """The seeds and the domain built, with every data test of its models (the singular invariant
    tests included), on the hand-written rows of ``hand_rows``."""
    home = tmp_path_factory.mktemp("non_take_up_hand")
    create_warehouse(home)
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        for table, rows in hand_rows().items():
            width = len(con.sql(f"select * from raw.{table} limit 0").columns)
            for row in rows:
                assert len(row) == width, (table, row)
                con.execute(f"insert into raw.{table} values ({', '.join('?' for _ in row)})", list(row))
    built = run_dbt(
        home,
        "build",
        "--select",
        "resource_type:seed",
        *(f"+{m}+" for m in MARTS),
        "--indirect-selection",
        "cautious",
    )
    assert built.success, failures(built) or built.exception
    ran = {r.node.name for r in built.result}
    assert ran >= SINGULAR_TESTS, sorted(SINGULAR_TESTS - ran)
    return home


def test_every_rule_has_a_passing_unit_test(unit_build):
    _, result = unit_build
    assert_unit_tests_pass(result, UNIT_TESTS)


def test_models_are_documented_and_marts_typed(unit_build):
    home, _ = unit_build
    nodes = documented_models(home, MODELS, MARTS)
    for name in MARTS:
        assert "§5b" in nodes[name]["description"], name
        assert nodes[name]["fqn"][1:3] == ["marts", "non_take_up"], name
    assert set(VT_TAKE_UP_HEADER) <= set(nodes["fct_vt_take_up_year"]["columns"])
    assert set(RIGHT_RENEWAL_HEADER) <= set(nodes["fct_right_renewal_year"]["columns"])
    assert set(MAILING_LIST_HEADER) <= set(nodes["fct_vt_mailing_list"]["columns"])


def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def exported(hand_warehouse, tmp_path_factory) -> Path:
    from exports.non_take_up import tables
    from exports.tables import publish_folder

    out = tmp_path_factory.mktemp("exports")
    with duckdb.connect(str(hand_warehouse / "warehouse.duckdb"), read_only=True) as con:
        for year in (2022, 2023):
            publish_folder(
                out / str(year) / "non_take_up",
                tables(con, year),
                "non_take_up.xlsx",
                "test",
                hand_warehouse / "landing",
                checks={},
            )
    return out


def test_csv_files_have_exactly_the_spec_columns(exported):
    for year in (2022, 2023):
        folder = exported / str(year) / "non_take_up"
        assert sorted(p.name for p in folder.iterdir()) == [
            "manifest.json",
            "non_take_up.xlsx",
            "right_renewal.csv",
            "vt_mailing_list.csv",
            "vt_take_up.csv",
        ]
        assert read_csv(folder / "vt_take_up.csv")[0] == VT_TAKE_UP_HEADER
        assert read_csv(folder / "right_renewal.csv")[0] == RIGHT_RENEWAL_HEADER
        assert read_csv(folder / "vt_mailing_list.csv")[0] == MAILING_LIST_HEADER
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["tables"]["vt_take_up"]["columns"] == VT_TAKE_UP_HEADER


def test_vt_take_up_holds_the_hand_computed_figures_with_small_cells_suppressed(exported):
    _, rows = read_csv(exported / "2023" / "non_take_up" / "vt_take_up.csv")
    by_key = {(r["ziekenfonds_code"], r["indicator"]): r for r in rows}
    assert len(rows) == 8 * 7  # 7 ziekenfondsen + ALL, 6 indicators + ALL
    landsbond = by_key["ALL", "ALL"]
    assert {k: landsbond[k] for k in VT_TAKE_UP_HEADER[3:]} == {
        "candidates": "8",
        "mailed": "7",
        "reminders": "1",
        "mailed_with_vt": "1",
        "converted_12m": "1",
        "conversion_rate": "0.142857",
        "not_mailed_candidates": "2",
        "follow_up_complete": "false",
    }
    # One indicator of one ziekenfonds is finer than a ziekenfonds: counts below 5 are <5, and the
    # rate goes with them; a whole ziekenfonds (indicator ALL) keeps its numbers.
    weduwe = by_key["SOL_ANT", "WEDUWE"]
    assert [weduwe[k] for k in VT_TAKE_UP_HEADER[3:-1]] == ["7", "7", "<5", "<5", "<5", "<5", "<5"]
    assert by_key["SOL_BRA", "INVALIDE"]["candidates"] == "<5"
    assert by_key["SOL_BRA", "ALL"]["candidates"] == "1"
    assert by_key["SOL_ANT", "ALL"]["reminders"] == "1"
    assert by_key["SOL_LIM", "WEDUWE"]["candidates"] == "0"  # zero is no small cell


def test_right_renewal_funnel_per_whole_ziekenfonds(exported):
    _, rows = read_csv(exported / "2023" / "non_take_up" / "right_renewal.csv")
    assert [r["ziekenfonds_code"] for r in rows][-1] == "ALL"
    ant = next(r for r in rows if r["ziekenfonds_code"] == "SOL_ANT")
    assert [ant[k] for k in ["population", *RENEWAL_STAGES]] == ["12", "10", "10", "10", "2", "11", "1", "1"]
    assert ant["renewed_by_year_end_share"] == "0.916667" and ant["letters_sent_share"] == "0.166667"
    bra = next(r for r in rows if r["ziekenfonds_code"] == "SOL_BRA")
    assert [bra[k] for k in ["population", "renewed_by_year_end", "without_right_at_year_end"]] == ["1", "0", "1"]
    total = next(r for r in rows if r["ziekenfonds_code"] == "ALL")
    assert total["population"] == "13" and total["without_right_final_share"] == "0.076923"


def test_mailing_list_is_the_due_candidates_of_the_latest_year_only(exported):
    _, rows = read_csv(exported / "2023" / "non_take_up" / "vt_mailing_list.csv")
    assert sorted(
        (r["pseudonym"], r["ziekenfonds_code"], r["indicators"], r["last_sent_on"], r["is_reminder_due"]) for r in rows
    ) == sorted(
        [
            (P("A08"), "SOL_ANT", "WEDUWE", "2022-12-30", "true"),
            (P("B01"), "SOL_BRA", "INVALIDE", "", "false"),
        ]
    )
    assert read_csv(exported / "2022" / "non_take_up" / "vt_mailing_list.csv")[1] == []


def test_workbook_is_dutch_with_names_and_notes(exported):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(exported / "2023" / "non_take_up" / "non_take_up.xlsx")
    assert book.sheetnames == ["VT-mailing", "Verlenging recht", "VT-mailinglijst", "Toelichting"]
    sheet = book["VT-mailing"]
    header = [c.value for c in sheet[2]]
    assert header[:5] == ["Jaar", "Ziekenfonds (code)", "Ziekenfonds", "Indicator (code)", "Indicator"]
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert any(row[1:5] == ["SOL_ANT", "Solidaris Antwerpen", "WEDUWE", "Weduwe of weduwnaar"] for row in cells)
    assert any(row[1] is None and row[2] == "Landsbond" for row in cells)  # ALL in the CSV
    notes = {name: [] for name in book.sheetnames}
    for name, note in book["Toelichting"].iter_rows(min_row=3, values_only=True):
        notes[name].append(note)
    assert any("VOORLOPIG" in note for note in notes["VT-mailing"])
    rate_column = header.index("Omzettingsgraad")
    rates = [row[rate_column] for row in sheet.iter_rows(min_row=3) if isinstance(row[rate_column].value, float)]
    assert rates and all(cell.number_format.endswith("%") for cell in rates)
    assert any("PERSOONSGEGEVENS" in note and "pseudoniemen" in note for note in notes["VT-mailinglijst"])
    complete = openpyxl.load_workbook(exported / "2022" / "non_take_up" / "non_take_up.xlsx")["Toelichting"]
    assert "VOORLOPIG" not in " ".join(str(c.value) for row in complete.iter_rows() for c in row if c.value)


def test_export_is_byte_identical_when_repeated(hand_warehouse, exported, tmp_path):
    from exports.non_take_up import tables
    from exports.tables import publish_folder

    with duckdb.connect(str(hand_warehouse / "warehouse.duckdb"), read_only=True) as con:
        publish_folder(
            tmp_path / "again", tables(con, 2023), "non_take_up.xlsx", "test", hand_warehouse / "landing", checks={}
        )
    for name in ("vt_take_up.csv", "right_renewal.csv", "vt_mailing_list.csv", "non_take_up.xlsx"):
        assert (tmp_path / "again" / name).read_bytes() == (exported / "2023" / "non_take_up" / name).read_bytes()


def test_dashboard_shows_the_published_figures_of_the_seed(hand_warehouse, tmp_path):
    """The published funnel comes from the seed: editing the seed changes the page."""
    from dashboards.pages import build_page

    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes((hand_warehouse / "warehouse.duckdb").read_bytes())
    with duckdb.connect(str(copy), read_only=True) as con:
        page = build_page("non_take_up", con)
    published = next(t for t in page.charts[0].figure.data if t.name.startswith("Gepubliceerd"))
    assert [round(v, 3) for v in published.y] == [0.91, 0.94, 0.06, 0.03, 0.008]
    assert all(chart.figure is not None for chart in page.charts)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update reference.non_take_up_published_figures set value = 0.9 where figure_code = 'AUTO_JUNE_SHARE'"
        )
    with duckdb.connect(str(copy), read_only=True) as con:
        page = build_page("non_take_up", con)
    published = next(t for t in page.charts[0].figure.data if t.name.startswith("Gepubliceerd"))
    assert round(published.y[0], 3) == 0.9


def test_dagster_assets_of_the_domain():
    ensure_dbt_manifest()
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for model in ("int_vt_mailings_first_of_year", "int_vt_candidates_evaluated", "int_right_renewals_attributed"):
        assert graph.get(dg.AssetKey(["intermediate", model])).group_name == "non_take_up"
    for mart in MARTS:
        assert graph.get(dg.AssetKey(["marts", mart])).group_name == "non_take_up"
    export = graph.get(dg.AssetKey(["exports", "non_take_up"]))
    assert {dg.AssetKey(["marts", m]) for m in MARTS} <= export.parent_keys
    dashboard = graph.get(dg.AssetKey(["dashboards", "non_take_up"]))
    assert dg.AssetKey(["marts", "fct_right_renewal_year"]) in dashboard.parent_keys
    assert dg.AssetKey(["reference", "non_take_up_published_figures"]) in dashboard.parent_keys
    job = defs.resolve_job_def("annual_report")
    selected = set(job.asset_layer.selected_asset_keys)
    for key in (["marts", "fct_vt_take_up_year"], ["exports", "non_take_up"], ["dashboards", "non_take_up"]):
        assert dg.AssetKey(key) in selected, key
    checks = {k.name for k in graph.asset_check_keys if k.asset_key == dg.AssetKey(["marts", "fct_vt_take_up_year"])}
    assert "checks_fct_vt_take_up_year" in checks, checks


def test_seed_files_name_their_source():
    for name in ("vt_indicators", "non_take_up_published_figures"):
        with (DBT_PROJECT_DIR / "seeds" / "non_take_up" / f"{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows and all("002_65defdc045ec199b.txt" in r["source"] for r in rows), name
