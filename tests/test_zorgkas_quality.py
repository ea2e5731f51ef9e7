"""Zorgkas quality (SPEC §5 I1-I6, global score, responsabilisering §5a): the dbt side.

One dbt build of the zorgkas models, their seeds and their tests on empty raw tables (in a temp
MUTWH_HOME, with a private target path so it can run next to other dbt invocations):

- the dbt unit tests (one per indicator rule with hand-computed edge cases, the scores, and the
  responsabilisering invariants) and the data tests (generic and singular ``assert_zorgkas_*``)
  all pass;
- the replay of the published 2019-2021 outcome gives the published amounts (RESPONSABILISERING.md);
- the seeds and the docs say what is an assumption and that the rule is inferred.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support.dbt_run import DBT_PROJECT_DIR, create_raw_warehouse, failures, load_manifest, run_dbt

REPO = DBT_PROJECT_DIR.parent
SEED_DIR = DBT_PROJECT_DIR / "seeds" / "zorgkas"
SELECTION = ("+path:models/marts/zorgkas", "path:seeds/zorgkas")
ZORGKASSEN = ("180", "280", "380", "480", "580")
# Net amounts of the replay (RESPONSABILISERING.md), EUR to the cent.
REPLAY_NET = {
    2019: {
        "180": Decimal("-13493.19"),
        "280": Decimal("1131.97"),
        "380": Decimal("6826.23"),
        "480": Decimal("2419.09"),
        "580": Decimal("3115.89"),
    },
    2020: {
        "180": Decimal("-27542.16"),
        "280": Decimal("2334.11"),
        "380": Decimal("13956.20"),
        "480": Decimal("4856.72"),
        "580": Decimal("6395.13"),
    },
    2021: dict.fromkeys(ZORGKASSEN, Decimal("0.00")),
}
UNIT_TESTS = {
    "zorgkas_i1_invitation_on_the_deadline_day_is_in_time",
    "zorgkas_i2_transmission_on_the_30th_day_is_in_time",
    "zorgkas_i3_right_start_on_the_expected_date_vs_one_month_late",
    "zorgkas_i4_validity_of_exactly_60_months_vs_one_month_more",
    "zorgkas_i5_payment_for_a_month_outside_the_right",
    "zorgkas_i6_back_payment_inside_and_outside_30_days",
    "zorgkas_indicator_rows_keep_only_reporting_years",
    "zorgkas_indicator_score_compliant_over_population_1_if_empty",
    "zorgkas_global_score_is_the_weighted_sum",
    "zorgkas_responsabilisering_share_of_previous_year_balances",
    "zorgkas_responsabilisering_no_data_is_not_below_norm",
    "zorgkas_responsabilisering_rounding_keeps_withheld_eq_received",
    "zorgkas_responsabilisering_replay_of_the_published_2019_outcome",
    "zorgkas_production_handled_means_decided_in_the_year",
    "zorgkas_production_own_computed_others_published",
}
SINGULAR_TESTS = {p.stem for p in (DBT_PROJECT_DIR / "tests").glob("assert_zorgkas_*.sql")}


@pytest.fixture(scope="module")
def zorgkas_build(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Seeds, models, unit and data tests of the zorgkas domain (and what they depend on)."""
    home = tmp_path_factory.mktemp("zorgkas_quality_home")
    create_raw_warehouse(home, {})
    result = run_dbt(home, "build", "--select", *SELECTION, "--indirect-selection", "cautious")
    assert result.success, failures(result) or result.exception
    statuses = {r.node.name: str(r.status) for r in result.result or []}
    return home, statuses


def replay_rows(home: Path) -> dict[tuple[int, str], dict]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        relation = con.sql("select * from marts.fct_zorgkas_responsabilisering_year where basis = 'published_replay'")
        names = relation.columns
        rows = [dict(zip(names, values)) for values in relation.fetchall()]
    return {(r["year"], r["zorgkas_code"]): r for r in rows}


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def test_every_unit_and_data_test_of_the_zorgkas_domain_passes(zorgkas_build):
    _, statuses = zorgkas_build
    assert {name: statuses.get(name) for name in UNIT_TESTS} == dict.fromkeys(UNIT_TESTS, "pass")
    assert {
        "assert_zorgkas_withheld_equals_received",
        "assert_zorgkas_responsabilisering_covers_every_zorgkas",
        "assert_zorgkas_replay_matches_published_amounts",
        "assert_zorgkas_failing_rows_match_indicator_counts",
        "assert_zorgkas_indicator_weights_sum_to_one",
    } <= SINGULAR_TESTS
    assert {name: statuses.get(name) for name in SINGULAR_TESTS} == dict.fromkeys(SINGULAR_TESTS, "pass")
    generic = [name for name, status in statuses.items() if "zorgkas" in name and status not in ("pass", "success")]
    assert generic == []


def test_replay_of_the_published_outcome_gives_the_published_amounts(zorgkas_build):
    home, _ = zorgkas_build
    rows = replay_rows(home)
    assert sorted(rows) == [(y, z) for y in (2019, 2020, 2021) for z in ZORGKASSEN]

    for year, expected in REPLAY_NET.items():
        assert {z: cents(rows[year, z]["net_eur"]) for z in ZORGKASSEN} == expected, year
        assert sum(rows[year, z]["net_eur"] for z in ZORGKASSEN) == 0
        assert sum(rows[year, z]["withheld_eur"] for z in ZORGKASSEN) == sum(
            rows[year, z]["received_eur"] for z in ZORGKASSEN
        )

    cm_2019, cm_2020 = rows[2019, "180"], rows[2020, "180"]
    assert cents(cm_2019["withheld_eur"]) == Decimal("29636.44")  # 0.04 x 0.15 x 4 939 405.99
    assert cm_2019["share_year"] == 2018 and cm_2019["responsabilisering_share"] == Decimal("0.04")
    assert round(cm_2019["given_up_eur"]) == cm_2019["published_given_up_eur"] == 13493  # to the euro
    assert cm_2019["published_comparison"].startswith("matches")
    assert cents(cm_2020["withheld_eur"]) == Decimal("59759.14")  # 0.08 x 0.15 x 4 979 928.13
    assert cm_2020["published_given_up_eur"] == 27515
    assert cents(cm_2020["difference_to_published_eur"]) == Decimal("27.16")  # shown, not hidden
    assert "not explained" in cm_2020["published_comparison"]
    assert all(rows[2021, z]["withheld_eur"] == rows[2021, z]["received_eur"] == 0 for z in ZORGKASSEN)
    assert cents(cm_2019["pot_eur"]) == Decimal("197576.24")  # share(Y-1) x subsidy
    assert rows[2019, "180"]["global_score"] == Decimal("0.9644")  # published global score


def read_seed(name: str) -> list[dict]:
    with (SEED_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_seeds_carry_sources_and_mark_assumptions():
    for path in SEED_DIR.glob("*.csv"):
        rows = read_seed(path.stem)
        assert rows and all(r["source"] for r in rows), path.name

    weights = {r["indicator"]: Decimal(r["weight"]) for r in read_seed("zorgkas_indicator_weights")}
    assert weights == {
        "I1": Decimal("0.50"),
        "I2": Decimal("0.01"),
        "I3": Decimal("0.04"),
        "I4": Decimal("0.15"),
        "I5": Decimal("0.15"),
        "I6": Decimal("0.15"),
    }

    parameters = {r["indicator"]: r for r in read_seed("zorgkas_indicator_parameters")}
    assert set(parameters) == set(weights)
    assert all(r["norm"] == "0.95" and r["is_assumption"] == "true" for r in parameters.values())
    assert all("not a quotation of regulation" in r["note"] for r in parameters.values())
    assert (parameters["I1"]["deadline_month"], parameters["I1"]["deadline_day"]) == ("4", "30")
    assert parameters["I2"]["transmission_max_days"] == "30"
    assert (parameters["I3"]["start_offset_months_thuis"], parameters["I3"]["start_offset_months_residentieel"]) == (
        "3",
        "1",
    )
    assert parameters["I4"]["max_validity_months"] == "60"
    assert parameters["I6"]["back_payment_grace_days"] == "30"

    shares = {int(r["year"]): r for r in read_seed("zorgkas_responsabilisering_share")}
    assert {y: Decimal(r["responsabilisering_share"]) for y, r in shares.items()} == {
        2018: Decimal("0.04"),
        2019: Decimal("0.08"),
        2020: Decimal("0.12"),
        2021: Decimal("0.16"),
        **{y: Decimal("0.20") for y in range(2022, 2027)},
    }
    assert {y: r["status"] for y, r in shares.items() if y <= 2022} == {
        2018: "printed",
        2019: "derived",
        2020: "derived",
        2021: "derived",
        2022: "printed",
    }
    assert all(r["status"] == "assumption" and r["is_assumption"] == "true" for y, r in shares.items() if y > 2022)

    replay = read_seed("zorgkas_published_indicator_outcomes")
    below = [(r["year"], r["zorgkas_code"], r["indicator"]) for r in replay if r["below_norm"] == "true"]
    assert below == [("2019", "180", "I4"), ("2020", "180", "I4")]
    assert len(replay) == 3 * 5 * 6


def test_docs_say_the_rule_is_inferred_and_document_every_column(zorgkas_build):
    home, _ = zorgkas_build
    manifest = load_manifest(home)
    nodes = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed")
        and n["original_file_path"].split("/")[1:3]
        in (
            ["intermediate", "zorgkas"],
            ["marts", "zorgkas"],
            ["zorgkas", f"{n['name']}.csv"],
        )
    ]
    assert len(nodes) == 21  # 8 intermediate models, 5 marts, 8 seeds
    for node in nodes:
        assert node["description"], node["name"]
        undocumented = [c for c, column in node["columns"].items() if not column["description"]]
        assert undocumented == [], node["name"]
        if node["resource_type"] == "model":
            assert set(node["columns"]), node["name"]
        if node["original_file_path"].startswith("models/marts/"):
            assert all(column["data_type"] for column in node["columns"].values()), node["name"]
    mart = next(n for n in nodes if n["name"] == "fct_zorgkas_responsabilisering_year")
    assert "INFERRED from the published" in mart["description"]
    assert "NOT quoted from the regulation" in mart["description"]
    assert "27 515" in mart["description"] and "not explained" in mart["description"]


def reference_rows(name: str) -> list[dict]:
    with (REPO / "sources" / "reference" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_production_table_without_loaded_years_is_the_published_tables_of_003(zorgkas_build):
    """No landing data: every row of fct_zorgkas_production_year is published, and its figures and
    costs are those of the reference tables of 003 (punt 5-9), divided here by hand."""
    home, _ = zorgkas_build
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        relation = con.sql("select * from marts.fct_zorgkas_production_year order by year, zorgkas_code")
        rows = {(r[0], r[1]): dict(zip(relation.columns, r)) for r in relation.fetchall()}
    counts = {(int(r["year"]), r["zorgkas_code"]): r for r in reference_rows("zorgkas_members_and_dossiers.csv")}
    totals = {
        (int(r["year"]), r["zorgkas_code"]): Decimal(r["amount_eur"])
        for r in reference_rows("zorgkas_werkingsmiddelen.csv")
        if r["component"] == "total_ledenbeheer_en_zorgbudgetten"
    }
    reserves = {
        (int(r["reference_date"][:4]), r["zorgkas_code"]): Decimal(r["reserve_eur"])
        for r in reference_rows("zorgkas_reserves_2020.csv")
    }
    assert set(rows) == set(counts) | set(totals) | set(reserves)
    assert len(rows) == 15  # 5 zorgkassen x 2019-2021
    for key, row in rows.items():
        assert row["origin"] == "published" and row["is_own"] == (key[1] == "380"), key
        assert row["werkingsmiddelen_eur"] == totals[key], key
        assert row["reserves_eur"] == reserves.get(key), key
        published = counts.get(key)
        if published is None:  # 2021: no definitive counts in 003
            assert row["members"] is None and row["cost_per_member_eur"] is None, key
            continue
        assert row["members"] == int(published["members"]), key
        assert [row[f"dossiers_{p}"] for p in ("zzb", "zoz", "bob")] == [
            int(published[f"dossiers_{p}"]) for p in ("zzb", "zoz", "bob")
        ], key
        assert row["dossiers_all_budgets"] == int(published["dossiers_all_budgets"]), key
        assert row["cost_per_member_eur"] == cents(totals[key] / int(published["members"])), key
        assert row["cost_per_dossier_eur"] == cents(totals[key] / int(published["dossiers_all_budgets"])), key
    # 380 in 2020: 3 196 510.33 EUR for 928 058 members and 51 424 handled dossiers
    assert (rows[2020, "380"]["cost_per_member_eur"], rows[2020, "380"]["cost_per_dossier_eur"]) == (
        Decimal("3.44"),
        Decimal("62.16"),
    )
    assert rows[2020, "380"]["reserves_eur"] == Decimal("1687248")
