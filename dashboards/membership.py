"""Dashboards (1) leden & marktaandeel over the years and (2) verhoogde tegemoetkoming per
ziekenfonds, from ``marts.fct_membership_year`` (SPEC §5, §7)."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboards import palette
from dashboards.charts import (
    add_ziekenfonds_bars,
    landsbond_total,
    over_years,
    per_ziekenfonds,
    stacked_per_ziekenfonds,
)
from dashboards.marts import MartRead, Reference, model_names, read_mart
from dashboards.render import (
    Chart,
    Page,
    capitalised,
    fmt_delta,
    fmt_int,
    fmt_pct,
    period_chart,
    style,
    year_span,
)
from exports.annual_report import MEMBERSHIP_YEAR_COLUMNS

MART = "marts.fct_membership_year"
COLUMNS = MEMBERSHIP_YEAR_COLUMNS  # the key figures, as the annual-report export publishes them
MARTS = model_names(MART)
COLUMNS_BY_MART = {MART: COLUMNS}
STOCK_DATE = "toestand op 31 december"


def read_membership(con: duckdb.DuckDBPyConnection) -> MartRead:
    return read_mart(con, MART, COLUMNS, order_by=("year", "ziekenfonds_code"))


def _years(frame: pl.DataFrame) -> list[str]:
    return [str(y) for y in sorted(frame["year"].unique().to_list())]


def _stock_period(years) -> str:
    return f"{STOCK_DATE}, {year_span(years)}"


def _stock_chart(frame: pl.DataFrame, ref: Reference, stock: str, label: str, title: str) -> Chart:
    """Stacked bars per ziekenfonds; the landsbond total is written above each year."""
    hover = (
        f"<br>Jaar %{{x}}<br>{label}: %{{customdata[0]}}<br>Verschil met vorig jaar: %{{customdata[1]}}<extra></extra>"
    )
    fig = stacked_per_ziekenfonds(
        frame,
        ref,
        stock,
        label,
        lambda rows: [[fmt_int(v), fmt_delta(d)] for v, d in zip(rows[stock], rows[f"{stock}_delta_12m"])],
        "<b>%{fullData.name}</b>" + hover,
        "<b>Landsbond (totaal)</b>" + hover,
    )
    return period_chart(fig, title, _stock_period(_years(frame)))


def _market_share_total(frame: pl.DataFrame, title: str) -> Chart:
    total = landsbond_total(frame)
    years = [str(y) for y in total["year"]]
    fig = go.Figure()
    for column, stock, label, dash in (
        ("market_share_leden", "leden", "Marktaandeel leden", "solid"),
        ("market_share_titularissen", "titularissen", "Marktaandeel titularissen", "dash"),
    ):
        fig.add_scatter(
            name=label,
            x=years,
            y=total[column].to_list(),
            mode="lines+markers",
            line=dict(color=palette.ziekenfonds_colour(palette.LANDSBOND_TOTAL), dash=dash, width=3),
            customdata=[[fmt_pct(s, 2), fmt_int(n)] for s, n in zip(total[column], total[stock])],
            hovertemplate=f"<b>{label}</b><br>Jaar %{{x}}<br>Marktaandeel: %{{customdata[0]}}<br>"
            f"{stock.capitalize()} van de landsbond: %{{customdata[1]}}<extra></extra>",
        )
    fig.update_xaxes(title_text="Jaar", type="category")
    fig.update_yaxes(title_text="Marktaandeel", tickformat=".4~%")
    period = _stock_period(years)
    note = (
        "Het marktaandeel deelt door het nationale aantal verzekerden (seed national_insured_totals); "
        "een jaar zonder nationaal totaal heeft geen punt."
    )
    return period_chart(fig, title, period, note=note)


def _market_share_per_ziekenfonds(frame: pl.DataFrame, ref: Reference, title: str) -> Chart:
    fig = go.Figure()
    for code, rows in per_ziekenfonds(frame):
        fig.add_scatter(
            name=ref.ziekenfonds_name(code),
            **over_years(rows, "market_share_leden"),
            mode="lines+markers",
            line=dict(color=palette.ziekenfonds_colour(code), width=2),
            customdata=[[fmt_pct(s, 2), fmt_int(n)] for s, n in zip(rows["market_share_leden"], rows["leden"])],
            hovertemplate="<b>%{fullData.name}</b><br>Jaar %{x}<br>Marktaandeel leden: %{customdata[0]}<br>"
            "Leden: %{customdata[1]}<extra></extra>",
        )
    fig.update_xaxes(title_text="Jaar", type="category")
    fig.update_yaxes(title_text="Marktaandeel leden", tickformat=".4~%", rangemode="tozero")
    period = _stock_period(_years(frame))
    return period_chart(fig, title, period)


def _zorgkas(frame: pl.DataFrame, ref: Reference, title: str) -> Chart:
    """Two panels, each with its own scale: there are far fewer dossiers than members."""
    total = landsbond_total(frame)
    years = [str(y) for y in total["year"]]
    own = ref.own_zorgkas  # seed zorgkassen.is_own
    colour = palette.zorgkas_colour(own) if own else palette.ZIEKENFONDS[palette.LANDSBOND_TOTAL]
    fig = make_subplots(
        rows=1, cols=2, subplot_titles=["Zorgkasleden", "Actieve zorgkasdossiers"], horizontal_spacing=0.1
    )
    fig.add_bar(
        name="Zorgkasleden",
        x=years,
        y=total["zorgkas_leden"].to_list(),
        marker_color=colour,
        customdata=[fmt_int(v) for v in total["zorgkas_leden"]],
        hovertemplate="<b>Zorgkasleden</b> (aansluiting bij de eigen zorgkas op 31/12)<br>Jaar %{x}<br>"
        "%{customdata}<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        name="Actieve zorgkasdossiers",
        x=years,
        y=total["zorgkas_active_dossiers"].to_list(),
        marker=dict(color=colour, opacity=0.6, pattern=dict(shape="/")),
        customdata=[fmt_int(v) for v in total["zorgkas_active_dossiers"]],
        hovertemplate="<b>Actieve zorgkasdossiers</b> (positieve beslissing, recht loopt op 31/12)"
        "<br>Jaar %{x}<br>%{customdata}<extra></extra>",
        row=1,
        col=2,
    )
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",~r", rangemode="tozero")
    period = _stock_period(years)
    style(fig, title, capitalised(period), height=400)
    fig.update_layout(showlegend=False)
    return Chart(
        title,
        period,
        fig,
        note="Landsbond-totaal: ook zorgkasleden en dossiers van personen die op 31/12 "
        "geen lid meer zijn van een ziekenfonds tellen mee.",
    )


def membership_page(con: duckdb.DuckDBPyConnection, ref: Reference, page: Page) -> Page:
    titles = (
        "Leden per ziekenfonds",
        "Titularissen per ziekenfonds",
        "Marktaandeel van de landsbond",
        "Marktaandeel per ziekenfonds (leden)",
        "Eigen zorgkas: leden en actieve dossiers",
    )
    return _fill(
        page,
        con,
        titles,
        lambda frame: [
            _stock_chart(frame, ref, "leden", "Leden", titles[0]),
            _stock_chart(frame, ref, "titularissen", "Titularissen", titles[1]),
            _market_share_total(frame, titles[2]),
            _market_share_per_ziekenfonds(frame, ref, titles[3]),
            _zorgkas(frame, ref, titles[4]),
        ],
    )


def _fill(
    page: Page, con: duckdb.DuckDBPyConnection, titles: tuple[str, ...], charts: Callable[[pl.DataFrame], list[Chart]]
) -> Page:
    """The page's ``charts`` of fct_membership_year, or, when the mart cannot be read, an empty chart
    per title that says why."""
    read = read_membership(con)
    if not read.ok:
        page.charts = [Chart(t, STOCK_DATE, empty=read.problem) for t in titles]
        return page
    page.period = _stock_period(_years(read.frame))
    page.charts = charts(read.frame)
    return page


# -- verhoogde tegemoetkoming ----------------------------------------------------------------------


def _vt_customdata(rows: pl.DataFrame) -> list[list[str]]:
    return [
        [fmt_pct(s), fmt_int(v), fmt_int(n), fmt_delta(d)]
        for s, v, n, d in zip(rows["vt_share"], rows["vt_leden"], rows["leden"], rows["vt_leden_delta_12m"])
    ]


VT_HOVER = (
    "<b>%{fullData.name}</b><br>Jaar %{x}<br>Aandeel verhoogde tegemoetkoming: %{customdata[0]}<br>"
    "Leden met verhoogde tegemoetkoming: %{customdata[1]} van %{customdata[2]} leden<br>"
    "Verschil met vorig jaar: %{customdata[3]}<extra></extra>"
)


def _vt_share_over_years(frame: pl.DataFrame, ref: Reference, title: str) -> Chart:
    fig = go.Figure()
    add_ziekenfonds_bars(fig, frame, ref, "vt_share", _vt_customdata, VT_HOVER)
    total = landsbond_total(frame)
    if total.height:
        fig.add_scatter(
            name="Landsbond (totaal)",
            **over_years(total, "vt_share"),
            mode="lines+markers",
            line=dict(color=palette.ziekenfonds_colour(palette.LANDSBOND_TOTAL), width=3, dash="dot"),
            marker=dict(size=10, symbol="diamond"),
            customdata=_vt_customdata(total),
            hovertemplate=VT_HOVER,
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="Jaar", type="category")
    fig.update_yaxes(title_text="Aandeel VT", tickformat=".0%", rangemode="tozero")
    period = _stock_period(_years(frame))
    return period_chart(fig, title, period)


def _vt_share_latest(frame: pl.DataFrame, ref: Reference) -> Chart:
    year = max(frame["year"].to_list())
    title = f"Verhoogde tegemoetkoming per ziekenfonds in {year}"
    rows = frame.filter((pl.col("year") == year) & (pl.col("ziekenfonds_code") != palette.LANDSBOND_TOTAL))
    rows = rows.sort(["vt_share", "ziekenfonds_code"], nulls_last=True)
    fig = go.Figure()
    fig.add_bar(
        orientation="h",
        name="Ziekenfondsen",
        y=[ref.ziekenfonds_name(c) for c in rows["ziekenfonds_code"]],
        x=rows["vt_share"].to_list(),
        marker_color=[palette.ziekenfonds_colour(c) for c in rows["ziekenfonds_code"]],
        text=[fmt_pct(s) for s in rows["vt_share"]],
        textposition="outside",
        customdata=_vt_customdata(rows),
        hovertemplate=VT_HOVER.replace("Jaar %{x}", f"Jaar {year}").replace("%{fullData.name}", "%{y}"),
        showlegend=False,
    )
    total = landsbond_total(frame).filter(pl.col("year") == year)
    if total.height and total["vt_share"][0] is not None:
        share = total["vt_share"][0]
        line = dict(color=palette.ziekenfonds_colour(palette.LANDSBOND_TOTAL), dash="dash", width=2)
        # the landsbond's value is named in the legend, not written on the line: a label on the
        # line sat on the value labels of the bars next to it
        fig.add_vline(x=share, line=line)
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            line=line,
            name=f"Landsbond (totaal): {fmt_pct(share)}",
            hoverinfo="skip",
            showlegend=True,
        )
    fig.update_xaxes(title_text="Aandeel leden met verhoogde tegemoetkoming", tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(title_text="", automargin=True)
    period = f"{STOCK_DATE} {year}"
    height = 160 + 48 * max(rows.height, 3)
    fig = style(fig, title, capitalised(period), height=height)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"))
    return Chart(title, period, fig)


def vt_share_page(con: duckdb.DuckDBPyConnection, ref: Reference, page: Page) -> Page:
    titles = (
        "Aandeel leden met verhoogde tegemoetkoming per ziekenfonds",
        "Verhoogde tegemoetkoming per ziekenfonds in het laatste jaar",
        "Leden met verhoogde tegemoetkoming (aantal)",
    )
    return _fill(
        page,
        con,
        titles,
        lambda frame: [
            _vt_share_over_years(frame, ref, titles[0]),
            _vt_share_latest(frame, ref),
            _stock_chart(frame, ref, "vt_leden", "Leden met VT", titles[2]),
        ],
    )
