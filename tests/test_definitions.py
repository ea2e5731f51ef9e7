"""The Dagster code location loads and the asset graph is landing → raw → staging (SPEC §8)."""

import subprocess

import dagster as dg
import pytest
from conftest import REPO, ensure_dbt_manifest

from sources.contract import SOURCES


@pytest.fixture(scope="module")
def defs():
    ensure_dbt_manifest()
    from orchestration.definitions import defs

    return defs


def test_definitions_load(defs):
    dg.Definitions.validate_loadable(defs)


def test_every_source_flows_landing_raw_staging(defs):
    graph = defs.resolve_asset_graph()
    staging = [k for k in graph.get_all_asset_keys() if k.path[0] == "staging"]
    for name in SOURCES:
        raw = graph.get(dg.AssetKey(["raw", name]))
        assert dg.AssetKey(["landing", name]) in raw.parent_keys
        assert any(dg.AssetKey(["raw", name]) in graph.get(k).parent_keys for k in staging), name


def test_every_step_opening_the_warehouse_shares_one_pool(defs):
    """DuckDB: one process at a time on the file, so all of them queue in one pool of one slot."""
    graph = defs.resolve_asset_graph()
    touching = [
        k
        for k in graph.materializable_asset_keys
        if k.path[0] in ("raw", "staging", "reference", "exports", "dashboards") and k.path != ["dashboards", "index"]
    ]
    assert touching
    for key in touching:
        assert graph.get(key).pools == {"warehouse"}, key.to_user_string()


def test_dagster_cli_validates_the_code_location(tmp_path):
    ensure_dbt_manifest()
    env = {"MUTWH_HOME": str(tmp_path), "DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "dagster") if (REPO / ".venv/bin/dagster").exists() else "dagster",
            "definitions",
            "validate",
            "-m",
            "orchestration.definitions",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
