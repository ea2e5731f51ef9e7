"""`mutwh` as a user runs it, in its own process and data directory, and the export files it writes:
the PostgreSQL and Spark tests run it beside a DuckDB run and compare the exports byte for byte; the
privacy, idempotency and hostile-input tests run it and read what it wrote."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
YEARS = [2021, 2022, 2023]


def mutwh_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``mutwh`` (or Dagster) process on ``home``: this process's, with
    MUTWH_HOME and DAGSTER_HOME in ``home``, the repository on PYTHONPATH, and ``extra``."""
    return {
        **os.environ,
        "MUTWH_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "PYTHONPATH": str(REPO),
        **extra,
    }


def run_mutwh(home: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    """``mutwh`` in a fresh process on ``home``. (In-process ``run_pipeline`` binds the warehouse
    resource to the first MUTWH_HOME imported, so two homes in one test process would mix.)"""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=REPO,
        env=mutwh_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def export_bytes(home: Path, suffixes: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under ``exports/`` (only those ending in ``suffixes`` when given)."""
    return {
        str(p.relative_to(home)): p.read_bytes()
        for p in sorted((home / "exports").rglob("*"))
        if p.is_file() and (not suffixes or p.name.endswith(suffixes))
    }


def generate_landing(folder: Path) -> Path:
    """The small synthetic landing zone the side-by-side runs share (YEARS, scale 0.002, seed 7)."""
    from sources.generator import generate

    generate(folder, YEARS, scale=0.002, seed=7, progress=False)
    return folder


def start_mutwh_run(home: Path, landing: Path, extra_env: dict[str, str]) -> subprocess.Popen:
    """``mutwh run`` in its own process and ``$MUTWH_HOME``, on a copy (symlinks) of ``landing``."""
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        target = home / "landing" / folder.name
        target.mkdir(parents=True)
        for file in sorted(folder.iterdir()):
            (target / file.name).symlink_to(file)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG") and k != "MUTWH_TARGET"}
    env |= {"MUTWH_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")} | extra_env
    env.pop("MUTWH_PSEUDONYM_KEY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run", "--years", f"{YEARS[0]}-{YEARS[-1]}"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen, started: float) -> tuple[int, str, float]:
    _, stderr = process.communicate(timeout=900)
    return process.returncode, stderr, time.perf_counter() - started


def run_beside_duckdb(tmp_path: Path, landing: Path, name: str, target_env: dict[str, str]) -> tuple[Path, Path]:
    """``mutwh run`` on the DuckDB file and, at the same time, with ``target_env`` (MUTWH_TARGET and
    what that target needs), each in its own home under ``tmp_path``; both must end the same way
    (the generator's defects may fail a non-blocking check). Returns the two homes."""
    duck_home, other_home = tmp_path / "duckdb", tmp_path / target_env["MUTWH_TARGET"]
    started = time.perf_counter()  # both runs at once: they share nothing but the landing files
    duck_run = start_mutwh_run(duck_home, landing, {})
    other_run = start_mutwh_run(other_home, landing, target_env)
    duck_exit, duck_stderr, duck_seconds = finish(duck_run, started)
    other_exit, other_stderr, other_seconds = finish(other_run, started)
    print(f"mutwh run, side by side: DuckDB {duck_seconds:.0f}s, {name} {other_seconds:.0f}s")
    assert other_exit == duck_exit, f"DuckDB exit {duck_exit}, {name} exit {other_exit}:\n{other_stderr[-4000:]}"
    assert duck_exit in (0, 1), duck_stderr[-4000:]
    return duck_home, other_home


def first_difference(expected: bytes, actual: bytes, name: str) -> str:
    """Where two CSVs part: the first differing line of each (``name``: the other target)."""
    old, new = expected.decode().splitlines(), actual.decode().splitlines()
    first = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    width = max(len("DuckDB"), len(name)) + 1
    return (
        f"line {first + 1}:\n  {'DuckDB:':<{width}} {old[first] if first < len(old) else '<end>'}\n"
        f"  {name + ':':<{width}} {new[first] if first < len(new) else '<end>'}"
    )


def assert_same_export_csvs(duck_home: Path, other_home: Path, name: str) -> None:
    """The other target's run wrote exactly the export CSVs of the DuckDB run, byte for byte."""
    expected, actual = export_bytes(duck_home, (".csv",)), export_bytes(other_home, (".csv",))
    assert expected, "the DuckDB run wrote no export CSV"
    assert sorted(actual) == sorted(expected)
    different = [file for file in expected if actual[file] != expected[file]]
    details = [f"{file} {first_difference(expected[file], actual[file], name)}" for file in different[:5]]
    assert not different, f"{len(different)} of {len(expected)} export CSVs differ:\n" + "\n".join(details)
