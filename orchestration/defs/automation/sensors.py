"""Landing sensor (SPEC §8): launch ingestion when new or changed files appear in ``landing/``.

The cursor remembers name, size and modification time of every landing file, so a file already
ingested is not ingested twice; a changed file (same name, other size or mtime) is. Only the
sources with new or changed files are selected.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from orchestration.defs.automation.jobs import ingest_job
from sources.contract import SOURCES
from sources.home import Home
from sources.loader import file_label, landing_files


def landing_state(landing: Path) -> dict[str, list[int]]:
    """``{"<source>/<file>": [size, mtime_ns]}`` of every file ingestion would read (the loader's
    own rule), names masked as everywhere they are stored."""
    state = {}
    for source in SOURCES.values():
        for path in landing_files(landing, source):
            try:
                stat = path.stat()
            except OSError:  # gone between listing and stat: the next tick sees the folder as it is
                continue
            state[file_label(source, path)] = [stat.st_size, stat.st_mtime_ns]
    return state


def changed_files(previous: dict, current: dict) -> list[str]:
    return sorted(f for f, signature in current.items() if previous.get(f) != signature)


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="New or changed files in landing/ → ingest the sources they belong to.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    current = landing_state(Home.from_env().landing)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = changed_files(previous, current)
    if not changed:
        return dg.SkipReason("no new or changed landing files")
    sources = sorted({f.split("/", 1)[0] for f in changed})
    run_key = hashlib.sha256(json.dumps({f: current[f] for f in changed}, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(current, sort_keys=True))
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=[dg.AssetKey(["raw", s]) for s in sources],
        tags={"mutwh/changed_files": ", ".join(changed)[:1000]},
    )
