"""Landing sensor (SPEC §8): launch ingestion when new or changed files appear in ``landing/``.

A file is known by name, size and modification time. What ingestion already loaded is read from
the latest materialisation of each ingestion asset (metadata ``landing_files``, written by every
ingestion, whether started by this sensor, ``mutwh run``, ``make demo`` or the UI); the cursor adds
what this sensor already asked for. So a file already ingested is not ingested twice, even on the
sensor's first tick; a changed file (same name, other size or mtime) is. Only the sources with new
or changed files are selected.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from mutwh.home import Home
from orchestration.defs.automation.jobs import ingest_job
from orchestration.defs.ingestion.assets import LANDING_FILES_METADATA, source_state
from orchestration.keys import raw_key
from sources.contract import SOURCES


def landing_state(landing: Path) -> dict[str, list[int]]:
    """``{"<source>/<file>": [size, mtime_ns]}`` of every landing file of a known source."""
    return {f: sig for name in SOURCES for f, sig in source_state(landing, name).items()}


def ingested_state(instance: dg.DagsterInstance) -> dict[str, list[int]]:
    """The files each source's latest ingestion loaded, from its materialisation metadata."""
    state = {}
    for name in SOURCES:
        event = instance.get_latest_materialization_event(raw_key(name))
        materialization = event.asset_materialization if event else None
        entry = materialization.metadata.get(LANDING_FILES_METADATA) if materialization else None
        if entry is not None and isinstance(entry.value, dict):
            state.update(entry.value)
    return state


def changed_files(known: list[dict], current: dict) -> list[str]:
    """Files of ``current`` whose signature none of the ``known`` states holds."""
    return sorted(f for f, signature in current.items() if all(k.get(f) != signature for k in known))


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description="New or changed files in landing/ → ingest the sources they belong to.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    current = landing_state(Home.from_env().landing)
    requested = json.loads(context.cursor) if context.cursor else {}
    changed = changed_files([requested, ingested_state(context.instance)], current)
    if not changed:
        return dg.SkipReason("no new or changed landing files since their last ingestion")
    sources = sorted({f.split("/", 1)[0] for f in changed})
    run_key = hashlib.sha256(json.dumps({f: current[f] for f in changed}, sort_keys=True).encode()).hexdigest()[:16]
    context.update_cursor(json.dumps(current, sort_keys=True))
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=[raw_key(s) for s in sources],
        tags={"mutwh/changed_files": ", ".join(changed)[:1000]},
    )
