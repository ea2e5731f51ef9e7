"""What each job runs, what each dbt node is called in Dagster, and the dbt command: the selections
depend on group names and key prefixes that the translator derives from dbt folders, so a renamed
folder or group must fail here, not in an operator's run (SPEC §8)."""

import dagster as dg
import pytest
from conftest import ensure_dbt_manifest

from orchestration.dbt_command import CONTRACT_RECHECK, build_args
from sources.contract import SOURCES

DMW_SOURCES = {name for name in SOURCES if name.startswith("dmw_")}
DOMAINS = {"membership", "zorgkas", "dmw", "finance", "non_take_up", "calendar"}


@pytest.fixture(scope="module")
def defs():
    ensure_dbt_manifest()
    from orchestration.definitions import defs

    return defs


@pytest.fixture(scope="module")
def graph(defs):
    return defs.resolve_asset_graph()


def selected(defs, job_name: str) -> set[dg.AssetKey]:
    job = defs.resolve_job_def(job_name)
    return set(job.asset_layer.selected_asset_keys)


def test_translator_keys_and_groups(graph):
    keys = graph.get_all_asset_keys()
    for name in SOURCES:
        assert graph.get(dg.AssetKey(["raw", name])).group_name == "raw"
    by_layer: dict[str, set[str]] = {}
    for key in keys:
        by_layer.setdefault(key.path[0], set()).add(graph.get(key).group_name)
    assert by_layer["reference"] == {"reference"}
    assert by_layer["staging"] == {"staging"}
    # intermediate and marts are grouped by their domain folder, never dbt's "default"
    assert by_layer["intermediate"] <= DOMAINS and by_layer["marts"] <= DOMAINS
    assert graph.get(dg.AssetKey(["marts", "fct_vt_take_up_year"])).group_name == "non_take_up"
    assert graph.get(dg.AssetKey(["intermediate", "int_members_assigned_at_year_end"])).group_name == "membership"
    stg = [k for k in keys if k.path[0] == "staging"]
    assert {k.path[1].split("__")[0].removeprefix("stg_") for k in stg} == set(SOURCES)


def test_ingest_job_is_exactly_the_raw_sources(defs):
    assert selected(defs, "ingest") == {dg.AssetKey(["raw", name]) for name in SOURCES}


def test_annual_report_job_builds_everything_but_monthly_monitoring(defs, graph):
    chosen = selected(defs, "annual_report")
    materializable = set(graph.materializable_asset_keys)
    left_out = {k.path[0] for k in materializable - chosen}
    assert left_out == {"dmw_monitoring"}, sorted(k.to_user_string() for k in materializable - chosen)
    assert all(k in chosen for k in materializable if k.path[0] in ("exports", "dashboards", "marts"))


def test_dmw_monthly_job_stays_in_the_dmw_domain(defs, graph):
    chosen = selected(defs, "dmw_monthly")
    assert {k.path[1] for k in chosen if k.path[0] == "raw"} == DMW_SOURCES
    assert {k for k in graph.materializable_asset_keys if k.path[0] == "dmw_monitoring"} <= chosen
    assert dg.AssetKey(["dashboards", "dmw_norms"]) in chosen
    dmw_models = {
        k
        for k in graph.materializable_asset_keys
        if k.path[0] in ("intermediate", "marts") and graph.get(k).group_name == "dmw"
    }
    assert dmw_models and dmw_models <= chosen
    other_domains = {graph.get(k).group_name for k in chosen if k.path[0] in ("intermediate", "marts")}
    assert other_domains == {"dmw"}, other_domains
    staged = {k.path[1] for k in chosen if k.path[0] == "staging"}
    assert all(name.startswith("stg_dmw_") for name in staged) and staged
    # re-ingesting refreshes the ingestion summary; the yearly exports are not republished
    assert {k for k in chosen if k.path[0] == "exports"} == {dg.AssetKey(["exports", "ingestion_summary"])}


def test_every_job_selects_something_that_exists(defs, graph):
    for job in ("ingest", "annual_report", "dmw_monthly"):
        chosen = selected(defs, job)
        assert chosen and chosen <= set(graph.get_all_asset_keys()), job


def test_build_args_leave_out_unit_tests_and_contract_rechecks():
    args = build_args()
    assert args[0] == "build"
    assert args[args.index("--exclude-resource-type") + 1] == "unit_test"
    assert args[args.index("--exclude") + 1] == CONTRACT_RECHECK
    assert not any(a in args for a in ("--vars", "--select")), "every loaded year is built in every run"
