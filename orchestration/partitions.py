"""Partitions of the reporting assets: a year for the annual report and the inspection tables, a
month for DMW monitoring. A year's partition exists from 1 January of the next year, when its
figures can be closed; the 2nd-of-month DMW schedule reports the month that just ended.

The partitions are calendar periods, not the loaded ones: the 15 January schedule asks for the year
that ended before its run has ingested that year's files, and `mutwh run --job annual_report
--partition 2023` names a year the same way. So the picker offers every period since 2018, and a
partition whose period is not in the warehouse once its run has ingested and built fails with a
message saying which periods are loaded (``require_loaded_year``/``require_loaded_month``),
instead of publishing empty files."""

import dagster as dg

FIRST_YEAR = "2018"

yearly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=FIRST_YEAR, fmt="%Y", timezone="Europe/Brussels"
)
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=f"{FIRST_YEAR}-01-01", timezone="Europe/Brussels")


def _rows(con, query: str) -> list[tuple]:
    from mutwh.warehouse import is_missing_table_error

    try:
        return con.sql(query).fetchall()
    except Exception as error:
        if is_missing_table_error(error):  # nothing built yet: nothing loaded
            return []
        raise


def loaded_years(con) -> list[int]:
    """The reporting years in the warehouse (``int_reporting_years``: years with the year's flows)."""
    return [int(y) for (y,) in _rows(con, "select year from intermediate.int_reporting_years order by year")]


def loaded_months(con) -> list[tuple[int, int]]:
    """The (year, month) pairs that DMW monitoring covers (``fct_dmw_norm_month``: the months elapsed
    in the DMW data of the loaded years)."""
    query = "select distinct year, month from marts.fct_dmw_norm_month order by year, month"
    return [(int(y), int(m)) for y, m in _rows(con, query)]


def _spans(values: list[str]) -> str:
    return ", ".join(values) if values else "none (ingest landing files and build first)"


def require_loaded_year(con, year: int) -> None:
    """Fail the step (nothing written) when ``year`` is not a loaded reporting year."""
    years = loaded_years(con)
    if year not in years:
        raise dg.Failure(
            description=f"{year} is not a loaded reporting year; loaded: {_spans([str(y) for y in years])}. "
            "Nothing was published for it.",
            metadata={"partition": str(year), "loaded_years": [str(y) for y in years]},
        )


def require_loaded_month(con, year: int, month: int) -> None:
    """Fail the step (nothing written) when the month is outside the loaded DMW data."""
    months = loaded_months(con)
    if (year, month) not in months:
        by_year: dict[int, list[int]] = {}
        for y, m in months:
            by_year.setdefault(y, []).append(m)
        spans = [f"{y}-{ms[0]:02d}" + (f" to {y}-{ms[-1]:02d}" if len(ms) > 1 else "") for y, ms in by_year.items()]
        raise dg.Failure(
            description=f"{year}-{month:02d} is not a loaded DMW month; loaded: {_spans(spans)}. "
            "Nothing was published for it.",
            metadata={"partition": f"{year}-{month:02d}"},
        )
