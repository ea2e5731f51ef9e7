"""The two sources that are published tables, not person data: finance_ledger and
staff_departments. They do not scale; years without a publication are derived from the nearest
published year with a fixed yearly growth (calibration), so that any year range has data."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import calibration as cal
from . import reference
from .writer import SourceSink, amounts, make_table


def _nearest(published: dict, year: int, growth: float) -> tuple[int, float]:
    """Nearest published year (the earlier one on a tie) and the growth factor from it."""
    nearest = min(published, key=lambda y: (abs(y - year), y))
    return nearest, (1 + growth) ** (year - nearest)


def finance_rows(year: int) -> list[tuple[str, str, float]]:
    published = reference.finance_rows()
    nearest, factor = _nearest(published, year, cal.FINANCE_YEARLY_GROWTH)
    return [(entity, rubric, round(amount * factor, 2)) for entity, rubric, amount in published[nearest]]


def staff_rows(year: int) -> list[tuple[str, float]]:
    published = reference.staff_department_rows()
    nearest, factor = _nearest(published, year, cal.STAFF_YEARLY_GROWTH)
    return [(department, round(vte * factor, 2)) for department, vte in published[nearest]]


def write_finance(sink: SourceSink, years: list[int]) -> None:
    for year in years:
        rows = finance_rows(year)
        table = make_table(
            "finance_ledger",
            {
                "entity": pa.array([r[0] for r in rows], pa.string()),
                "rubric": pa.array([r[1] for r in rows], pa.string()),
                "year": pa.array(np.full(len(rows), year, dtype="int32")),
                "amount_eur": amounts([r[2] for r in rows]),
            },
        )
        sink.emit(table, [str(year)])


def write_staff_departments(sink: SourceSink, years: list[int]) -> None:
    for year in years:
        rows = staff_rows(year)
        table = make_table(
            "staff_departments",
            {
                "year": pa.array(np.full(len(rows), year, dtype="int32")),
                "department": pa.array([r[0] for r in rows], pa.string()),
                "fte": amounts([r[1] for r in rows]),
            },
        )
        sink.emit(table, [str(year)])
