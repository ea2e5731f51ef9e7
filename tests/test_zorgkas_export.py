"""Zorgkas tables of the inspection export (SPEC §6: zorgkas_scores.csv,
zorgkas_responsabilisering.csv, plus the drill-down zorgkas_failing_rows.csv).

- a fast test on hand-written raw rows of the own zorgkas for 2021: dbt builds the zorgkas marts,
  ``exports.zorgkas_inspection.tables`` formats them, and the scores, the GLOBAL row, the computed
  responsabilisering and the failing rows are the hand-computed ones; the 2019 table is the replay
  of the published outcome, with the note that the rule is inferred;
- an end-to-end test: the synthetic generator writes a small landing zone for 2021-2023,
  ``run_pipeline`` runs ingestion, dbt and the yearly export partitions; the CSVs have exactly the
  SPEC columns, every indicator scores below 100 % for at least one zorgkas and year (the
  generator's defects), and no INSZ of the landing zone appears in any zorgkas export.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import require_fresh_manifest
from support.dbt_run import build_with_upstream, create_raw_warehouse, pseudonym, read_csv
from support.privacy import INSZ_TOKEN
from support.raw_rows import dossier, payment, raw_rows
from support.spec import FAILING_HEADER, PRODUCTION_HEADER, RESPONSABILISERING_HEADER, SCORES_HEADER

from exports.tables import discover_export_specs, publish_folder
from exports.zorgkas_inspection import EXPORTS, MARTS, tables
from sources.generator import generate

REPO = Path(__file__).resolve().parents[1]
FILES = {
    "zorgkas_scores": SCORES_HEADER,
    "zorgkas_responsabilisering": RESPONSABILISERING_HEADER,
    "zorgkas_failing_rows": FAILING_HEADER,
}
INDICATORS = ("I1", "I2", "I3", "I4", "I5", "I6")


P1, P2, P3 = (pseudonym(f"zk{n}") for n in range(1, 4))


def premium(contribution_id, pseudonym, invited_on):
    return {
        "contribution_id": contribution_id,
        "person_pseudonym": pseudonym,
        "scheme": "ZORGKAS_PREMIE",
        "contribution_year": 2021,
        "amount_due": Decimal("54"),
        "reduced": False,
        "invited_on": invited_on,
    }


# 2021, own zorgkas 380. Hand-computed scores: I1 1/2 (C2 invited in May), I2 1/1, I3 1/1,
# I4 empty (D1 has no right_end: score 1, flagged), I5 1/2 (P2 is for March, before the right),
# I6 2/2. Global = 0.50 x 0.5 + 0.01 + 0.04 + 0.15 + 0.15 x 0.5 + 0.15 = 0.675.
RAW = {
    "contributions": raw_rows(
        "contributions",
        [
            premium("C1", P1, date(2021, 3, 1)),
            premium("C2", P2, date(2021, 5, 2)),
        ],
    ),
    "zorgkas_mutations": raw_rows(
        "zorgkas_mutations",
        [
            {
                "mutation_id": "M1",
                "person_pseudonym": P3,
                "zorgkas_code": "380",
                "mutation_date": date(2021, 2, 1),
                "transmitted_on": date(2021, 2, 10),
                "transmission_correct": True,
            },
        ],
    ),
    "zorgkas_dossiers": raw_rows(
        "zorgkas_dossiers",
        [
            dossier("D1", P3, "POSITIEF", date(2021, 4, 1), None, date(2021, 1, 10), date(2021, 2, 15)),
            # production: a negative ZOZ decision of 2021 is handled too; a ZZB decided in 2020 is not
            dossier("D2", P2, "NEGATIEF", None, None, date(2021, 10, 1), date(2021, 11, 15), pillar="ZOZ"),
            dossier("D0", P1, "POSITIEF", date(2021, 1, 1), date(2021, 12, 31), date(2020, 10, 1), date(2020, 11, 15)),
        ],
    ),
    # production: P1, P2, P3 members of 380 on 31/12/2021 (P3 twice: counted once); P4 left in 2021
    "zorgkas_affiliations": raw_rows(
        "zorgkas_affiliations",
        [
            {"person_pseudonym": p, "zorgkas_code": "380", "start_date": date(2015, 1, 1), "end_date": None}
            for p in (P1, P2, P3)
        ]
        + [
            {"person_pseudonym": P3, "zorgkas_code": "380", "start_date": date(2020, 1, 1), "end_date": None},
            {
                "person_pseudonym": pseudonym("zk4"),
                "zorgkas_code": "380",
                "start_date": date(2015, 1, 1),
                "end_date": date(2021, 12, 30),
            },
        ],
    ),
    "zorgkas_payments": raw_rows(
        "zorgkas_payments",
        [
            payment("D1-202104", "D1", date(2021, 4, 1), date(2021, 4, 25), "130.00"),
            payment("D1-202103", "D1", date(2021, 3, 1), date(2021, 3, 20), "130.00"),
        ],
    ),
}


@pytest.fixture(scope="module")
def hand_warehouse(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("zorgkas_export_home")
    create_raw_warehouse(home, RAW)
    build_with_upstream(home, [name for _, name in MARTS], exclude="resource_type:test,path:models/staging")
    return home


def test_the_export_is_discovered_for_the_inspection_folder():
    (spec,) = [s for s in discover_export_specs() if s.tables is tables]
    assert spec is EXPORTS[0]
    assert (spec.folder, spec.order) == ("inspection", 10)
    assert set(spec.marts) == {
        ("marts", name)
        for name in (
            "fct_zorgkas_indicator_year",
            "fct_zorgkas_score_year",
            "fct_zorgkas_responsabilisering_year",
            "fct_zorgkas_failing_rows",
            "fct_zorgkas_production_year",
        )
    }


def test_export_tables_hold_the_hand_computed_scores_and_failing_rows(hand_warehouse, tmp_path):
    with duckdb.connect(str(hand_warehouse / "warehouse.duckdb"), read_only=True) as con:
        scores, responsabilisering, failing, _ = tables(con, 2021)
    publish_folder(
        tmp_path, [scores, responsabilisering, failing], "inspection.xlsx", "run-1", hand_warehouse, checks=[]
    )

    header, rows = read_csv(tmp_path / "zorgkas_scores.csv")
    assert header == SCORES_HEADER
    assert [(r["indicator"], r["weight"], r["population"], r["compliant"], r["score"]) for r in rows] == [
        ("I1", "0.5", "2", "1", "0.5"),
        ("I2", "0.01", "1", "1", "1"),
        ("I3", "0.04", "1", "1", "1"),
        ("I4", "0.15", "0", "0", "1"),  # empty population: score 1, flagged in the notes
        ("I5", "0.15", "2", "1", "0.5"),
        ("I6", "0.15", "2", "2", "1"),
        ("GLOBAL", "1", "", "", "0.675"),
    ]
    assert {(r["year"], r["zorgkas_code"]) for r in rows} == {("2021", "380")}
    assert any("380 I4" in n and "Empty population" in n for n in scores.notes)
    assert any(n.startswith("Below norm: 380 I1") and "380 I5" in n for n in scores.notes)
    assert any("180, 280, 480, 580" in n for n in scores.notes)

    header, rows = read_csv(tmp_path / "zorgkas_failing_rows.csv")
    assert header == FAILING_HEADER
    assert [(r["indicator"], r["row_id"], r["person_pseudonym"], r["reason"]) for r in rows] == [
        ("I1", "C2", P2, "invited on 2021-05-02, after the deadline 2021-04-30"),
        ("I5", "D1-202103", P3, "payment for 2021-03, before the right starts on 2021-04-01"),
    ]

    # computed basis: 380 below norm on I1 (0.50) and I5 (0.15); share of 2020 = 0.12; 003 subsidies
    # of 2021 (total 9 322 672.89): withheld 0.65 x 0.12 x 2 170 659.90 = 169 311.47, pro rata back.
    header, rows = read_csv(tmp_path / "zorgkas_responsabilisering.csv")
    assert header == RESPONSABILISERING_HEADER
    by_code = {r["zorgkas_code"]: r for r in rows}
    assert list(by_code) == ["180", "280", "380", "480", "580"]
    assert by_code["380"] == {
        "year": "2021",
        "zorgkas_code": "380",
        "global_score": "0.675",
        "pot_eur": "260479.19",
        "withheld_eur": "169311.47",
        "received_eur": "39421.92",
        "net_eur": "-129889.56",
    }
    assert {c: (r["global_score"], r["withheld_eur"], r["net_eur"]) for c, r in by_code.items() if c != "380"} == {
        "180": ("", "0.00", "91562.36"),
        "280": ("", "0.00", "6665.73"),
        "480": ("", "0.00", "13500.38"),
        "580": ("", "0.00", "18161.08"),
    }
    # exact to the millionth in the mart; each cell is rounded to the cent here (-0.01 in total)
    assert sum(Decimal(r["net_eur"]) for r in rows) == Decimal("-0.01")
    notes = " ".join(responsabilisering.notes)
    assert "INFERRED from the published figures" in notes and "not quoted from the regulation" in notes
    assert "Basis: computed" in notes and "180, 280, 480, 580: treated as not below norm" in notes
    assert "the share of 2020 (Y-1)" in notes

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(tmp_path / "inspection.xlsx")
    assert book.sheetnames == [
        "Zorgkas-scores",
        "Zorgkas-responsabilisering",
        "Zorgkas niet-conforme rijen",
        "Toelichting",
    ]
    scores, money = book["Zorgkas-scores"], book["Zorgkas-responsabilisering"]
    assert [c.value for c in scores[2]][-1] == "Score" and scores.cell(3, scores.max_column).number_format == "0.00%"
    headers = [c.value for c in money[2]]
    assert money.cell(3, headers.index("Netto (EUR)") + 1).number_format.startswith("#,##0.00")


def test_a_year_without_computed_scores_exports_the_replay_with_its_notes(hand_warehouse):
    with duckdb.connect(str(hand_warehouse / "warehouse.duckdb"), read_only=True) as con:
        _, replay_2019, _, _ = tables(con, 2019)
        _, replay_2020, _, _ = tables(con, 2020)
        _, nothing_2022, _, _ = tables(con, 2022)

    assert [(r["zorgkas_code"], round(r["net_eur"], 2)) for r in replay_2019.rows] == [
        ("180", Decimal("-13493.19")),
        ("280", Decimal("1131.97")),
        ("380", Decimal("6826.23")),
        ("480", Decimal("2419.09")),
        ("580", Decimal("3115.89")),
    ]
    notes = " ".join(replay_2019.notes)
    assert "INFERRED" in notes and "Basis: replay of the published outcome" in notes
    assert "180: gives up 13 493.19 EUR under this rule, published 13 493.00 EUR" in notes
    assert any("published 27 515.00 EUR" in n and "not explained" in n for n in replay_2020.notes)
    assert nothing_2022.rows == []
    assert any("No responsabilisering for 2022" in n for n in nothing_2022.notes)


def test_production_table_has_the_own_zorgkas_computed_next_to_the_published_ones(hand_warehouse, tmp_path):
    """inspection/zorgkas_production.csv of 2021 as a user gets it: 2019-2021, the own zorgkas of
    the loaded year 2021 computed from the hand rows, everything else as published in 003."""
    with duckdb.connect(str(hand_warehouse / "warehouse.duckdb"), read_only=True) as con:
        production = tables(con, 2021)[3]
        earlier = tables(con, 2019)[3]
    publish_folder(tmp_path, [production], "inspection.xlsx", "run-1", hand_warehouse, checks=[])

    header, rows = read_csv(tmp_path / "zorgkas_production.csv")
    assert header == PRODUCTION_HEADER
    by_key = {(r["year"], r["zorgkas_code"]): r for r in rows}
    assert list(by_key) == [(str(y), c) for y in (2019, 2020, 2021) for c in ("180", "280", "380", "480", "580")]
    # own zorgkas, 2021: 3 members on 31/12 (P3 counted once, P4 left on 30/12); handled = decided in
    # 2021: D1 (ZZB) and D2 (ZOZ, negative), not D0 (decided 2020, still active in 2021);
    # werkingsmiddelen 3 225 317.25 published (003 punt 5): 1 075 105.75 per member, 1 612 658.63 per dossier.
    assert by_key["2021", "380"] == {
        "year": "2021",
        "zorgkas_code": "380",
        "members": "3",
        "dossiers_zzb": "1",
        "dossiers_zoz": "1",
        "dossiers_bob": "0",
        "werkingsmiddelen_eur": "3225317.25",
        "cost_per_member_eur": "1075105.75",
        "cost_per_dossier_eur": "1612658.63",
        "reserves_eur": "",
        "origin": "computed; published: werkingsmiddelen_eur",
    }
    # the own zorgkas in a year that is not loaded, and another zorgkas: as published
    assert by_key["2020", "380"] == {
        "year": "2020",
        "zorgkas_code": "380",
        "members": "928058",
        "dossiers_zzb": "40883",
        "dossiers_zoz": "9653",
        "dossiers_bob": "888",
        "werkingsmiddelen_eur": "3196510.33",
        "cost_per_member_eur": "3.44",
        "cost_per_dossier_eur": "62.16",
        "reserves_eur": "1687248.00",
        "origin": "published",
    }
    assert by_key["2021", "180"]["members"] == "" and by_key["2021", "180"]["origin"] == "published"
    assert {r["origin"] for k, r in by_key.items() if k != ("2021", "380")} == {"published"}
    assert [(r["year"], r["zorgkas_code"]) for r in earlier.rows] == [
        (2019, c) for c in ("180", "280", "380", "480", "580")
    ]

    notes = " ".join(production.notes)
    assert "beslist in het jaar" in notes and "niet in de aangeleverde bestanden" in notes
    # 3 computed members against 928 058 published: the costs are flagged as not comparable
    assert "0,0 % van de gepubliceerde van 2020 (928 058)" in notes and "niet vergelijkbaar" in notes

    openpyxl = pytest.importorskip("openpyxl")
    from exports.labels import load_labels

    sheet = openpyxl.load_workbook(tmp_path / "inspection.xlsx")[load_labels().title("zorgkas_production")]
    headers = [c.value for c in sheet[2]]  # row 1: the title row
    assert headers[0] == "Jaar" and {"Leden op 31/12", "Herkomst"} <= set(headers), headers
    own = next(row for row in sheet.iter_rows(min_row=3, values_only=True) if row[:2] == (2021, "380"))
    assert "Socialistische zorgkas" in own


# --- end to end ---------------------------------------------------------------------------------


def landing_insz(landing: Path) -> set[str]:
    """Every INSZ value written to the landing zone (valid or not), to look for in the exports."""
    import polars as pl

    found: set[str] = set()
    for path in landing.rglob("*"):
        if path.suffix == ".parquet":
            frame = pl.read_parquet(path)
        elif path.suffix == ".csv":
            frame = pl.read_csv(path, separator=";", infer_schema=False)
        else:
            continue
        for column in ("insz", "titularis_insz"):
            if column in frame.columns:
                found.update(v for v in frame[column].cast(pl.Utf8).drop_nulls().to_list() if len(v) >= 11)
    return found


def test_pipeline_exports_zorgkas_tables_with_every_indicator_below_100_percent(home):
    require_fresh_manifest([name for _, name in MARTS])
    years = [2021, 2022, 2023]
    generate(home / "landing", years, scale=0.003, seed=7, clean=False, fmt="parquet", progress=False)
    insz = landing_insz(home / "landing")
    assert insz

    from orchestration.runner import run_pipeline

    assert run_pipeline(years=years) == 0

    below_100: set[str] = set()
    for year in years:
        folder = home / "exports" / str(year) / "inspection"
        assert (folder / "inspection.xlsx").exists() and (folder / "manifest.json").exists()
        for name, expected_header in FILES.items():
            header, rows = read_csv(folder / f"{name}.csv")
            assert header == expected_header, (year, name)
            assert {r["year"] for r in rows} <= {str(year)}
            text = (folder / f"{name}.csv").read_text(encoding="utf-8")
            assert not INSZ_TOKEN.search(text), (year, name)
            assert not [v for v in insz if v in text], (year, name)
        _, scores = read_csv(folder / "zorgkas_scores.csv")
        assert {r["indicator"] for r in scores} == {*INDICATORS, "GLOBAL"}
        below_100 |= {r["indicator"] for r in scores if r["indicator"] != "GLOBAL" and Decimal(r["score"]) < 1}
        _, failing = read_csv(folder / "zorgkas_failing_rows.csv")
        assert all(re.fullmatch(r"[0-9a-f]{32}", r["person_pseudonym"]) for r in failing)
        for r in scores:
            if r["indicator"] != "GLOBAL":
                behind = [
                    f for f in failing if (f["zorgkas_code"], f["indicator"]) == (r["zorgkas_code"], r["indicator"])
                ]
                assert int(r["population"]) - int(r["compliant"]) == len(behind), (year, r)
    assert below_100 == set(INDICATORS)

    for year in years:
        header, production = read_csv(home / "exports" / str(year) / "inspection" / "zorgkas_production.csv")
        assert header == PRODUCTION_HEADER
        own = [r for r in production if r["zorgkas_code"] == "380" and r["year"] == str(year)]
        assert len(own) == 1 and own[0]["origin"].startswith("computed"), year
        assert int(own[0]["members"]) > 0 and int(own[0]["dossiers_zzb"]) > 0, year

    _, responsabilisering = read_csv(home / "exports" / "2021" / "inspection" / "zorgkas_responsabilisering.csv")
    assert [r["zorgkas_code"] for r in responsabilisering] == ["180", "280", "380", "480", "580"]
    assert abs(sum(Decimal(r["net_eur"]) for r in responsabilisering)) <= Decimal("0.05")  # cents rounding
