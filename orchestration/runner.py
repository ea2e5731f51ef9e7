"""``mutwh run``: materialise every asset in-process against the persistent Dagster instance, so
command-line runs show up in the UI with their checks, and report what happened."""

from __future__ import annotations

import os
import sys

from orchestration.instance import prepare_dagster_home
from sources.home import Home

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
YEARS_ENV = "MUTWH_YEARS"


def ensure_dbt_manifest() -> None:
    """The manifest is normally prepared by ``make`` (``dbt parse``); prepare it if it is missing
    so that a bare ``mutwh run`` after ``pip install -e .`` still works."""
    from orchestration.resources import dbt_project

    project = dbt_project()
    if not project.manifest_path.exists():
        project.preparer.prepare(project)


def run_pipeline(years: list[int] | None = None) -> int:
    home = Home.from_env().ensure()
    prepare_dagster_home(home)
    if years:
        os.environ[YEARS_ENV] = f"{years[0]}-{years[-1]}"
    if not any(home.landing.iterdir()):
        print(f"error: the landing zone {home.landing} is empty; run `mutwh generate` first", file=sys.stderr)
        return EXIT_USAGE
    ensure_dbt_manifest()

    import dagster as dg

    from orchestration.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags={"mutwh/trigger": "cli"},
            run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
        )

    failed_steps = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    failed_checks = [
        e for e in result.get_asset_check_evaluations() if not e.passed
    ]
    for event in failed_steps:
        error = event.event_specific_data.error
        message = error.message.strip() if error else "step failed"
        print(f"FAILED {event.step_key}: {message}", file=sys.stderr)
    for evaluation in failed_checks:
        print(
            f"CHECK FAILED {evaluation.asset_key.to_user_string()} / {evaluation.check_name}"
            f"{' (blocking)' if evaluation.blocking else ''}",
            file=sys.stderr,
        )
    print(f"run {result.run_id}: {'succeeded' if result.success and not failed_checks else 'failed'}")
    print(f"exports:    {home.exports}")
    print(f"dashboards: {home.dashboards / 'index.html'}")
    print(f"quarantine: {home.quarantine}")
    print(f"data docs:  {home.gx}")
    blocking_failed = any(e.blocking for e in failed_checks)
    return EXIT_OK if result.success and not blocking_failed and not failed_steps else EXIT_DATA
