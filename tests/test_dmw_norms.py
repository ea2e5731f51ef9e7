"""DMW erkenningsnormen (SPEC §5): the dbt unit tests (hand-computed cases for every norm, in
``models/intermediate/dmw/_dmw__models.yml`` and ``models/marts/dmw/_dmw__models.yml``) and the data
tests of the DMW models pass, and the marts hold the expected figures for a few raw rows.

The warehouse is built in a private MUTWH_HOME with the raw tables the ingestion creates
(``sources.contract.raw_schema``) and dbt's target and log paths inside it, so the test runs next
to other dbt invocations. Only the DMW marts and their upstream nodes are built (indirect selection
``cautious``: tests that also need another domain's models are not run here).
"""

from __future__ import annotations

import csv
from decimal import Decimal

import duckdb
import pytest
from support.dbt_run import DBT_PROJECT_DIR, create_raw_warehouse, failures, load_manifest, run_dbt
from support.dmw_rows import DMW_RAW_ROWS, OWN_DMW
from support.spec import DMW_NORM_CODES

# The DMW marts and everything upstream; the data tests of staging and of the reference seeds
# belong to other tests (test_dbt_project), so only the DMW models' and DMW seeds' tests run here.
DMW_SELECTION = (
    "--select",
    "+path:models/marts/dmw",
    "--indirect-selection",
    "cautious",
    "--exclude",
    "path:models/staging,resource_type:test",
    "path:seeds/_reference__seeds.yml,resource_type:test",
    "--threads",
    "4",
)
UNIT_TESTS = {
    "dmw_months_are_calendar_months_and_stop_at_the_latest_activity",
    "dmw_user_with_two_registrations_is_counted_once",
    "dmw_user_in_two_begeleiding_modules_is_counted_once",
    "dmw_user_norms_accumulate_monthly_count_landsbond_persons",
    "dmw_without_proactive_actions_has_a_null_share_and_no_error",
    "dmw_housing_advices_count_and_aid_types_distinct_with_advice",
    "dmw_alarm_contract_active_one_day_counts_for_that_year",
    "dmw_alarm_price_deposit_reduction_per_dmw_worst_for_landsbond",
    "dmw_staff_trained_at_24_months_complies_one_day_later_not",
    "dmw_staff_share_is_null_without_staff_in_scope",
    "dmw_shares_at_the_threshold_are_met_empty_bases_flagged",
    "dmw_monthly_pro_rata_counts_months_not_days_in_a_leap_year",
    "dmw_staff_sample_follows_the_inspection_rule_reproducibly",
    "dmw_landsbond_counts_a_person_in_two_dmw_once",
    "dmw_begeleiding_registration_without_consultation_is_dated",
    "dmw_housing_advice_needs_home_visit_and_ergotherapeut",
    "dmw_placement_cost_at_the_maximum_complies_above_not",
    "dmw_alarm_holder_with_vt_on_the_start_date_is_entitled",
    "dmw_staff_hired_since_2020_need_a_recognised_qualification",
    "dmw_inspection_checks_accumulate_monthly_sum_over_landsbond",
    "dmw_alarm_invoice_sample_takes_three_reduced_first_reproducibly",
    "dmw_proactive_action_sample_spreads_over_target_groups",
    "dmw_reported_figure_flagged_above_the_tolerance",
}
SINGULAR_TESTS = {
    "assert_dmw_norm_month_december_equals_year",
    "assert_dmw_every_norm_reported_for_every_dmw_and_year",
    "assert_dmw_landsbond_rollup_consistent_with_its_dmw",
    "assert_dmw_unmeasurable_norms_are_not_met",
    "assert_dmw_staff_sample_within_rule_sizes",
    "assert_dmw_vte_and_alarm_maximum_known_for_every_reported_year",
}


@pytest.fixture(scope="module")
def dmw_build(tmp_path_factory):
    home = tmp_path_factory.mktemp("mutwh_dmw")
    create_raw_warehouse(home, DMW_RAW_ROWS)
    result = run_dbt(home, "build", *DMW_SELECTION)
    return home, result


@pytest.fixture(scope="module")
def dmw_con(dmw_build):
    home, _ = dmw_build
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        yield con


def query(con, sql: str, params=None) -> list[dict]:
    relation = con.sql(sql, params=params) if params else con.sql(sql)
    return [dict(zip(relation.columns, values)) for values in relation.fetchall()]


def test_dbt_unit_and_data_tests_of_the_dmw_models_pass(dmw_build):
    _, result = dmw_build
    assert result.success, failures(result) or result.exception
    ran = {r.node.name: str(r.status) for r in result.result}
    missing_unit = UNIT_TESTS - set(ran)
    assert not missing_unit, f"unit tests not run: {sorted(missing_unit)}"
    assert {name for name in UNIT_TESTS if ran[name] != "pass"} == set()
    singular = {name for name in ran if name.startswith("assert_dmw_")}
    assert singular >= SINGULAR_TESTS, sorted(SINGULAR_TESTS - singular)
    assert all(ran[name] == "pass" for name in singular), {n: ran[n] for n in singular}


def test_every_dmw_of_the_landsbond_and_the_rollup_report_every_norm(dmw_con):
    rows = query(
        dmw_con,
        "select dmw_code, landsbond_code, norm_code, is_landsbond_total from marts.fct_dmw_norm_year where year = 2024",
    )
    assert {(r["dmw_code"], r["norm_code"]) for r in rows} == {
        (dmw, norm) for dmw in (*OWN_DMW, "LB_300") for norm in DMW_NORM_CODES
    }
    assert len(rows) == 6 * len(DMW_NORM_CODES)
    assert {r["landsbond_code"] for r in rows} == {"300"}
    assert {r["dmw_code"] for r in rows if r["is_landsbond_total"]} == {"LB_300"}


def test_norm_year_figures_from_raw_rows(dmw_con):
    rows = query(dmw_con, "select * from marts.fct_dmw_norm_year where year = 2024 and dmw_code = 'DMW_SOL_ANT'")
    by_norm = {r["norm_code"]: r for r in rows}

    # a user with two registrations counted once; begeleiding: A (traject) and B (ergo)
    assert by_norm["USERS_REACHED"]["achieved"] == 2
    assert by_norm["USERS_BEGELEIDING"]["achieved"] == 2
    assert by_norm["USERS_ERGO"]["achieved"] == 1
    assert by_norm["USERS_HANDICAP_DEMENTIA"]["achieved"] == 1
    # required per vte: parameter x 47.00 vte (seed dmw_vte 2024, published)
    vte = Decimal("47.00")
    assert by_norm["USERS_REACHED"]["required"] == by_norm["USERS_REACHED"]["parameter"] * vte
    assert by_norm["USERS_REACHED"]["met"] is False
    # exactly at the threshold: 1 / 2 zorgbehoefte, 1 / 5 follow-up
    assert (by_norm["ZORGBEHOEFTE_SHARE"]["numerator"], by_norm["ZORGBEHOEFTE_SHARE"]["denominator"]) == (1, 2)
    assert by_norm["ZORGBEHOEFTE_SHARE"]["met"] is True
    assert by_norm["PROACTIVE_FOLLOW_UP_SHARE"]["achieved"] == Decimal("0.2")
    assert by_norm["PROACTIVE_FOLLOW_UP_SHARE"]["met"] is True
    assert by_norm["PROACTIVE_TARGET_GROUPS"]["achieved"] == 4
    # the alarm contract runs on 1 January 2024 only and costs exactly the 2024 maximum
    assert by_norm["PERSONAL_ALARMS"]["achieved"] == 1
    assert by_norm["ALARM_PRICE_MAX"]["achieved"] == Decimal("27.49")
    assert by_norm["ALARM_PRICE_MAX"]["met"] is True
    assert by_norm["ALARM_PRICE_MAX"]["is_assumption"] is False  # 2024 is published
    assert by_norm["ALARM_NO_DEPOSIT"]["met"] is True
    assert by_norm["ALARM_REDUCTION_OFFERED"]["met"] is False
    # trained at exactly 24 months after hiring
    assert by_norm["STAFF_DEMENTIA_TRAINING"]["achieved"] == 1
    assert by_norm["STAFF_DEMENTIA_TRAINING"]["met"] is True
    # A's traject and B's ergo registrations both have active consultation (A's directe hulp has
    # none, and needs none)
    consultation = by_norm["BEGELEIDING_ACTIVE_CONSULTATION"]
    assert (consultation["numerator"], consultation["denominator"], consultation["met"]) == (2, 2, True)
    # no VT period loaded: nobody entitled, not measurable, not met
    entitled = by_norm["ALARM_REDUCTION_ENTITLED"]
    assert entitled["denominator"] == 0 and entitled["achieved"] is None and entitled["met"] is False
    # the only contract started in 2022: no placement in 2024
    assert by_norm["ALARM_PLACEMENT_COST_MAX"]["achieved"] == 0 and by_norm["ALARM_PLACEMENT_COST_MAX"]["met"]
    # ST1 (hired 2021) comes from a staff file without the optional qualification column
    qualification = by_norm["STAFF_QUALIFICATION"]
    assert (qualification["numerator"], qualification["denominator"], qualification["met"]) == (0, 1, False)


def test_dmw_without_activity_is_not_met_and_flagged_not_an_error(dmw_con):
    rows = query(dmw_con, "select * from marts.fct_dmw_norm_year where year = 2024 and dmw_code = 'DMW_SOL_BRA'")
    assert len(rows) == len(DMW_NORM_CODES)
    # the two rules that count violations are met without activity; nothing else is
    assert not any(r["met"] for r in rows if r["norm_code"] not in ("ALARM_NO_DEPOSIT", "ALARM_PLACEMENT_COST_MAX"))
    share = next(r for r in rows if r["norm_code"] == "PROACTIVE_FOLLOW_UP_SHARE")
    assert share["achieved"] is None and share["denominator"] == 0
    assert share["denominator_zero"] is True and share["met"] is False
    groups = next(r for r in rows if r["norm_code"] == "PROACTIVE_TARGET_GROUPS")
    assert groups["achieved"] == 0 and groups["denominator_zero"] is False


def test_landsbond_rollup_sums_users_and_recomputes_shares(dmw_con):
    rows = query(dmw_con, "select * from marts.fct_dmw_norm_year where year = 2024 and dmw_code = 'LB_300'")
    by_norm = {r["norm_code"]: r for r in rows}
    assert by_norm["USERS_REACHED"]["achieved"] == 2
    assert by_norm["USERS_REACHED"]["vte"] == Decimal("145.27")  # the five DMW of 004 §1.2.4.3
    assert (by_norm["ZORGBEHOEFTE_SHARE"]["numerator"], by_norm["ZORGBEHOEFTE_SHARE"]["denominator"]) == (1, 2)
    # four DMW have no priced alarm contract: the landsbond cannot meet the per-DMW price rule
    assert by_norm["ALARM_PRICE_MAX"]["achieved"] is None and by_norm["ALARM_PRICE_MAX"]["met"] is False


def test_month_mart_runs_to_the_latest_activity_with_months_pro_rata(dmw_con):
    rows = query(
        dmw_con,
        "select * from marts.fct_dmw_norm_month where year = 2024 and dmw_code = 'DMW_SOL_ANT'"
        " and norm_code = 'USERS_REACHED' order by month",
    )
    assert [r["month"] for r in rows] == [1, 2, 3, 4, 5, 6]  # latest registration: 20 June 2024
    assert [r["achieved_ytd"] for r in rows] == [0, 0, 1, 1, 1, 2]
    required = rows[0]["required"]
    assert [r["pro_rata_required"] for r in rows] == [
        (required * m / 12).quantize(Decimal("0.000001")) for m in range(1, 7)
    ]
    share = query(
        dmw_con,
        "select month, pro_rata_required, on_track from marts.fct_dmw_norm_month"
        " where year = 2024 and dmw_code = 'DMW_SOL_ANT' and norm_code = 'ZORGBEHOEFTE_SHARE'"
        " order by month",
    )
    assert {r["pro_rata_required"] for r in share} == {Decimal("0.5")}
    assert [r["on_track"] for r in share] == [False, False, False, False, False, True]


def test_staff_list_and_sample(dmw_con):
    staff = query(
        dmw_con,
        "select staff_id, is_in_scope, is_compliant, reason from marts.fct_dmw_staff_training_year where year = 2024",
    )
    assert staff == [{"staff_id": "ST1", "is_in_scope": True, "is_compliant": True, "reason": "TRAINED_IN_TIME"}]
    sample = query(
        dmw_con,
        "select dmw_code, rule_code, staff_id, role from marts.fct_dmw_staff_sample"
        " where year = 2024 order by rule_code",
    )
    assert sample == [
        {"dmw_code": "DMW_SOL_ANT", "rule_code": "S01", "staff_id": "ST2", "role": "LEIDINGGEVENDE"},
        {"dmw_code": "DMW_SOL_ANT", "rule_code": "S02", "staff_id": "ST1", "role": "MAATSCHAPPELIJK_WERKER"},
    ]


def test_norm_seed_has_the_fixed_codes_and_flags_unpublished_parameters():
    with (DBT_PROJECT_DIR / "seeds" / "dmw" / "dmw_norms.csv").open(encoding="utf-8", newline="") as f:
        norms = list(csv.DictReader(f))
    assert tuple(n["norm_code"] for n in norms) == DMW_NORM_CODES
    assert all(n["source"] and n["inspection_norm_id"] for n in norms)
    per_vte = {n["norm_code"]: n for n in norms if n["kind"] == "PER_VTE"}
    # N16-N21: 004 prints no number -> working values, flagged, with what must replace them
    assert {n["inspection_norm_id"] for n in per_vte.values()} == {"N16", "N17", "N18", "N19", "N20", "N21"}
    for norm in per_vte.values():
        assert norm["is_assumption"] == "true" and Decimal(norm["parameter"]) > 0
        assert "replaced by the value of the regulation" in norm["note"], norm["norm_code"]
    published = {n["norm_code"]: n["parameter"] for n in norms if n["is_assumption"] == "false"}
    assert published == {
        "ZORGBEHOEFTE_SHARE": "0.50",
        "PROACTIVE_TARGET_GROUPS": "5",
        "PROACTIVE_FOLLOW_UP_SHARE": "0.20",
        "AID_TYPES": "20",
        "ALARM_PRICE_MAX": "",
        "ALARM_NO_DEPOSIT": "0",
        "ALARM_REDUCTION_OFFERED": "1",
        "STAFF_DEMENTIA_TRAINING": "1.0",
        "BEGELEIDING_ACTIVE_CONSULTATION": "1.0",
    }
    # every check names its section of 004
    assert all(n["section"] for n in norms)
    with (DBT_PROJECT_DIR / "seeds" / "dmw" / "dmw_alarm_price_max.csv").open(encoding="utf-8", newline="") as f:
        prices = {int(r["year"]): (r["max_monthly_contribution_eur"], r["is_assumption"]) for r in csv.DictReader(f)}
    assert prices[2024] == ("27.49", "false")
    assert all(flag == "true" for year, (_, flag) in prices.items() if year != 2024)


def test_every_dmw_model_column_is_documented_and_marts_are_contracted(dmw_build):
    home, _ = dmw_build
    manifest = load_manifest(home)
    models = [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1:3] in (["intermediate", "dmw"], ["marts", "dmw"])
    ]
    assert len(models) >= 12
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for node in models:
            actual = [
                c
                for (c,) in con.sql(
                    f"select column_name from information_schema.columns where table_schema = '{node['schema']}'"
                    f" and table_name = '{node['alias']}' order by ordinal_position"
                ).fetchall()
            ]
            assert list(node["columns"]) == actual, node["name"]
            assert all(c["description"] for c in node["columns"].values()), node["name"]
            if node["fqn"][1] == "marts":
                assert node["config"]["contract"]["enforced"], node["name"]
                assert all(c["data_type"] for c in node["columns"].values()), node["name"]
