"""Dashboard (3) zorgkas scorecard: indicator scores against their weights, the global score per
zorgkas and year, and the responsabilisering (SPEC §5, §5a, §7)."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl

from dashboards import palette
from dashboards.marts import Reference, read_mart, table_columns
from dashboards.render import Chart, Page, fmt_eur, fmt_int, fmt_pct, style, year_span

INDICATOR_MART = "marts.fct_zorgkas_indicator_year"
SCORE_MART = "marts.fct_zorgkas_score_year"
RESPONSABILISERING_MART = "marts.fct_zorgkas_responsabilisering_year"
MARTS = ("fct_zorgkas_indicator_year", "fct_zorgkas_score_year", "fct_zorgkas_responsabilisering_year")
INDICATOR_COLUMNS = ("year", "zorgkas_code", "indicator", "weight", "population", "compliant", "score")
SCORE_COLUMNS = ("year", "zorgkas_code", "global_score")
RESPONSABILISERING_COLUMNS = ("year", "zorgkas_code", "global_score", "pot_eur", "withheld_eur", "received_eur",
                              "net_eur")
COLUMNS = {INDICATOR_MART: INDICATOR_COLUMNS, SCORE_MART: SCORE_COLUMNS,
           RESPONSABILISERING_MART: RESPONSABILISERING_COLUMNS}

# Short Dutch names of the six indicators of seed 003 (SPEC §5); the weights come from the mart.
INDICATORS = {
    "I1": "tijdige premie-uitnodiging",
    "I2": "mutaties tijdig en correct doorgegeven",
    "I3": "correcte startdatum zorgbudget (ZZB)",
    "I4": "maximale geldigheidsduur ZZB niet overschreden",
    "I5": "correcte betaalmaand ZZB",
    "I6": "tijdige betaling ZZB",
}
INFERRED_NOTE = (
    "Let op: de regel van de responsabilisering is afgeleid uit gepubliceerde cijfers (de uitkomsten "
    "2019–2021 in de parlementaire vraag nr. 325 van 2022), niet overgenomen uit de regelgeving, die hier niet "
    "beschikbaar was. Per indicator onder de norm verliest een zorgkas gewicht × aandeel × werkingssubsidie; "
    "het totaal wordt herverdeeld over alle zorgkassen naar rato van hun werkingssubsidie."
)


def _wrap(text: str, width: int = 18) -> str:
    """Break a tick label over lines of about ``width`` characters (Plotly does not wrap)."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line] if line else lines)


def _zorgkas_order(codes) -> list[str]:
    return sorted(set(codes), key=lambda c: (len(c), c))


def _year_menu(years: list[int], owners: list, subtitle: str, y: float = 1.18) -> list[dict]:
    """A dropdown that shows the traces of one year (``owners``: the year of every trace)."""
    if len(years) < 2:
        return []
    return [dict(
        type="dropdown", x=1, xanchor="right", y=y, yanchor="top", showactive=True, active=len(years) - 1,
        buttons=[dict(label=str(year), method="update",
                      args=[{"visible": [owner == year for owner in owners]},
                            {"title.subtitle.text": subtitle.format(year=year)}]) for year in years],
    )]


def _indicator_hover(rows: pl.DataFrame) -> list[list[str]]:
    data = []
    for row in rows.iter_rows(named=True):
        status = ""
        if row.get("empty_population"):
            status = "Lege populatie: score 1 volgens afspraak, niet gemeten"
        elif row.get("below_norm") is not None:
            status = "Onder de norm" if row["below_norm"] else "Haalt de norm"
        data.append([INDICATORS.get(row["indicator"], row["indicator"]), fmt_pct(row["score"]),
                     fmt_int(row["compliant"]), fmt_int(row["population"]), fmt_pct(row["weight"], 0),
                     f"Norm: {fmt_pct(row['norm'], 0)} — {status}" if row.get("norm") is not None else status])
    return data


def _indicator_scores(frame: pl.DataFrame, ref: Reference) -> Chart:
    """Grouped bars (a colour per zorgkas) of the score on each indicator, with the indicator's weight
    as a diamond (and its norm, when the mart has one, as a dash); a menu picks the year."""
    title = "Score per indicator en zorgkas, met het gewicht van de indicator"
    years = sorted(frame["year"].unique().to_list())
    latest = years[-1]
    indicators = sorted(frame["indicator"].unique().to_list())
    has_norm = "norm" in frame.columns
    fig = go.Figure()
    owners: list[int] = []  # year of every trace, for the year menu
    for year in years:
        rows_year = frame.filter(pl.col("year") == year)
        for code in _zorgkas_order(rows_year["zorgkas_code"].to_list()):
            rows = rows_year.filter(pl.col("zorgkas_code") == code).sort("indicator")
            fig.add_bar(
                name=ref.zorgkas_name(code),
                legendgroup=code,
                x=rows["indicator"].to_list(),
                y=rows["score"].to_list(),
                marker_color=palette.zorgkas_colour(code),
                visible=year == latest,
                customdata=_indicator_hover(rows),
                hovertemplate=f"<b>%{{fullData.name}}</b> — {year}<br>%{{x}} %{{customdata[0]}}<br>"
                              "Score: %{customdata[1]} (%{customdata[2]} conform van %{customdata[3]})<br>"
                              "Gewicht in de globale score: %{customdata[4]}<br>%{customdata[5]}<extra></extra>",
            )
            owners.append(year)
        per_indicator = rows_year.group_by("indicator").agg(
            pl.col("weight").max(), *([pl.col("norm").max()] if has_norm else [])).sort("indicator")
        fig.add_scatter(
            name="Gewicht van de indicator",
            legendgroup="weight",
            x=per_indicator["indicator"].to_list(),
            y=per_indicator["weight"].to_list(),
            mode="markers",
            marker=dict(symbol="diamond", size=12, color=palette.WEIGHT),
            visible=year == latest,
            customdata=[[INDICATORS.get(i, i), fmt_pct(w, 0)]
                        for i, w in zip(per_indicator["indicator"], per_indicator["weight"])],
            hovertemplate="<b>%{x}</b> %{customdata[0]}<br>Gewicht in de globale score: %{customdata[1]}"
                          "<extra></extra>",
        )
        owners.append(year)
        if has_norm:
            fig.add_scatter(
                name="Norm (minimumscore)",
                legendgroup="norm",
                x=per_indicator["indicator"].to_list(),
                y=per_indicator["norm"].to_list(),
                mode="markers",
                marker=dict(symbol="line-ew", size=44, line=dict(width=3, color=palette.NORM)),
                visible=year == latest,
                customdata=[[INDICATORS.get(i, i), fmt_pct(n, 0)]
                            for i, n in zip(per_indicator["indicator"], per_indicator["norm"])],
                hovertemplate="<b>%{x}</b> %{customdata[0]}<br>Norm: %{customdata[1]} (seed "
                              "zorgkas_indicator_parameters)<extra></extra>",
            )
            owners.append(year)
    subtitle = "Rapporteringsjaar {year} (kies een ander jaar in het menu)"
    fig.update_layout(barmode="group", updatemenus=_year_menu(years, owners, subtitle))
    fig.update_xaxes(
        title_text="Indicator", type="category", categoryorder="array", categoryarray=indicators,
        tickvals=indicators, tickangle=0,
        ticktext=[f"<b>{i}</b><br>{_wrap(INDICATORS.get(i, ''))}" for i in indicators],
    )
    fig.update_yaxes(title_text="Score", tickformat=".0%", range=[0, 1.05])
    style(fig, title, subtitle.format(year=latest), height=540)
    fig.update_layout(margin=dict(b=120))
    note = ("Globale score = som van gewicht × score over de zes indicatoren (berekend in de mart). "
            "Een zorgkas onder de norm van een indicator verliest een deel van haar werkingssubsidie "
            "(responsabilisering hieronder).") if has_norm else None
    return Chart(title, f"rapporteringsjaren {year_span(years)} (menu), standaard {latest}", fig, note=note)


def _global_score(frame: pl.DataFrame, ref: Reference) -> Chart:
    title = "Globale score per zorgkas en jaar"
    fig = go.Figure()
    for code in _zorgkas_order(frame["zorgkas_code"].to_list()):
        rows = frame.filter(pl.col("zorgkas_code") == code).sort("year")
        fig.add_scatter(
            name=ref.zorgkas_name(code),
            x=[str(y) for y in rows["year"]],
            y=rows["global_score"].to_list(),
            mode="lines+markers",
            line=dict(color=palette.zorgkas_colour(code), width=4 if code == "380" else 2),
            customdata=[
                [fmt_pct(row["global_score"], 2),
                 f"Indicatoren onder de norm: {row['indicators_below_norm']}"
                 if row.get("indicators_below_norm") is not None else ""]
                for row in rows.iter_rows(named=True)
            ],
            hovertemplate="<b>%{fullData.name}</b><br>Jaar %{x}<br>Globale score: %{customdata[0]}<br>"
                          "%{customdata[1]}<extra></extra>",
        )
    fig.update_xaxes(title_text="Jaar", type="category")
    fig.update_yaxes(title_text="Globale score", tickformat=".4~%")
    period = f"rapporteringsjaren {year_span(frame['year'].to_list())}"
    return Chart(title, period, style(fig, title, period[0].upper() + period[1:]))


BASES = {"computed": "berekend uit de indicatorscores", "published_replay": "gepubliceerde uitkomst herhaald"}


def _responsabilisering(frame: pl.DataFrame, ref: Reference) -> Chart:
    """Net result per zorgkas and outcome year; when the mart has several bases (computed from our
    indicators, or the published outcome replayed), a menu picks the basis."""
    title = "Responsabilisering: netto resultaat per zorgkas"
    if "basis" not in frame.columns:
        frame = frame.with_columns(pl.lit("computed").alias("basis"))
    bases = sorted(frame["basis"].unique().to_list(), key=lambda b: (list(BASES).index(b) if b in BASES else 9, b))
    fig = go.Figure()
    owners: list[str] = []
    for basis in bases:
        for code in _zorgkas_order(frame.filter(pl.col("basis") == basis)["zorgkas_code"].to_list()):
            rows = frame.filter((pl.col("zorgkas_code") == code) & (pl.col("basis") == basis)).sort("year")
            extra = []
            for row in rows.iter_rows(named=True):
                lines = []
                if row.get("outcomes_known") is False:
                    lines.append("Geen indicatorgegevens: behandeld als niet onder de norm")
                if row.get("published_comparison"):
                    lines.append(f"Gepubliceerd: {row['published_comparison']}")
                extra.append("<br>".join(lines))
            fig.add_bar(
                name=ref.zorgkas_name(code),
                legendgroup=code,
                x=[str(y) for y in rows["year"]],
                y=rows["net_eur"].to_list(),
                marker_color=palette.zorgkas_colour(code),
                visible=basis == bases[0],
                text=[fmt_eur(n, 0) for n in rows["net_eur"]],  # so that "0 EUR" (no transfer) is visible too
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [fmt_pct(g, 2), fmt_eur(p), fmt_eur(w), fmt_eur(r), fmt_eur(n), e]
                    for g, p, w, r, n, e in zip(rows["global_score"], rows["pot_eur"], rows["withheld_eur"],
                                                rows["received_eur"], rows["net_eur"], extra)
                ],
                hovertemplate=f"<b>%{{fullData.name}}</b> — {BASES.get(basis, basis)}<br>Resultaatjaar %{{x}}<br>"
                              "Globale score: %{customdata[0]}<br>Responsabiliseerbaar deel: %{customdata[1]}<br>"
                              "Ingehouden: %{customdata[2]}<br>Ontvangen bij herverdeling: %{customdata[3]}<br>"
                              "<b>Netto: %{customdata[4]}</b><br>%{customdata[5]}<extra></extra>",
            )
            owners.append(basis)
    subtitle = "{period} · {basis} · regel afgeleid uit gepubliceerde cijfers"
    period = f"resultaatjaren {year_span(frame['year'].to_list())}"
    Period = period[0].upper() + period[1:]
    if len(bases) > 1:
        fig.update_layout(updatemenus=[dict(
            type="dropdown", x=1, xanchor="right", y=1.18, yanchor="top", active=0,
            buttons=[dict(label=BASES.get(basis, basis), method="update",
                          args=[{"visible": [owner == basis for owner in owners]},
                                {"title.subtitle.text": subtitle.format(period=Period, basis=BASES.get(basis, basis))}])
                     for basis in bases],
        )])
    fig.update_layout(barmode="group")
    fig.add_hline(y=0, line=dict(color="#444444", width=1))
    fig.update_xaxes(title_text="Resultaatjaar", type="category")
    fig.update_yaxes(title_text="Netto (EUR)", tickformat=",~r")
    style(fig, title, subtitle.format(period=Period, basis=BASES.get(bases[0], bases[0])))
    return Chart(title, period, fig, note=INFERRED_NOTE)


def _has_basis(con: duckdb.DuckDBPyConnection) -> bool:
    return "basis" in table_columns(con, RESPONSABILISERING_MART)


def zorgkas_scorecard_page(con: duckdb.DuckDBPyConnection, ref: Reference) -> Page:
    page = Page("zorgkas_scorecard", "Zorgkas-scorecard",
                "De zes kwaliteitsindicatoren van de zorgkassen, hun gewicht, de globale score en de "
                "responsabilisering van de werkingssubsidie.")
    indicators = read_mart(con, INDICATOR_MART, INDICATOR_COLUMNS, optional=("norm", "below_norm", "empty_population"),
                           order_by=("year", "zorgkas_code", "indicator"))
    scores = read_mart(con, SCORE_MART, SCORE_COLUMNS, optional=("indicators_below_norm",),
                       order_by=("year", "zorgkas_code"))
    resp = read_mart(con, RESPONSABILISERING_MART, RESPONSABILISERING_COLUMNS,
                     optional=("basis", "outcomes_known", "published_comparison"),
                     order_by=("year", "zorgkas_code") + (("basis",) if _has_basis(con) else ()))
    page.charts = [
        _indicator_scores(indicators.frame, ref) if indicators.ok else
        Chart("Score per indicator en zorgkas, met het gewicht van de indicator", "rapporteringsjaren",
              empty=indicators.problem),
        _global_score(scores.frame, ref) if scores.ok else
        Chart("Globale score per zorgkas en jaar", "rapporteringsjaren", empty=scores.problem),
        _responsabilisering(resp.frame, ref) if resp.ok else
        Chart("Responsabilisering: netto resultaat per zorgkas", "resultaatjaren", empty=resp.problem,
              note=INFERRED_NOTE),
    ]
    years = [y for read in (indicators, scores, resp) if read.ok for y in read.frame["year"].to_list()]
    page.period = f"jaren {year_span(years)}" if years else None
    return page
