"""Schedules return the right partition for a tick; the landing sensor asks for one run per change."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from conftest import ensure_dbt_manifest

BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.fixture(scope="module")
def automation():
    ensure_dbt_manifest()
    from orchestration.defs.automation import schedules, sensors

    return schedules, sensors


@pytest.mark.parametrize(
    ("tick", "key"),
    [
        (dt.datetime(2024, 3, 2, 6, 0, tzinfo=BRUSSELS), "2024-02-01"),
        (dt.datetime(2025, 1, 2, 6, 0, tzinfo=BRUSSELS), "2024-12-01"),
    ],
)
def test_dmw_monthly_schedule_reports_the_month_that_ended(automation, tick, key):
    schedules, _ = automation
    request = schedules.dmw_monthly_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert request.partition_key == key


def test_annual_report_schedule_reports_the_year_that_ended(automation):
    schedules, _ = automation
    tick = dt.datetime(2025, 1, 15, 6, 0, tzinfo=BRUSSELS)
    request = schedules.annual_report_schedule(dg.build_schedule_context(scheduled_execution_time=tick))
    assert request.partition_key == "2024"


def test_schedule_cron_and_timezone(automation):
    schedules, _ = automation
    assert schedules.dmw_monthly_schedule.cron_schedule == "0 6 2 * *"
    assert schedules.annual_report_schedule.cron_schedule == "0 6 15 1 *"
    for schedule in (schedules.dmw_monthly_schedule, schedules.annual_report_schedule):
        assert schedule.execution_timezone == "Europe/Brussels"
        assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED


def _evaluate(sensors, cursor):
    # an empty instance: nothing ingested yet, so only the cursor says what was asked for
    context = dg.build_sensor_context(cursor=cursor, instance=dg.DagsterInstance.ephemeral())
    result = sensors.landing_sensor(context)
    return result, context.cursor


def test_landing_sensor_new_file_once_then_nothing_then_changed(automation, home):
    _, sensors = automation
    folder = home / "landing" / "vt_periods"
    folder.mkdir()
    (folder / "v.csv").write_text("insz;start_date;end_date\n")

    first, cursor = _evaluate(sensors, None)
    assert isinstance(first, dg.RunRequest)
    assert first.asset_selection == [dg.AssetKey(["raw", "vt_periods"])]

    again, cursor_again = _evaluate(sensors, cursor)
    assert isinstance(again, dg.SkipReason)
    assert cursor_again == cursor

    (folder / "v.csv").write_text("insz;start_date;end_date\n\n")  # same name, new size
    changed, _ = _evaluate(sensors, cursor)
    assert isinstance(changed, dg.RunRequest) and changed.run_key != first.run_key


def test_landing_sensor_ignores_other_files(automation, home):
    _, sensors = automation
    (home / "landing" / "notes.txt").write_text("x")
    (home / "landing" / "unknown_source").mkdir()
    (home / "landing" / "unknown_source" / "a.csv").write_text("a\n")
    result, _ = _evaluate(sensors, None)
    assert isinstance(result, dg.SkipReason)
