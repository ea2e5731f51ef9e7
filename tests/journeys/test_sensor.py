"""Journey: the landing sensor after `make demo` (issue 13 point 5). Its first tick finds every
file already ingested and asks for nothing; a changed file asks for its source only, and once that
ingestion ran, nothing again. Evaluated with Dagster's sensor testing API on the demo's instance."""

from __future__ import annotations

import os

import dagster as dg


def tick(instance, cursor=None):
    from orchestration.defs.automation.sensors import landing_sensor

    context = dg.build_sensor_context(instance=instance, cursor=cursor)
    return landing_sensor(context), context.cursor


def test_first_tick_after_demo_then_one_changed_source(demo_copy, monkeypatch):
    home = demo_copy.mutwh_home
    monkeypatch.setenv("MUTWH_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))

    with dg.DagsterInstance.get() as instance:
        first, cursor = tick(instance)
        assert isinstance(first, dg.SkipReason), first

        changed = sorted((home / "landing" / "vt_periods").iterdir())[0]
        stat = changed.stat()
        os.utime(changed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # an upload replaced it
        request, cursor = tick(instance, cursor)
        assert isinstance(request, dg.RunRequest), request
        assert request.asset_selection == [dg.AssetKey(["raw", "vt_periods"])]
        assert request.tags["mutwh/changed_files"] == f"vt_periods/{changed.name}"

        from orchestration.definitions import defs

        result = defs.resolve_job_def("ingest").execute_in_process(
            instance=instance, asset_selection=request.asset_selection, raise_on_error=False
        )
        assert result.success
        # a fresh cursor (e.g. the sensor was reset): the instance alone knows the file is loaded
        again, _ = tick(instance)
        assert isinstance(again, dg.SkipReason), again
