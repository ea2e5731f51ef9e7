"""The ``dbt build`` the pipeline runs, in one place: the Dagster asset runs it, and the
benchmark's stages run the same command without importing Dagster (its import would be timed).

dbt unit tests check the SQL of the KPI rules, not the data: they run in ``make test`` and are left
out of production builds, as are the staging tests tagged ``contract_recheck``, which repeat the
row checks that ingestion already applied to every landing row.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
CONTRACT_RECHECK = "tag:contract_recheck"
BUILD_ARGS = ("build", "--exclude-resource-type", "unit_test", "--exclude", CONTRACT_RECHECK)
DBT_PARENT_ENV = "MUTWH_DBT_PARENT_PID"  # read by orchestration.dbt_child (no import: it stays light)
DBT_LOG_LEVEL_FILE_ENV = "DBT_LOG_LEVEL_FILE"  # dbt's own variable: its log file's level


def build_args() -> list[str]:
    """Every loaded year is built, whatever years a run publishes: a year's 12-month deltas need
    Y-1, and the dashboards show every year (``mutwh run --years`` picks export partitions only)."""
    return list(BUILD_ARGS)


def dbt_executable() -> str:
    """The dbt next to this interpreter (the venv's), so it is found without an activated venv
    (``make ui`` from a plain shell), started through ``mutwh-dbt`` (``orchestration.dbt_child``) so
    that it dies with its parent; else the one on ``PATH``. Not resolved through symlinks: the
    venv's ``bin/python`` links to the base interpreter, whose folder has no dbt."""
    for name in ("mutwh-dbt", "dbt"):
        candidate = Path(sys.executable).parent / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("dbt") or "dbt"


def parse_project() -> None:
    """The build-time parse (``make manifest``, or a bare ``pip install -e .``'s first run): a full
    ``dbt parse`` into ``dbt_project/target``, which writes ``manifest.json``, and a copy of dbt's
    parse state as ``BUILD_PARSE_FILE``, from which every new data directory starts.

    Always a full parse: dbt's partial parsing was seen to drop a singular test's
    meta.dagster.ref after yml edits, and with it the asset check (and the manifest.json entry)
    it defines. The copy has its own name because dbt rewrites ``partial_parse.msgpack`` in
    whatever target folder it is given: a ``dbt`` or ``sqlfluff`` started by hand in the project
    with another target (``lint``) left a parse there that no build can reuse, and every new
    home then re-parsed the whole project (~6 s of its first ``dbt_models`` step)."""
    target = DBT_PROJECT_DIR / "target"
    subprocess.run(dbt_command("parse", "--no-partial-parse", target=target), check=True, cwd=DBT_PROJECT_DIR)
    shutil.copyfile(target / PARTIAL_PARSE_FILE, target / BUILD_PARSE_FILE)


PARTIAL_PARSE_FILE = "partial_parse.msgpack"
BUILD_PARSE_FILE = "build_parse.msgpack"


def dbt_target_path() -> Path:
    """dbt's target folder for the builds of this ``$MUTWH_HOME``: ``$MUTWH_HOME/dbt/target``.

    dbt reuses its parse (``partial_parse.msgpack`` in the target folder) only when the profile is
    the one it was parsed with, and the profile holds the warehouse path, so a parse shared by
    every data directory (``dbt_project/target``) was thrown away whenever the run's home was not
    the one of ``make manifest`` ("Unable to do partial parsing because profile has changed", a
    full re-parse of ~7 s in every test and benchmark run). The DuckDB profile now names no data
    directory, so the first run in a home starts from the build-time parse, copied here, and later
    runs from their own. The copy is skipped when that parse was made in another checkout: dbt
    keeps the project root it parsed in, and dbt-duckdb loads the seed files from it."""
    from mutwh.home import Home

    target = Home.from_env().root / "dbt" / "target"
    target.mkdir(parents=True, exist_ok=True)
    state = target / PARTIAL_PARSE_FILE
    seed = DBT_PROJECT_DIR / "target" / BUILD_PARSE_FILE
    if not state.exists() and seed.exists() and parsed_project_root() == DBT_PROJECT_DIR:
        shutil.copyfile(seed, state)
    return target


def parsed_project_root() -> Path | None:
    """The project folder the build-time parse (``dbt_project/target``) was made in, as dbt
    recorded it for the seeds (``root_path``); None without a parse or without seeds."""
    try:
        manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    roots = {node["root_path"] for node in manifest.get("nodes", {}).values() if node.get("resource_type") == "seed"}
    root = Path(roots.pop()) if len(roots) == 1 else None
    return root.resolve() if root and root.is_absolute() else None  # `.`: relative to where dbt ran


def before_dbt(say=None) -> None:
    """Just before dbt starts: name this process as the parent that ``mutwh-dbt`` checks is still
    alive, leave dbt's log file out unless asked for, give back the memory ingestion kept for its
    next source (the persons and their pseudonyms), and wait until no other process holds the
    DuckDB file (dbt would fail on its lock)."""
    from mutwh.home import Home
    from mutwh.warehouse import wait_until_writable

    os.environ[DBT_PARENT_ENV] = str(os.getpid())
    # dbt's own log file, at debug level by default, cost ~1.4 s of every build (~15 % at small
    # scales; benchmarks/profile.md); what it says at info level is on dbt's standard output, which
    # the run logs. An operator who wants the file sets DBT_LOG_LEVEL_FILE=debug (README).
    os.environ.setdefault(DBT_LOG_LEVEL_FILE_ENV, "none")
    if insz := sys.modules.get("sources.insz"):  # loaded by ingestion in this process; else nothing to give back
        insz.release_shared_pseudonymiser()
    wait_until_writable(Home.from_env(), say=say)


def dbt_command(*args: str, target: Path) -> list[str]:
    """``mutwh-dbt <args>`` quietly on this project, with its artefacts in ``target``."""
    project = str(DBT_PROJECT_DIR)
    return [
        dbt_executable(),
        *args,
        "--quiet",
        "--project-dir",
        project,
        "--profiles-dir",
        project,
        "--target-path",
        str(target),
    ]


class DbtServer:
    """A dbt started ahead of the build that will use it (``orchestration.dbt_child.serve``): it
    imports dbt while the run ingests, and ``mutwh-dbt`` hands it the build. Started only where
    the build goes through ``mutwh-dbt``, which is the one that knows how to ask it."""

    def __init__(self, process: subprocess.Popen, name: str):
        self.process = process
        self.name = name

    @classmethod
    def start(cls) -> DbtServer | None:
        if Path(dbt_executable()).name != "mutwh-dbt":
            return None
        from mutwh.warehouse import DUCKDB, active_target
        from orchestration.dbt_child import LISTENING, SERVER_ENV

        name = f"mutwh-dbt-{os.getpid()}-{secrets.token_hex(8)}"
        # the build-time parse, which the server parses from once ahead (dbt_child._warm_up); only
        # for DuckDB, the target whose adapter the server imports
        state = DBT_PROJECT_DIR / "target" / BUILD_PARSE_FILE
        warm_up = [str(state)] if state.is_file() and active_target() == DUCKDB else []
        process = subprocess.Popen(
            # -P: not the working directory on sys.path (a data directory has folders named dbt/ and exports/)
            [sys.executable, "-P", "-m", "orchestration.dbt_child", "--serve", name, *warm_up],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=os.environ | {DBT_PARENT_ENV: str(os.getpid())},
        )
        with process.stdout:
            listening = process.stdout.read(len(LISTENING)) == LISTENING
        server = cls(process, name)
        if not listening:  # it could not start (its error is on stderr): dbt starts as it did
            server.close()
            return None
        os.environ[SERVER_ENV] = name
        return server

    def close(self) -> None:
        """Stop the server if it is still waiting (the run built nothing, or failed first)."""
        from orchestration.dbt_child import SERVER_ENV

        if os.environ.get(SERVER_ENV) == self.name:
            del os.environ[SERVER_ENV]
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def run_dbt_build() -> None:
    """The production build as a plain subprocess (benchmark stages)."""
    before_dbt()
    subprocess.run(dbt_command(*build_args(), target=dbt_target_path()), check=True)


if __name__ == "__main__":  # make manifest
    parse_project()
