"""`mutwh run` as a user runs it, in its own process and data directory, and the export CSVs it
writes: the PostgreSQL and Spark tests compare two such runs byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
YEARS = [2021, 2022, 2023]


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


def export_csvs(home: Path) -> dict[str, bytes]:
    root = home / "exports"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}
