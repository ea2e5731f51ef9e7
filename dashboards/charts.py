"""Figures that more than one dashboard draws from a mart with a row per ziekenfonds and year plus the
landsbond total (``ziekenfonds_code`` ``ALL``): the ziekenfondsen in palette order, and their stacked
bars with the landsbond total written above each year."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl

from dashboards import palette
from dashboards.marts import Reference
from dashboards.render import Chart, fmt_int, period_chart


def per_ziekenfonds(frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """(code, its rows by year) of every ziekenfonds in palette order, without the landsbond total."""
    codes = frame.filter(pl.col("ziekenfonds_code") != palette.LANDSBOND_TOTAL)["ziekenfonds_code"].unique().to_list()
    return [
        (code, frame.filter(pl.col("ziekenfonds_code") == code).sort("year"))
        for code in palette.ziekenfonds_order(codes)
    ]


def over_years(rows: pl.DataFrame, column: str) -> dict:
    """``x`` and ``y`` of a trace of ``column`` over the years: the years as category labels (a
    year is not a quantity on the axis), the values in the rows' order."""
    return dict(x=[str(y) for y in rows["year"]], y=rows[column].to_list())


def landsbond_total(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("ziekenfonds_code") == palette.LANDSBOND_TOTAL).sort("year")


def add_ziekenfonds_bars(
    fig: go.Figure,
    frame: pl.DataFrame,
    ref: Reference,
    column: str,
    customdata: Callable[[pl.DataFrame], list],
    hovertemplate: str,
) -> None:
    """A bar trace of ``column`` over the years for every ziekenfonds, in palette order and colour;
    ``customdata(rows)`` is the hover data of a trace."""
    for code, rows in per_ziekenfonds(frame):
        fig.add_bar(
            name=ref.ziekenfonds_name(code),
            **over_years(rows, column),
            marker_color=palette.ziekenfonds_colour(code),
            customdata=customdata(rows),
            hovertemplate=hovertemplate,
        )


def stacked_per_ziekenfonds(
    frame: pl.DataFrame,
    ref: Reference,
    column: str,
    axis_title: str,
    customdata: Callable[[pl.DataFrame], list],
    hovertemplate: str,
    total_hovertemplate: str | None = None,
) -> go.Figure:
    """Stacked bars of ``column`` per ziekenfonds and year; the landsbond total is written above
    each year. ``customdata(rows)`` is the hover data of a trace; without ``total_hovertemplate``
    the total has no hover of its own."""
    fig = go.Figure()
    add_ziekenfonds_bars(fig, frame, ref, column, customdata, hovertemplate)
    total = landsbond_total(frame)
    if total.height:
        hover = (
            dict(customdata=customdata(total), hovertemplate=total_hovertemplate)
            if total_hovertemplate
            else dict(hoverinfo="skip")
        )
        fig.add_scatter(
            name=ref.ziekenfonds_name(palette.LANDSBOND_TOTAL),
            **over_years(total, column),
            mode="text",
            showlegend=False,
            text=[fmt_int(v) for v in total[column]],
            textposition="top center",
            **hover,
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text="Jaar", type="category")
    fig.update_yaxes(title_text=axis_title, tickformat=",~r", rangemode="tozero")
    return fig


def grouped_shares(fig: go.Figure, title: str, axis_title: str, period: str, note: str) -> Chart:
    """``fig``'s bars side by side on a share axis from 0 (whole percents), in the common look."""
    fig.update_layout(barmode="group")
    fig.update_yaxes(title_text=axis_title, tickformat=".0%", rangemode="tozero")
    return period_chart(fig, title, period, note=note)
