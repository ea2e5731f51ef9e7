"""Schedules (SPEC §8): both off by default, switchable in the UI.

- DMW monitoring on the 2nd of every month at 06:00 Europe/Brussels, for the month that ended;
- the annual report on 15 January at 06:00 Europe/Brussels, for the year that ended.
"""

import dagster as dg

from orchestration.defs.automation.jobs import annual_report_job, dmw_monthly_job

TIMEZONE = "Europe/Brussels"


def previous_month_key(tick: "dg.datetime.datetime") -> str:
    year, month = (tick.year, tick.month - 1) if tick.month > 1 else (tick.year - 1, 12)
    return f"{year:04d}-{month:02d}-01"


def _stopped_schedule(job, cron_schedule: str, description: str):
    """A schedule of ``job`` at ``cron_schedule`` Brussels time, stopped until switched on in the UI."""
    return dg.schedule(
        job=job,
        cron_schedule=cron_schedule,
        execution_timezone=TIMEZONE,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=description,
    )


@_stopped_schedule(dmw_monthly_job, "0 6 2 * *", "DMW erkenningsnormen, month by month: the month that just ended.")
def dmw_monthly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    key = previous_month_key(context.scheduled_execution_time)
    return dg.RunRequest(run_key=key, partition_key=key)


@_stopped_schedule(annual_report_job, "0 6 15 1 *", "Annual report of the year that ended, on 15 January.")
def annual_report_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    key = str(context.scheduled_execution_time.year - 1)
    return dg.RunRequest(run_key=key, partition_key=key)
