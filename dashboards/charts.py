"""Figures that more than one dashboard draws from a mart with a row per ziekenfonds and year plus the
landsbond total (``ziekenfonds_code`` ``ALL``): the ziekenfondsen in palette order, and their stacked
bars with the landsbond total written above each year."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import polars as pl

from dashboards import palette
from dashboards.marts import Reference
from dashboards.render import fmt_int


def per_ziekenfonds(frame: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """(code, its rows by year) of every ziekenfonds in palette order, without the landsbond total."""
    codes = frame.filter(pl.col("ziekenfonds_code") != palette.LANDSBOND_TOTAL)["ziekenfonds_code"].unique().to_list()
    return [
        (code, frame.filter(pl.col("ziekenfonds_code") == code).sort("year"))
        for code in palette.ziekenfonds_order(codes)
    ]


def landsbond_total(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("ziekenfonds_code") == palette.LANDSBOND_TOTAL).sort("year")


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
    for code, rows in per_ziekenfonds(frame):
        fig.add_bar(
            name=ref.ziekenfonds_name(code),
            x=[str(y) for y in rows["year"]],
            y=rows[column].to_list(),
            marker_color=palette.ziekenfonds_colour(code),
            customdata=customdata(rows),
            hovertemplate=hovertemplate,
        )
    total = landsbond_total(frame)
    if total.height:
        hover = (
            dict(customdata=customdata(total), hovertemplate=total_hovertemplate)
            if total_hovertemplate
            else dict(hoverinfo="skip")
        )
        fig.add_scatter(
            name=ref.ziekenfonds_name(palette.LANDSBOND_TOTAL),
            x=[str(y) for y in total["year"]],
            y=total[column].to_list(),
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
