"""Shared fixtures: an isolated ``$MUTWH_HOME`` per test and helpers to write landing files."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sources.contract import SOURCES

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A fresh data directory; MUTWH_HOME and DAGSTER_HOME point into it."""
    root = tmp_path / "home"
    (root / "landing").mkdir(parents=True)
    monkeypatch.setenv("MUTWH_HOME", str(root))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster"))
    monkeypatch.delenv("MUTWH_PSEUDONYM_KEY", raising=False)
    monkeypatch.delenv("MUTWH_TARGET", raising=False)  # the DuckDB file unless a test asks otherwise
    return root


def write_csv(landing: Path, source: str, name: str, rows: list[dict], columns: list[str] | None = None) -> Path:
    """Write rows in the SPEC §4 CSV dialect (``;``, UTF-8, LF, empty = null): a value holding ``;``
    or ``"`` is enclosed in ``"`` with inner quotes doubled, so it reads back as written."""
    columns = columns or SOURCES[source].column_names
    folder = landing / source
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if row.get(c) is None else str(row[c]) for c in columns] for row in rows)
    return path


def ensure_dbt_manifest() -> None:
    """The Makefile prepares the manifest; prepare it here too when pytest is run directly."""
    if not (REPO / "dbt_project" / "target" / "manifest.json").exists():
        from orchestration.runner import ensure_dbt_manifest as prepare

        os.environ.setdefault("MUTWH_HOME", str(REPO / "data"))
        prepare()


def require_fresh_manifest(model_names) -> None:
    """run_pipeline uses the project's manifest (made by `make`/`dbt parse`); it must know these models."""
    import json

    manifest = REPO / "dbt_project" / "target" / "manifest.json"
    ensure_dbt_manifest()
    names = {n["name"] for n in json.loads(manifest.read_text())["nodes"].values()}
    missing = set(model_names) - names
    assert not missing, f"{manifest} predates {sorted(missing)}: run `make manifest` (dbt parse) first"


def stop_process_group(process: subprocess.Popen, timeout: float = 15) -> None:
    """Stop a server a test started in its own session (``start_new_session=True``), children
    included: SIGTERM, then SIGKILL if it is still there after ``timeout`` seconds."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass(frozen=True)
class ScaleOneBuild:
    home: Path
    years: tuple[int, ...]
    exit_code: int
    generate_seconds: float
    run_seconds: float


@pytest.fixture(scope="session")
def solidaris_scale_1(tmp_path_factory) -> ScaleOneBuild:
    """One generation of the solidaris profile at scale 1.0 (2021-2023, seed 42, Parquet) and one
    ``run_pipeline`` over it, shared by the slow acceptance tests on published figures: at full
    scale a build costs minutes, so every test reads the same exports instead of building its own."""
    from orchestration.runner import run_pipeline
    from sources.generator import generate

    years = (2021, 2022, 2023)
    home = tmp_path_factory.mktemp("solidaris_scale_1") / "home"
    (home / "landing").mkdir(parents=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MUTWH_HOME", str(home))
        mp.setenv("DAGSTER_HOME", str(home / "dagster"))
        mp.delenv("MUTWH_PSEUDONYM_KEY", raising=False)
        mp.delenv("MUTWH_TARGET", raising=False)
        started = time.perf_counter()
        generate(
            home / "landing",
            list(years),
            scale=1.0,
            seed=42,
            clean=True,
            profile="solidaris",
            fmt="parquet",
            progress=False,
        )
        generated = time.perf_counter()
        exit_code = run_pipeline(years=list(years))
        finished = time.perf_counter()
    print(f"solidaris scale 1.0: generate {generated - started:.0f} s, run {finished - generated:.0f} s")
    return ScaleOneBuild(home, years, exit_code, generated - started, finished - generated)
