"""``mutwh run``: materialise every asset in-process against the persistent Dagster instance, so
command-line runs show up in the UI with their checks, and report what happened.

Unpartitioned assets (ingestion, dbt, dashboards) run first, as one run, over every loaded year;
then, only if no blocking check failed, the partition of the publication assets of each reporting
year asked for (``--years``; default every loaded year). The years choose what is published, never
what is computed: a 2023 export needs 2022 for its 12-month deltas. A failed check therefore keeps
the previous exports in place instead of publishing figures built on bad data.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from mutwh.home import Home
from orchestration.instance import prepare_dagster_home
from sources.insz import PseudonymKeyError, require_production_key

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def ensure_dbt_manifest() -> None:
    """The manifest is normally prepared by ``make`` (``dbt parse``); ``dbt_project()`` parses the
    project when it is missing, so that a bare ``mutwh run`` after ``pip install -e .`` still works."""
    from orchestration.resources import dbt_project

    dbt_project()


def _report(result, label: str) -> bool:
    """Print failures of one run; True when it succeeded and no blocking check failed."""
    import dagster as dg

    failed_steps = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed]
    for event in failed_steps:
        error = event.event_specific_data.error
        cause = error.cause if error and error.cause else error
        message = cause.message.strip() if cause else "step failed"
        if cause and cause.cls_name == "Failure":  # raised on purpose: its description is the message
            message = message.split(": ", 1)[-1]
        print(f"FAILED {label} {event.step_key}: {message}", file=sys.stderr)
    for evaluation in failed_checks:
        warning = evaluation.severity == dg.AssetCheckSeverity.WARN
        kind = "CHECK WARNING" if warning else "CHECK FAILED"
        blocking = " (blocking)" if evaluation.blocking and not warning else ""
        print(f"{kind} {evaluation.asset_key.to_user_string()} / {evaluation.check_name}{blocking}", file=sys.stderr)
    blocking_failed = any(e.blocking and e.severity == dg.AssetCheckSeverity.ERROR for e in failed_checks)
    return result.success and not failed_steps and not blocking_failed


def loaded_years(home: Home) -> list[int]:
    from mutwh.warehouse import is_missing_table_error

    with _read_warehouse(home) as con:
        try:
            return [y for (y,) in con.sql("select year from intermediate.int_reporting_years order by year").fetchall()]
        except Exception as error:
            if is_missing_table_error(error):
                return []
            raise


def _read_warehouse(home: Home):
    """A read-only connection to the active warehouse (DuckDB file or PostgreSQL)."""
    from mutwh.warehouse import connect_warehouse

    return connect_warehouse(home, read_only=True)


def _by_partitions(graph, keys) -> list[tuple[object, list]]:
    groups: dict[object, list] = {}
    for key in keys:
        groups.setdefault(graph.get(key).partitions_def, []).append(key)
    return sorted(groups.items(), key=lambda item: str(item[0]))


def latest_loaded_month(home: Home, years: list[int] | None = None) -> tuple[int, int] | None:
    """The latest month of DMW monitoring, within ``years`` when given."""
    from mutwh.warehouse import is_missing_table_error

    within = f" where year in ({', '.join(str(int(y)) for y in years)})" if years else ""
    with _read_warehouse(home) as con:
        try:
            row = con.sql(f"select max(year * 100 + month) from marts.fct_dmw_norm_month{within}").fetchall()[0][0]
        except Exception as error:
            if is_missing_table_error(error):
                return None
            raise
    return divmod(row, 100) if row else None


def _partition_keys(partitions_def, home: Home, years: list[int] | None) -> list[str]:
    """Every requested (or loaded) year for yearly assets; the latest loaded month of those years
    for monthly ones (earlier months are the monthly schedule's business and are in the yearly
    tables)."""
    from orchestration.partitions import monthly_partitions

    if partitions_def == monthly_partitions:
        latest = latest_loaded_month(home, years)
        keys = [f"{latest[0]:04d}-{latest[1]:02d}-01"] if latest else []
    else:
        keys = [str(y) for y in (years or loaded_years(home))]
    available = [k for k in keys if partitions_def.has_partition_key(k)]
    for missing in sorted(set(keys) - set(available)):
        print(f"{missing}: no partition yet (a period is published once it has ended)", file=sys.stderr)
    return available


def refuse_development_key() -> bool:
    """True (after printing why) when MUTWH_ENV=production lacks a real pseudonym key."""
    try:
        require_production_key()
    except PseudonymKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        return True
    return False


ABANDONED_RUN = (
    "abandoned: the `mutwh` process running it ended without finishing (killed or crashed); "
    "marked failed by the next `mutwh run`"
)


@contextmanager
def exclusive_cli_run(home: Home, instance) -> Iterator[None]:
    """One ``mutwh run`` at a time per data directory, under an OS lock that dies with its process.

    Holding the lock proves that any command-line run still marked STARTED was abandoned by a
    killed process. Such a run keeps its slot of the warehouse pool, and the next run would wait
    for it forever, so it is marked failed and its slots are released first (SPEC §9: a crash
    mid-run needs no manual step)."""
    import fcntl

    import dagster as dg

    with open(home.dagster / ".mutwh-run.lock", "a", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for the `mutwh run` in progress on {home.root} to finish", file=sys.stderr)
            fcntl.flock(lock, fcntl.LOCK_EX)
        unfinished = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
        for run in instance.get_runs(filters=dg.RunsFilter(statuses=unfinished, tags={"mutwh/trigger": "cli"})):
            instance.report_run_failed(run, ABANDONED_RUN)
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            print(f"run {run.run_id} was left unfinished by a killed `mutwh`: marked failed", file=sys.stderr)
        yield


def run_pipeline(years: list[int] | None = None) -> int:
    if refuse_development_key():
        return EXIT_USAGE
    home = Home.from_env().ensure()
    if not any(home.landing.iterdir()):
        print(f"error: the landing zone {home.landing} is empty; run `mutwh generate` first", file=sys.stderr)
        return EXIT_USAGE
    from orchestration.quality.gx_worker import close_prestarted, prestart

    prestart()  # GX imports beside Dagster's and the definitions' imports; the build run takes it
    try:
        return _run_pipeline(home, years)
    finally:
        close_prestarted()


def _run_pipeline(home: Home, years: list[int] | None) -> int:
    prepare_dagster_home(home)
    ensure_dbt_manifest()

    import dagster as dg

    from orchestration.definitions import defs
    from orchestration.defs.transform.seeds import unchanged_seeds

    graph = defs.resolve_asset_graph()
    keys = list(graph.materializable_asset_keys)
    partitioned = [k for k in keys if graph.get(k).partitions_def is not None]
    unpartitioned = [k for k in keys if k not in partitioned]

    with dg.DagsterInstance.get() as instance, exclusive_cli_run(home, instance):
        if kept := unchanged_seeds(instance, graph, home):
            print(kept)
            unpartitioned = [k for k in unpartitioned if k not in kept.keys]
        base = defs.resolve_implicit_job_def_def_for_assets(unpartitioned).execute_in_process(
            instance=instance,
            asset_selection=unpartitioned,
            raise_on_error=False,
            tags={"mutwh/trigger": "cli"},
            run_config=QUIET_LOGS,
        )
        ok = _report(base, "build")
        print(f"build run {base.run_id}: {'succeeded' if ok else 'failed'}")
        published: list[str] = []
        if ok:
            for partitions_def, assets in _by_partitions(graph, partitioned):
                job = defs.resolve_implicit_job_def_def_for_assets(assets)
                for key in _partition_keys(partitions_def, home, years):
                    result = job.execute_in_process(
                        instance=instance,
                        asset_selection=assets,
                        partition_key=key,
                        raise_on_error=False,
                        tags={"mutwh/trigger": "cli"},
                        run_config=QUIET_LOGS,
                    )
                    if _report(result, key):
                        published.append(key)
                    else:
                        ok = False
        else:
            print("exports and dashboards not published: a blocking check or step failed", file=sys.stderr)

    print(f"exports:    {home.exports}" + (f" (partitions {', '.join(published)})" if published else ""))
    print(f"dashboards: {home.dashboards / 'index.html'}")
    print(f"quarantine: {home.quarantine}")
    print(f"data docs:  {home.gx}")
    return EXIT_OK if ok else EXIT_DATA


def run_job(name: str, partition_key: str | None = None) -> int:
    """Run one job of the code location in-process, as the UI or a schedule would."""
    if refuse_development_key():
        return EXIT_USAGE
    home = Home.from_env().ensure()
    prepare_dagster_home(home)
    ensure_dbt_manifest()

    import dagster as dg

    from orchestration.definitions import defs

    names = sorted(job.name for job in defs.jobs or [])
    if name not in names:
        print(f"error: unknown job '{name}', expected one of {', '.join(names)}", file=sys.stderr)
        return EXIT_USAGE
    job = defs.resolve_job_def(name)
    if job.partitions_def is not None and not (partition_key and job.partitions_def.has_partition_key(partition_key)):
        print(f"error: job '{name}' needs --partition with an existing key (got {partition_key!r})", file=sys.stderr)
        return EXIT_USAGE
    with dg.DagsterInstance.get() as instance, exclusive_cli_run(home, instance):
        result = job.execute_in_process(
            instance=instance,
            partition_key=partition_key if job.partitions_def else None,
            raise_on_error=False,
            tags={"mutwh/trigger": "cli"},
            run_config=QUIET_LOGS,
        )
    ok = _report(result, name)
    print(
        f"{name} run {result.run_id}{' for ' + partition_key if partition_key else ''}: {'succeeded' if ok else 'failed'}"
    )
    return EXIT_OK if ok else EXIT_DATA
