"""dbt start-up (issue 20): a run in a data directory other than the one ``make manifest`` parsed
with must not re-parse the whole project. The DuckDB profile names no data directory (dbt runs in
``$MUTWH_HOME``, the path is relative), so the build-time parse, copied into the home's own target
folder (``$MUTWH_HOME/dbt/target``), is reused from the very first invocation in a new home.
"""

from __future__ import annotations

import json
import subprocess

from conftest import ensure_dbt_manifest

import orchestration.dbt_command as dbt_command
from orchestration.dbt_command import (
    BUILD_PARSE_FILE,
    DBT_PROJECT_DIR,
    PARTIAL_PARSE_FILE,
    dbt_executable,
    dbt_target_path,
    parsed_project_root,
)

PROFILE_CHANGED = "Unable to do partial parsing"


def _parse(target) -> str:
    """``dbt parse`` into ``target`` as the pipeline's builds use it; dbt's log of that invocation."""
    log = target / "dbt.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--log-level-file",  # the log this test reads (pipeline builds leave it out: before_dbt)
            "debug",
        ],
        check=True,
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
    )
    return log.read_text(encoding="utf-8")


def test_the_first_dbt_invocation_in_a_new_home_parses_partially(home):
    target = dbt_target_path()
    assert target == home / "dbt" / "target", "dbt writes under $MUTWH_HOME, never a shared folder"
    assert (target / PARTIAL_PARSE_FILE).exists(), "the build-time parse is copied into the new home"

    first = _parse(target)  # the build-time parse was made with another MUTWH_HOME

    assert PROFILE_CHANGED not in first, [line for line in first.splitlines() if PROFILE_CHANGED in line][:1]
    perf = json.loads((target / "perf_info.json").read_text(encoding="utf-8"))
    assert perf["is_partial_parse_enabled"] and perf["parsed_path_count"] == 0, perf


def test_a_new_home_starts_from_the_build_time_parse_not_from_a_parse_left_by_hand(home, tmp_path, monkeypatch):
    """dbt rewrites ``partial_parse.msgpack`` in any target folder it is given: a ``dbt`` or
    ``sqlfluff`` run by hand in the project with the ``lint`` target left one that no build could
    reuse, and every new home then re-parsed the whole project. The build-time parse is kept under
    its own name, and that is what a new home gets."""
    project = tmp_path / "dbt_project"
    (project / "target").mkdir(parents=True)
    (project / "target" / BUILD_PARSE_FILE).write_bytes(b"the parse of make manifest")
    (project / "target" / PARTIAL_PARSE_FILE).write_bytes(b"a parse with --target lint")
    monkeypatch.setattr(dbt_command, "DBT_PROJECT_DIR", project)
    monkeypatch.setattr(dbt_command, "parsed_project_root", lambda: project)

    target = dbt_target_path()

    assert (target / PARTIAL_PARSE_FILE).read_bytes() == b"the parse of make manifest"


def test_the_build_time_parse_names_this_checkout_as_the_project_root():
    """dbt runs in $MUTWH_HOME and keeps the project root of the parse it reuses; dbt-duckdb loads
    the seed files from that root, so the parse that `make manifest` ships must name this checkout
    by its absolute path (a relative `.` loaded no seed at all: every seed failed, the run with it)."""
    ensure_dbt_manifest()
    assert parsed_project_root() == DBT_PROJECT_DIR


def test_the_dbt_resource_knows_its_dbt_version_without_starting_dbt(monkeypatch, tmp_path):
    """dagster-dbt asks ``dbt --version`` before each step's first command (a dbt start-up, ~3-4 s
    of a run); the venv's dbt is this interpreter's dbt-core, whose version the package metadata
    gives. A dbt found elsewhere is still asked."""
    from importlib import metadata

    import dagster_dbt.core.resource as dagster_dbt_resource
    from packaging.version import Version

    from orchestration.resources import MutwhDbtResource, dbt_project, shared_resources

    def no_dbt_started(command, *args, **kwargs):
        raise AssertionError(f"dbt was started: {command}")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_dbt_started)
    resource = shared_resources()["dbt"]
    assert isinstance(resource, MutwhDbtResource)
    assert resource._cli_version == Version(metadata.version("dbt-core"))

    elsewhere = tmp_path / "dbt"
    elsewhere.write_text("#!/bin/sh\necho 'Core:\n  - installed: 1.9.4'\n", encoding="utf-8")
    elsewhere.chmod(0o755)
    monkeypatch.setattr(dagster_dbt_resource, "check_output", subprocess.check_output)
    other = MutwhDbtResource(project_dir=dbt_project(), dbt_executable=str(elsewhere))
    assert other._cli_version == Version("1.9.4")


def test_the_runs_process_loads_no_dbt_adapter():
    """dagster-dbt loads dbt's adapter in the run's process before each dbt command (~1.6 s) only
    for row counts and column metadata, which the pipeline does not fetch: the resource skips it.
    Checked against dagster-dbt's own code, so that an upgrade renaming the hook fails here."""
    import inspect

    from dagster_dbt import DbtCliResource

    from orchestration.resources import shared_resources

    assert "self._initialize_dbt_core_adapter(" in inspect.getsource(DbtCliResource.cli)
    assert shared_resources()["dbt"]._initialize_dbt_core_adapter(["build"]) is None
