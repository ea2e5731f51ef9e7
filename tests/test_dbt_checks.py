"""Every dbt test shows on a Checks tab in Dagster with a line saying what it protects (issue 13
point 6): singular tests reading several models are attached to the one they guard."""

import json

import dagster as dg
from conftest import REPO, ensure_dbt_manifest

MANIFEST = REPO / "dbt_project" / "target" / "manifest.json"


def dbt_tests() -> dict[str, dict]:
    """The dbt tests that production builds run: those tagged ``contract_recheck`` re-check the
    landing contract in ``make test`` only, so they are no asset checks (they would never run)."""
    ensure_dbt_manifest()
    nodes = json.loads(MANIFEST.read_text())["nodes"]
    return {
        uid: node
        for uid, node in nodes.items()
        if node["resource_type"] == "test" and "contract_recheck" not in node.get("tags", [])
    }


def dbt_check_specs() -> dict[str, dg.AssetCheckSpec]:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    specs = {}
    for key in graph.asset_check_keys:
        spec = graph.get_check_spec(key)
        uid = spec.metadata.get("dagster_dbt/unique_id")
        if uid:
            specs[uid] = spec
    return specs


def test_every_dbt_test_is_an_asset_check_with_a_description():
    tests, specs = dbt_tests(), dbt_check_specs()
    singular = [uid for uid, node in tests.items() if not node.get("test_metadata")]
    multi_parent = [uid for uid in singular if len(set(tests[uid]["depends_on"]["nodes"])) > 1]
    assert len(multi_parent) >= 7  # the seven that dagster-dbt recorded as observations
    missing = sorted(tests[uid]["name"] for uid in set(tests) - set(specs))
    assert not missing, f"dbt tests without an asset check: {missing}"
    undescribed = sorted(tests[uid]["name"] for uid in tests if not (specs[uid].description or "").strip())
    assert not undescribed, f"asset checks without a description: {undescribed}"
    assert all("\n" not in specs[uid].description for uid in tests)
    # singular tests are described in yml by hand, not by the generic fallback
    assert all(tests[uid]["description"].strip() for uid in singular), [tests[u]["name"] for u in singular]


def test_multi_parent_singular_tests_sit_on_the_model_they_guard():
    specs = {spec.name: spec for spec in dbt_check_specs().values()}
    spec = specs["assert_dmw_norm_month_december_equals_year"]
    assert spec.asset_key == dg.AssetKey(["marts", "fct_dmw_norm_month"])
    assert dg.AssetKey(["marts", "fct_dmw_norm_year"]) in {d.asset_key for d in spec.additional_deps}
    assert spec.blocking  # error severity: downstream exports wait for it


def test_warn_test_on_persons_in_two_ziekenfondsen_says_what_to_do():
    specs = {spec.name: spec for spec in dbt_check_specs().values()}
    spec = specs["assert_membership_no_person_in_several_ziekenfondsen"]
    assert not spec.blocking
    assert spec.asset_key == dg.AssetKey(["marts", "fct_membership_year"])  # upstream of the exports
    assert "What to do" in spec.description and "int_members_flagged_in_several_ziekenfondsen" in spec.description


def test_generic_test_description_names_column_and_its_doc():
    specs = {spec.name: spec for spec in dbt_check_specs().values()}
    spec = specs[
        "relationships_int_members_assigned_at_year_end_ziekenfonds_code__ziekenfonds_code__ref_ziekenfondsen_"
    ]
    assert spec.description.startswith(
        "every int_members_assigned_at_year_end.ziekenfonds_code exists in ziekenfondsen.ziekenfonds_code"
    )
    assert "guards: Ziekenfonds of the counted period" in spec.description


def test_one_check_per_model_names_its_guarantees():
    """A model's row-level guarantees (keys, not-null columns, accepted values, lengths) are one
    set-based check (``model_checks``), whose description lists them."""
    specs = {spec.name: spec for spec in dbt_check_specs().values()}
    spec = specs["checks_fct_membership_year"]
    assert spec.description.startswith(
        "fct_membership_year: one row per year, ziekenfonds_code; year, reference_date, ziekenfonds_code"
    )
    assert spec.description.endswith("leden_in_several_ziekenfondsen never empty.")
    assert specs["checks_fct_zorgkas_indicator_year"].description.count(" only ") >= 1
    nodes = json.loads(MANIFEST.read_text(encoding="utf-8"))["nodes"].values()
    folded = {
        "not_null",
        "unique",
        "accepted_values",
        "has_length",
        "not_null_columns",
        "unique_combination_of_columns",
    }
    separate = [n["name"] for n in nodes if (n.get("test_metadata") or {}).get("name") in folded]
    assert separate == [], f"row-level tests outside model_checks are back: {separate[:3]}"
