"""Partitions of the reporting assets: a year for the annual report and the inspection tables, a
month for DMW monitoring. A year's partition exists from 1 January of the next year, when its
figures can be closed; the 2nd-of-month DMW schedule reports the month that just ended."""

import dagster as dg

FIRST_YEAR = "2018"

yearly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=FIRST_YEAR, fmt="%Y", timezone="Europe/Brussels"
)
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=f"{FIRST_YEAR}-01-01", timezone="Europe/Brussels")
