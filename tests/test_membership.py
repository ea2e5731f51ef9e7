"""Membership, finance and staff models (SPEC §5, §6): the dbt unit tests of every KPI rule pass,
the models are documented and contract-typed, and the national totals seed matches the published
shares it is derived from.

The unit tests run inside ``dbt build`` on a warehouse whose raw tables exist but are empty (dbt
needs the input relations to exist to type the mocked rows); data tests are left to the end-to-end
tests, which have data.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support.dbt_run import DBT_PROJECT_DIR, assert_unit_tests_pass, create_raw_warehouse, documented_models, run_dbt
from support.spec import FINANCE_HEADER, KEY_FIGURES_HEADER

REFERENCE = Path(__file__).resolve().parents[1] / "sources" / "reference"
MARTS = ("fct_membership_year", "fct_finance_year", "fct_staff_fte_year")
MY_MODELS = (
    "int_members_assigned_at_year_end",
    "int_members_flagged_in_several_ziekenfondsen",
    "int_zorgkas_members_covered_at_year_end",
    "int_zorgkas_dossiers_covered_at_year_end",
    "int_staff_departments_classified",
    *MARTS,
)
# One unit test per rule; each name says what it proves (descriptions in the models' yml).
UNIT_TESTS = {
    "unit_members_in_two_ziekenfondsen_counted_once_latest_flagged",
    "unit_members_same_start_tie_broken_deterministically",
    "unit_members_dependant_becomes_titularis",
    "unit_members_vt_period_ending_on_or_before_year_end",
    "unit_members_leaving_on_year_end_counted_that_year_only",
    "unit_members_flagged_list_every_covering_ziekenfonds",
    "unit_zorgkas_members_own_zorgkas_covering_year_end",
    "unit_zorgkas_dossiers_positive_own_right_covering_year_end",
    "unit_membership_year_counts_shares_and_deltas",
    "unit_membership_year_delta_null_when_previous_year_not_loaded",
    "unit_membership_year_zorgkas_split_by_ziekenfonds",
    "unit_finance_previous_year_amount",
    "unit_staff_total_labels_recognised",
    "unit_staff_total_is_sum_of_departments_not_reported_total",
    "unit_reporting_years_from_premium_years_and_payment_months",
}


@pytest.fixture(scope="module")
def unit_build(tmp_path_factory):
    """``dbt build`` of these models and everything upstream, without data tests."""
    home = tmp_path_factory.mktemp("membership_home")
    create_raw_warehouse(home, {})
    result = run_dbt(
        home,
        "build",
        "--select",
        *(f"+{m}" for m in MY_MODELS),
        "--exclude",
        "test_type:data",
    )
    return home, result


def test_every_rule_has_a_passing_unit_test(unit_build):
    _, result = unit_build
    assert_unit_tests_pass(result, UNIT_TESTS)


def test_models_are_documented_and_marts_typed(unit_build):
    home, _ = unit_build
    nodes = documented_models(home, MY_MODELS, MARTS)
    assert set(KEY_FIGURES_HEADER) <= set(nodes["fct_membership_year"]["columns"])
    assert list(nodes["fct_finance_year"]["columns"]) == FINANCE_HEADER


def _key_figures() -> dict[tuple[int, str], float]:
    with (REFERENCE / "solidaris_key_figures.csv").open(encoding="utf-8", newline="") as f:
        return {(int(r["year"]), r["metric"]): float(r["value"]) for r in csv.DictReader(f)}


def test_national_totals_are_the_ones_implied_by_the_published_shares():
    """2023 (and 2021, leden only) are implied: published landsbond count / published share."""
    with (DBT_PROJECT_DIR / "seeds" / "national_insured_totals.csv").open(encoding="utf-8", newline="") as f:
        seed = {int(r["year"]): r for r in csv.DictReader(f)}
    published = _key_figures()

    assert seed[2023]["status"] == "implied"
    assert "sources/reference/solidaris_key_figures.csv" in seed[2023]["note"]
    assert int(seed[2023]["national_leden"]) == round(published[2023, "leden"] / published[2023, "leden_market_share"])
    assert int(seed[2023]["national_titularissen"]) == round(
        published[2023, "titularissen"] / published[2023, "titularissen_market_share"]
    )
    assert seed[2021]["status"] == "implied_ambiguous" and seed[2021]["national_titularissen"] == ""
    assert int(seed[2021]["national_leden"]) == round(
        published[2021, "leden"] / published[2021, "market_share_unspecified_share"]
    )
    # 2022 is published; the derived 2022 landsbond figures give the published 28.57 % and 27.46 %.
    assert seed[2022]["status"] == "published"
    assert round(100 * published[2022, "leden"] / int(seed[2022]["national_leden"]), 2) == 28.57
    assert round(100 * published[2022, "titularissen"] / int(seed[2022]["national_titularissen"]), 2) == 27.46
