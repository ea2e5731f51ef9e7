"""Dashboard (3) zorgkas scorecard: indicator scores against their weights, the global score per
zorgkas and year, and the responsabilisering (SPEC §5, §5a, §7)."""

from __future__ import annotations

import html
import math
import re
from collections import Counter

import duckdb
import plotly.graph_objects as go
import polars as pl

from dashboards import palette
from dashboards.charts import over_years
from dashboards.marts import Reference, model_names, read_mart, table_columns
from dashboards.render import Chart, Page, capitalised, dropdown, fmt_eur, fmt_int, fmt_num, fmt_pct, style, year_span
from exports import zorgkas_inspection
from exports.tables import csv_names
from exports.zorgkas_inspection import FAILING_ROWS_TABLE, SAMPLE_SHARE, WORKBOOK, production_sample_share

INDICATOR_MART = "marts.fct_zorgkas_indicator_year"
SCORE_MART = "marts.fct_zorgkas_score_year"
RESPONSABILISERING_MART = "marts.fct_zorgkas_responsabilisering_year"
FAILING_MART = "marts.fct_zorgkas_failing_rows"
PRODUCTION_MART = "marts.fct_zorgkas_production_year"
# The failing rows as the inspection export lists them, without person_pseudonym.
FAILING_COLUMNS = ("year", "zorgkas_code", "indicator", "row_id", "reason")
# The columns the inspection export publishes (SPEC §6), so the scorecard shows what the export says;
# the production table also marks the own zorgkas.
INDICATOR_COLUMNS = csv_names(zorgkas_inspection.SCORE_COLUMNS)
SCORE_COLUMNS = ("year", "zorgkas_code", "global_score")
RESPONSABILISERING_COLUMNS = csv_names(zorgkas_inspection.RESPONSABILISERING_COLUMNS)
PRODUCTION_COLUMNS = (*csv_names(zorgkas_inspection.PRODUCTION_COLUMNS), "is_own")
COLUMNS = {
    INDICATOR_MART: INDICATOR_COLUMNS,
    SCORE_MART: SCORE_COLUMNS,
    RESPONSABILISERING_MART: RESPONSABILISERING_COLUMNS,
    FAILING_MART: FAILING_COLUMNS,
    PRODUCTION_MART: PRODUCTION_COLUMNS,
}
MARTS = model_names(*COLUMNS)
# Chart titles, also of the empty chart shown when a mart cannot be read.
INDICATOR_SCORES_TITLE = "Score per indicator en zorgkas, met het gewicht van de indicator"
GLOBAL_SCORE_TITLE = "Globale score per zorgkas en jaar"
RESPONSABILISERING_TITLE = "Responsabilisering: netto resultaat per zorgkas"
PRODUCTION_TITLE = "Productie per zorgkas: leden, afgehandelde dossiers, werkingsmiddelen en reserves"
BELOW = "✗"
# Dark hatching, not red: the own zorgkas' colour is red already (palette.ZORGKAS["380"]).
BELOW_HATCH = "#111111"
MEETS = "✓"
STATUS_CSS = (
    "<style>"
    ".below-norm{color:#c62828}.meets-norm{color:#2e7d32}"
    ".norm-legend{font-size:13px;margin:6px 0}.norm-legend span{margin-right:18px;font-weight:600}"
    "ul.failing-indicators{margin:4px 0 8px 0;padding-left:0;list-style:none}"
    "ul.failing-indicators li{margin:6px 0;padding:6px 10px;border-left:4px solid currentColor;font-size:13px}"
    "ul.failing-indicators li.below-norm{background:#fdecea}ul.failing-indicators li.meets-norm{background:#edf7ee}"
    "ul.failing-indicators li span.detail{color:#222}"
    "details>summary{cursor:pointer;font-size:14px;margin:6px 0}"
    "table.production{border-collapse:collapse;font-size:13px;margin:6px 0}"
    "table.production th,table.production td{border:1px solid #dde1e6;padding:4px 8px;text-align:right}"
    "table.production th{background:#eef2f6}"
    "table.production td.text{text-align:left}"
    "table.production tr.own td{background:#fdecea;font-weight:600}"
    "</style>"
)

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
    buttons = [
        (
            str(year),
            [
                {"visible": [owner is None or owner == year for owner in owners]},
                {"title.subtitle.text": subtitle.format(year=year)},
            ],
        )
        for year in years
    ]
    return dropdown(buttons, active=len(years) - 1, y=y, yanchor="top", showactive=True)


_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")
_DAYS = re.compile(r"^transmitted \d+ days")


def reason_group(reason: str | None) -> str:
    """A failing row's reason without its dates and day counts, so that rows failing for the same
    cause are counted together ("invited on …, after the deadline …")."""
    if not reason:
        return "geen reden opgegeven"
    return _DAYS.sub("transmitted … days", _DATE.sub("…", reason))


def failing_summary(failing: pl.DataFrame | None) -> dict[tuple[int, str, str], tuple[int, list[tuple[str, int]]]]:
    """(year, zorgkas, indicator) -> (failing rows, the three most frequent reasons with their count)."""
    if failing is None:
        return {}
    grouped: dict[tuple[int, str, str], Counter] = {}
    for row in failing.iter_rows(named=True):
        key = (int(row["year"]), row["zorgkas_code"], row["indicator"])
        grouped.setdefault(key, Counter())[reason_group(row["reason"])] += 1
    return {
        key: (sum(c.values()), sorted(c.items(), key=lambda item: (-item[1], item[0]))[:3])
        for key, c in grouped.items()
    }


def _points(value: float | None) -> str:
    return "–" if value is None else f"{fmt_num(abs(value) * 100, 2)} punt"


def _norm_status(row: dict) -> str:
    if row.get("empty_population"):
        return "Lege populatie: score 1 volgens afspraak, niet gemeten"
    if row.get("norm") is None or row.get("below_norm") is None:
        return ""
    gap = row["score"] - row["norm"]
    if row["below_norm"]:
        return f"{BELOW} {_points(gap)} onder de norm van {fmt_pct(row['norm'], 0)}"
    return f"{MEETS} {_points(gap)} boven de norm van {fmt_pct(row['norm'], 0)}"


def _indicator_hover(rows: pl.DataFrame, summary: dict, year: int, ref: Reference) -> list[list[str]]:
    """What the bar does not show: counts, distance to the norm, what the shortfall costs the global
    score, the most frequent reason and where the list is (not the label again)."""
    data = []
    for row in rows.iter_rows(named=True):
        failing = (row["population"] or 0) - (row["compliant"] or 0)
        kind = ref.indicator_records.get(row["indicator"], "rijen")
        lost = row["weight"] * (1 - row["score"]) if row["score"] is not None else None
        detail = ""
        _count, reasons = summary.get((year, row["zorgkas_code"], row["indicator"]), (0, []))
        if reasons:
            detail = f"Meest voorkomende reden: {html.escape(reasons[0][0])} ({fmt_int(reasons[0][1])}×)<br>"
        if failing:
            detail += f"Lijst: werkblad {FAILING_ROWS_TABLE} van {WORKBOOK} ({year})"
        data.append(
            [
                fmt_pct(row["score"], 2),
                f"{fmt_int(row['compliant'])} van {fmt_int(row['population'])} {kind} conform, {fmt_int(failing)} niet",
                _norm_status(row),
                f"Kost aan de globale score: {_points(lost)} (gewicht {fmt_pct(row['weight'], 0)})",
                detail,
            ]
        )
    return data


def _indicator_scores(frame: pl.DataFrame, ref: Reference, summary: dict) -> Chart:
    """Grouped bars (a colour per zorgkas) of the score on each indicator, with the indicator's weight
    as a diamond and its norm, when the mart has one, as a dash; a bar below the norm is outlined in
    red, hatched and marked ✗ (colour and symbol, with a legend entry); a menu picks the year."""
    title = INDICATOR_SCORES_TITLE
    years = sorted(frame["year"].unique().to_list())
    latest = years[-1]
    indicators = sorted(frame["indicator"].unique().to_list())
    has_norm = "norm" in frame.columns
    has_status = "below_norm" in frame.columns
    fig = go.Figure()
    owners: list[int | None] = []  # year of every trace, for the year menu (None: every year)
    for year in years:
        rows_year = frame.filter(pl.col("year") == year)
        for code in _zorgkas_order(rows_year["zorgkas_code"].to_list()):
            rows = rows_year.filter(pl.col("zorgkas_code") == code).sort("indicator")
            below = [bool(b) for b in rows["below_norm"]] if has_status else [False] * rows.height
            fig.add_bar(
                name=ref.zorgkas_name(code),
                legendgroup=code,
                x=rows["indicator"].to_list(),
                y=rows["score"].to_list(),
                marker=dict(
                    color=palette.zorgkas_colour(code),
                    line=dict(
                        color=[palette.NOT_MET if b else "rgba(0,0,0,0)" for b in below],
                        width=[3 if b else 0 for b in below],
                    ),
                    pattern=dict(
                        shape=["x" if b else "" for b in below],
                        fgcolor=BELOW_HATCH,
                        bgcolor=palette.zorgkas_colour(code),
                        solidity=0.5,
                    ),
                ),
                text=[BELOW if b else "" for b in below],
                textposition="outside",
                textfont=dict(color=palette.NOT_MET, size=18),
                cliponaxis=False,
                visible=year == latest,
                customdata=_indicator_hover(rows, summary, year, ref),
                hovertemplate=f"<b>%{{fullData.name}}</b> · %{{x}} · {year}<br>Score %{{customdata[0]}}: "
                "%{customdata[1]}<br>%{customdata[2]}<br>%{customdata[3]}<br>%{customdata[4]}"
                "<extra></extra>",
            )
            owners.append(year)
        per_indicator = (
            rows_year.group_by("indicator")
            .agg(
                pl.col("weight").max(),
                *([pl.col("norm").max()] if has_norm else []),
                *([pl.col("below_norm").fill_null(False).sum().alias("below")] if has_status else []),
                pl.len().alias("scored"),
            )
            .sort("indicator")
        )
        below_counts = per_indicator["below"].to_list() if has_status else [0] * per_indicator.height
        # A marker per indicator for its weight and, where the mart has it, its norm.
        markers = {
            "weight": dict(
                name="Gewicht van de indicator",
                marker=dict(symbol="diamond", size=12, color=palette.WEIGHT),
                customdata=[
                    [fmt_pct(w, 0), fmt_pct(w * 0.01, 2), fmt_int(b), fmt_int(n)]
                    for w, b, n in zip(per_indicator["weight"], below_counts, per_indicator["scored"])
                ],
                hovertemplate="<b>%{x}</b>: telt voor %{customdata[0]} in de globale score (1 punt score op deze "
                "indicator = %{customdata[1]} globaal)<br>%{customdata[2]} van %{customdata[3]} zorgkassen "
                "onder de norm<extra></extra>",
            )
        }
        if has_norm:
            markers["norm"] = dict(
                name="Norm (minimumscore)",
                marker=dict(symbol="line-ew", size=44, line=dict(width=3, color=palette.NORM)),
                customdata=[[fmt_pct(n, 0), fmt_pct(1 - n, 0)] for n in per_indicator["norm"]],
                hovertemplate="<b>%{x}</b>: norm %{customdata[0]}, dus hoogstens %{customdata[1]} niet-conforme "
                "rijen (seed zorgkas_indicator_parameters, een werkhypothese)<extra></extra>",
            )
        for column, trace in markers.items():
            fig.add_scatter(
                legendgroup=column,
                x=per_indicator["indicator"].to_list(),
                y=per_indicator[column].to_list(),
                mode="markers",
                visible=year == latest,
                **trace,
            )
            owners.append(year)
    if has_status:
        fig.add_bar(
            name=f"{BELOW} Onder de norm (gearceerd, rood omrand)",
            legendgroup="below_norm",
            x=[None],
            y=[None],
            marker=dict(
                color="#ffffff",
                line=dict(color=palette.NOT_MET, width=3),
                pattern=dict(shape="x", fgcolor=BELOW_HATCH, solidity=0.5),
            ),
            hoverinfo="skip",
        )
        owners.append(None)
    subtitle = "Rapporteringsjaar {year} (kies een ander jaar in het menu)"
    fig.update_layout(barmode="group", updatemenus=_year_menu(years, owners, subtitle))
    fig.update_xaxes(
        title_text="Indicator",
        type="category",
        categoryorder="array",
        categoryarray=indicators,
        tickvals=indicators,
        tickangle=0,
        ticktext=[f"<b>{i}</b><br>{_wrap(ref.indicators.get(i, ''))}" for i in indicators],
    )
    fig.update_yaxes(title_text="Score", tickformat=".0%", range=[0, 1.1])
    style(fig, title, subtitle.format(year=latest), height=540)
    fig.update_layout(margin=dict(b=120))
    note = (
        (
            "Globale score = som van gewicht × score over de zes indicatoren (berekend in de mart). "
            "Een zorgkas onder de norm van een indicator verliest een deel van haar werkingssubsidie "
            "(responsabilisering hieronder)."
        )
        if has_norm
        else None
    )
    return Chart(
        title,
        f"rapporteringsjaren {year_span(years)} (menu), standaard {latest}",
        fig,
        note=note,
        html=_failing_list(frame, ref, summary) if has_status else None,
    )


def _failing_list(frame: pl.DataFrame, ref: Reference, summary: dict) -> str:
    """Per year (latest open), each indicator below its norm with its failing rows, the three most
    frequent reasons and the workbook sheet that lists them."""
    legend = (
        f'<p class="norm-legend"><span class="below-norm">{BELOW} onder de norm</span>'
        f'<span class="meets-norm">{MEETS} haalt de norm</span>In de grafiek: een staaf onder de norm is '
        "zwart gearceerd, rood omrand en gemarkeerd met ✗; op de globale score een rode ✗.</p>"
    )
    parts = [STATUS_CSS, legend]
    years = sorted(frame["year"].unique().to_list(), reverse=True)
    for number, year in enumerate(years):
        rows = frame.filter((pl.col("year") == year) & pl.col("below_norm").fill_null(False)).sort(
            "zorgkas_code", "indicator"
        )
        where = f"exports/{year}/inspection/{WORKBOOK}"
        items = []
        for row in rows.iter_rows(named=True):
            code, indicator = row["zorgkas_code"], row["indicator"]
            failing = (row["population"] or 0) - (row["compliant"] or 0)
            _, reasons = summary.get((year, code, indicator), (0, []))
            reason_text = "; ".join(f"“{html.escape(r)}” ({fmt_int(n)}×)" for r, n in reasons) or "–"
            items.append(
                f'<li class="below-norm" data-status="below-norm" data-zorgkas="{html.escape(code)}" '
                f'data-indicator="{html.escape(indicator)}" data-failing="{failing}">'
                f"<strong>{BELOW} {html.escape(ref.zorgkas_name(code))} · {html.escape(indicator)} "
                f"{html.escape(ref.indicators.get(indicator, ''))}</strong>: score {fmt_pct(row['score'], 2)} &lt; norm "
                f'{fmt_pct(row["norm"], 0)}<span class="detail"> — <strong>{fmt_int(failing)} niet-conforme '
                f"{ref.indicator_records.get(indicator, 'rijen')}</strong>. Meest voorkomende redenen: {reason_text}. Lijst: "
                f"werkblad <code>{FAILING_ROWS_TABLE}</code> van <code>{html.escape(where)}</code>.</span></li>"
            )
        if not items:
            items.append(
                f'<li class="meets-norm" data-status="meets-norm">{MEETS} Geen indicator onder de norm in {year}.</li>'
            )
        label = (
            f"{year}: {len(rows)} indicator{'en' if len(rows) != 1 else ''} onder de norm"
            if rows.height
            else f"{year}: alle indicatoren halen de norm"
        )
        parts.append(
            f"<details{' open' if number == 0 else ''}><summary>{html.escape(label)}</summary>"
            f'<ul class="failing-indicators">{"".join(items)}</ul></details>'
        )
    return "\n".join(parts)


def _single_norm(indicators: pl.DataFrame | None) -> float | None:
    if indicators is None or "norm" not in indicators.columns:
        return None
    norms = indicators["norm"].drop_nulls().unique().to_list()
    return norms[0] if len(norms) == 1 else None


def _global_score(frame: pl.DataFrame, ref: Reference, norm: float | None = None) -> Chart:
    """Global score per zorgkas and year on an axis from a meaningful floor (90 %, lower only when a
    score is), so that a dip of a few tenths of a point is not drawn as a collapse; the indicator norm
    as a line; a year with an indicator below the norm marked ✗ in red."""
    title = GLOBAL_SCORE_TITLE
    has_status = "indicators_below_norm" in frame.columns
    fig = go.Figure()
    for code in _zorgkas_order(frame["zorgkas_code"].to_list()):
        rows = frame.filter(pl.col("zorgkas_code") == code).sort("year")
        below = [bool(n) for n in rows["indicators_below_norm"]] if has_status else [False] * rows.height
        scores = rows["global_score"].to_list()
        changes = ["eerste jaar in de grafiek"] + [
            f"{'+' if b >= a else '−'}{_points(b - a)} t.o.v. {y}" for a, b, y in zip(scores, scores[1:], rows["year"])
        ]
        own = code == ref.own_zorgkas
        fig.add_scatter(
            name=ref.zorgkas_name(code),
            x=[str(y) for y in rows["year"]],
            y=scores,
            mode="lines+markers",
            line=dict(color=palette.zorgkas_colour(code), width=4 if own else 2),
            marker=dict(
                size=[14 if b else 8 for b in below],
                symbol=["x" if b else "circle" for b in below],
                color=[palette.NOT_MET if b else palette.zorgkas_colour(code) for b in below],
                line=dict(color=BELOW_HATCH, width=[1.5 if b else 0 for b in below]),
            ),
            customdata=[
                [
                    fmt_pct(score, 2),
                    change,
                    f"{BELOW} {row['indicators_below_norm']} indicator(en) onder de norm: zie de lijst hierboven"
                    if b
                    else (f"{MEETS} alle indicatoren halen de norm" if has_status else ""),
                ]
                for score, change, b, row in zip(scores, changes, below, rows.iter_rows(named=True))
            ],
            hovertemplate="<b>%{fullData.name}</b> · %{x}<br>Globale score %{customdata[0]} (%{customdata[1]})<br>"
            "%{customdata[2]}<extra></extra>",
        )
    if has_status:
        fig.add_scatter(
            name=f"{BELOW} Jaar met een indicator onder de norm",
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(symbol="x", size=14, color=palette.NOT_MET, line=dict(color=BELOW_HATCH, width=1.5)),
            hoverinfo="skip",
        )
    lowest = min([s for s in frame["global_score"].to_list() if s is not None] + ([norm] if norm else []), default=1)
    floor = min(0.90, math.floor((lowest - 0.005) * 100) / 100)
    if norm is not None:
        fig.add_hline(
            y=norm,
            line=dict(color=palette.NORM, width=2, dash="dash"),
            annotation_text=f"norm per indicator {fmt_pct(norm, 0)} (de globale score zelf heeft geen norm)",
            annotation_position="bottom right",
        )
    fig.update_xaxes(title_text="Jaar", type="category")
    fig.update_yaxes(
        title_text="Globale score",
        tickformat=".0%",
        range=[max(0.0, floor), 1.0 + (1.0 - floor) * 0.04],
        dtick=0.01 if floor >= 0.9 else None,
    )
    period = f"rapporteringsjaren {year_span(frame['year'].to_list())}"
    subtitle = f"{capitalised(period)} · as vanaf {fmt_pct(max(0.0, floor), 0)}"
    return Chart(title, period, style(fig, title, subtitle))


ORIGINS = {"computed": "berekend uit de aangeleverde gegevens", "published": "gepubliceerd (vraag nr. 325, 2022)"}


def _origin_nl(origin: str | None) -> str:
    if not origin:
        return "–"
    base, _, published = origin.partition("; published: ")
    text = ORIGINS.get(base, base)
    if published:
        text += (
            "; "
            + published.replace("werkingsmiddelen_eur", "werkingsmiddelen")
            .replace("reserves_eur", "reserves")
            .replace(" and ", " en ")
            + " gepubliceerd"
        )
    return text


def _production(frame: pl.DataFrame, ref: Reference) -> Chart:
    """The production tables of the parliamentary answer (issue 16 point 9) as a table: the own
    zorgkas highlighted, the origin of every row shown."""
    title = PRODUCTION_TITLE
    headers = [
        "Jaar",
        "Zorgkas",
        "Leden op 31/12",
        "Dossiers ZZB",
        "Dossiers ZOZ",
        "Dossiers BOB",
        "Werkingsmiddelen",
        "Kost per lid",
        "Kost per dossier",
        "Reserves op 31/12",
        "Herkomst",
    ]
    rows_html = []
    records = list(frame.sort("year", "zorgkas_code").iter_rows(named=True))
    for row in records:
        own = bool(row["is_own"]) or row["zorgkas_code"] == ref.own_zorgkas
        cells = [
            (str(row["year"]), "text"),
            (ref.zorgkas_name(row["zorgkas_code"]) + (" ★ eigen zorgkas" if own else ""), "text"),
            (fmt_int(row["members"]), ""),
            (fmt_int(row["dossiers_zzb"]), ""),
            (fmt_int(row["dossiers_zoz"]), ""),
            (fmt_int(row["dossiers_bob"]), ""),
            (fmt_eur(row["werkingsmiddelen_eur"], 0), ""),
            (fmt_eur(row["cost_per_member_eur"]), ""),
            (fmt_eur(row["cost_per_dossier_eur"]), ""),
            (fmt_eur(row["reserves_eur"], 0), ""),
            (_origin_nl(row["origin"]), "text"),
        ]
        tds = "".join(
            f'<td class="{kind}">{html.escape(text)}</td>' if kind else f"<td>{html.escape(text)}</td>"
            for text, kind in cells
        )
        own_attributes = ' class="own" data-own="true"' if own else ""
        origin = html.escape(row["origin"] or "")
        rows_html.append(f'<tr{own_attributes} data-origin="{origin}">{tds}</tr>')
    table = (
        STATUS_CSS
        + '<table class="production"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in headers)
        + "</tr></thead><tbody>"
        + "".join(rows_html)
        + "</tbody></table>"
    )
    notes = [
        "Eigen zorgkas berekend: leden aangesloten op 31/12, afgehandelde dossiers = beslist in het jaar (aanvragen "
        "en herzieningen, positief of negatief), niet de actieve dossiers. Werkingsmiddelen en reserves staan niet "
        "in de aangeleverde bestanden en komen voor elke zorgkas uit de publicatie (2019–2021, reserves 31/12/2020). "
        "Leeg (–) = niet gepubliceerd. Kost = werkingsmiddelen / leden of / (ZZB + ZOZ + BOB)."
    ]
    sample = production_sample_share([dict(r, members=r["members"]) for r in records])
    if sample and sample[2] < SAMPLE_SHARE:
        latest, reference, share = sample
        notes.append(
            f"Let op: de berekende ledentelling van {latest['year']} ({fmt_int(latest['members'])}) is "
            f"{fmt_pct(share, 1)} van de gepubliceerde van {reference['year']} "
            f"({fmt_int(reference['members'])}): een steekproef (demo). De kost per lid en per dossier "
            "van die jaren is dan niet vergelijkbaar met de gepubliceerde."
        )
    period = f"jaren {year_span(frame['year'].to_list())}"
    return Chart(title, period, html=table, note=" ".join(notes))


BASES = {"computed": "berekend uit de indicatorscores", "published_replay": "gepubliceerde uitkomst herhaald"}


def _responsabilisering(frame: pl.DataFrame, ref: Reference) -> Chart:
    """Net result per zorgkas and outcome year; when the mart has several bases (computed from our
    indicators, or the published outcome replayed), a menu picks the basis."""
    title = RESPONSABILISERING_TITLE
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
                **over_years(rows, "net_eur"),
                marker_color=palette.zorgkas_colour(code),
                visible=basis == bases[0],
                text=[fmt_eur(n, 0) for n in rows["net_eur"]],  # so that "0 EUR" (no transfer) is visible too
                textposition="outside",
                cliponaxis=False,
                customdata=[
                    [fmt_pct(g, 2), fmt_eur(p), fmt_eur(w), fmt_eur(r), fmt_eur(n), e]
                    for g, p, w, r, n, e in zip(
                        rows["global_score"],
                        rows["pot_eur"],
                        rows["withheld_eur"],
                        rows["received_eur"],
                        rows["net_eur"],
                        extra,
                    )
                ],
                hovertemplate=f"<b>%{{fullData.name}}</b> — {BASES.get(basis, basis)}<br>Resultaatjaar %{{x}}<br>"
                "Globale score: %{customdata[0]}<br>Responsabiliseerbaar deel: %{customdata[1]}<br>"
                "Ingehouden: %{customdata[2]}<br>Ontvangen bij herverdeling: %{customdata[3]}<br>"
                "<b>Netto: %{customdata[4]}</b><br>%{customdata[5]}<extra></extra>",
            )
            owners.append(basis)
    subtitle = "{period} · {basis} · regel afgeleid uit gepubliceerde cijfers"
    period = f"resultaatjaren {year_span(frame['year'].to_list())}"
    Period = capitalised(period)
    if len(bases) > 1:
        buttons = [
            (
                BASES.get(basis, basis),
                [
                    {"visible": [owner == basis for owner in owners]},
                    {"title.subtitle.text": subtitle.format(period=Period, basis=BASES.get(basis, basis))},
                ],
            )
            for basis in bases
        ]
        fig.update_layout(updatemenus=dropdown(buttons, active=0, y=1.18, yanchor="top"))
    fig.update_layout(barmode="group")
    fig.add_hline(y=0, line=dict(color="#444444", width=1))
    fig.update_xaxes(title_text="Resultaatjaar", type="category")
    fig.update_yaxes(title_text="Netto (EUR)", tickformat=",~r")
    style(fig, title, subtitle.format(period=Period, basis=BASES.get(bases[0], bases[0])))
    return Chart(title, period, fig, note=INFERRED_NOTE)


def _has_basis(con: duckdb.DuckDBPyConnection) -> bool:
    return "basis" in table_columns(con, RESPONSABILISERING_MART)


def zorgkas_scorecard_page(con: duckdb.DuckDBPyConnection, ref: Reference, page: Page) -> Page:
    indicators = read_mart(
        con,
        INDICATOR_MART,
        INDICATOR_COLUMNS,
        optional=("norm", "below_norm", "empty_population"),
        order_by=("year", "zorgkas_code", "indicator"),
    )
    scores = read_mart(
        con, SCORE_MART, SCORE_COLUMNS, optional=("indicators_below_norm",), order_by=("year", "zorgkas_code")
    )
    resp = read_mart(
        con,
        RESPONSABILISERING_MART,
        RESPONSABILISERING_COLUMNS,
        optional=("basis", "outcomes_known", "published_comparison"),
        order_by=("year", "zorgkas_code") + (("basis",) if _has_basis(con) else ()),
    )
    failing = read_mart(con, FAILING_MART, FAILING_COLUMNS, order_by=("year", "zorgkas_code", "indicator", "row_id"))
    production = read_mart(con, PRODUCTION_MART, PRODUCTION_COLUMNS, order_by=("year", "zorgkas_code"))
    summary = failing_summary(failing.frame)
    page.charts = [
        _indicator_scores(indicators.frame, ref, summary)
        if indicators.ok
        else Chart(INDICATOR_SCORES_TITLE, "rapporteringsjaren", empty=indicators.problem),
        _global_score(scores.frame, ref, _single_norm(indicators.frame))
        if scores.ok
        else Chart(GLOBAL_SCORE_TITLE, "rapporteringsjaren", empty=scores.problem),
        _responsabilisering(resp.frame, ref)
        if resp.ok
        else Chart(RESPONSABILISERING_TITLE, "resultaatjaren", empty=resp.problem, note=INFERRED_NOTE),
        _production(production.frame, ref)
        if production.ok
        else Chart(PRODUCTION_TITLE, "jaren", empty=production.problem),
    ]
    years = [y for read in (indicators, scores, resp) if read.ok for y in read.frame["year"].to_list()]
    page.period = f"jaren {year_span(years)}" if years else None
    return page
