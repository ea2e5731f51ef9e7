"""Dashboard (4) DMW erkenningsnormen: the norm matrix (DMW × norm, behaald / niet behaald, per year),
whether each norm is on track in the latest month, and month-by-month progress against the pro-rata
line (SPEC §5, §7), from ``marts.fct_dmw_norm_year`` and ``marts.fct_dmw_norm_month``."""

from __future__ import annotations

import math

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboards import palette
from dashboards.marts import Reference, read_mart
from dashboards.render import (
    MONTHS_SHORT,
    Chart,
    Page,
    fmt_eur,
    fmt_num,
    fmt_pct,
    month_label,
    style,
    year_span,
)

YEAR_MART = "marts.fct_dmw_norm_year"
MONTH_MART = "marts.fct_dmw_norm_month"
MARTS = ("fct_dmw_norm_year", "fct_dmw_norm_month")
YEAR_COLUMNS = ("year", "dmw_code", "landsbond_code", "norm_code", "required", "achieved", "met")
MONTH_COLUMNS = ("year", "month", "dmw_code", "norm_code", "achieved_ytd", "pro_rata_required", "on_track")
COLUMNS = {YEAR_MART: YEAR_COLUMNS, MONTH_MART: MONTH_COLUMNS}

# Dutch label and display unit of each norm of seed dmw_norms (SPEC §5), in the order of the seed.
NORMS = {
    "USERS_REACHED": ("Bereikte gebruikers", "count"),
    "USERS_BEGELEIDING": ("Gebruikers in begeleiding", "count"),
    "USERS_ERGO": ("Ergotherapeutische begeleiding", "count"),
    "USERS_HANDICAP_DEMENTIA": ("Gebruikers met handicap of dementie", "count"),
    "ZORGBEHOEFTE_SHARE": ("Aandeel met zorgbehoefte", "share"),
    "PROACTIVE_TARGET_GROUPS": ("Doelgroepen proactieve acties", "count"),
    "PROACTIVE_FOLLOW_UP_SHARE": ("Proactieve acties met opvolging", "share"),
    "HOUSING_ADVICE": ("Woonadviezen", "count"),
    "AID_TYPES": ("Soorten hulpmiddelen met advies", "count"),
    "PERSONAL_ALARMS": ("Personenalarmcontracten", "count"),
    "ALARM_PRICE_MAX": ("Maximumprijs personenalarm", "eur"),
    "ALARM_NO_DEPOSIT": ("Contracten met waarborg (moet 0 zijn)", "count"),
    "ALARM_REDUCTION_OFFERED": ("Verminderde bijdrage aangeboden", "count"),
    "STAFF_DEMENTIA_TRAINING": ("Opleiding dementiekundige basiszorg", "share"),
}
KIND_UNITS = {"SHARE": "share", "MAX_EUR": "eur"}

MET, NOT_MET, NOT_APPLICABLE = 1.0, 0.0, 0.5
STATUS_COLOURS = [[0.0, palette.NOT_MET], [0.33, palette.NOT_MET], [0.33, palette.NOT_APPLICABLE],
                  [0.67, palette.NOT_APPLICABLE], [0.67, palette.MET], [1.0, palette.MET]]


def norm_label(code: str) -> str:
    return NORMS.get(code, (code, "count"))[0]


def _norm_order(codes) -> list[str]:
    known = list(NORMS)
    return sorted(set(codes), key=lambda c: (known.index(c) if c in known else len(known), c))


def _unit(code: str, kind: str | None = None) -> str:
    """share, eur or count: from the mart's ``kind`` when it has one, else from the norm code."""
    if kind:
        return KIND_UNITS.get(kind, "count")
    return NORMS.get(code, (code, "count"))[1]


def _fmt(value, unit: str) -> str:
    if value is None:
        return "niet meetbaar"
    return fmt_pct(value) if unit == "share" else fmt_eur(value) if unit == "eur" else fmt_num(value, 1)


def _dmw_order(codes, ref: Reference) -> list[str]:
    """Our landsbond's DMW first (they belong to one of our ziekenfondsen), then the others by
    landsbond, the landsbond roll-ups last."""
    def key(code: str):
        info = ref.dmw_info(code)
        if code.startswith("LB_"):
            return (2, code)
        return (0 if info.ziekenfonds_code else 1, info.landsbond_code or "", code)
    return sorted(set(codes), key=key)


def _dmw_colour(code: str, ref: Reference) -> str:
    info = ref.dmw_info(code)
    return palette.dmw_colour(code, info.ziekenfonds_code, info.landsbond_code)


def _status_matrix(frame: pl.DataFrame, ref: Reference, flag: str, required: str, achieved: str,
                   flag_words: tuple[str, str], visible: bool) -> go.Heatmap:
    """One heatmap: a row per DMW, a column per norm, green when ``flag`` is true."""
    dmws = _dmw_order(frame["dmw_code"].to_list(), ref)
    norms = _norm_order(frame["norm_code"].to_list())
    cells = {(r["dmw_code"], r["norm_code"]): r for r in frame.iter_rows(named=True)}
    z, text, custom = [], [], []
    for dmw in dmws:
        z_row, text_row, custom_row = [], [], []
        for norm in norms:
            row = cells.get((dmw, norm))
            if row is None:
                z_row.append(None)
                text_row.append("")
                custom_row.append(["", "", "", "geen gegevens"])
                continue
            unit = _unit(norm, row.get("kind"))
            applicable = row.get("is_applicable", True) is not False
            status = MET if row[flag] else NOT_MET
            word = flag_words[0] if row[flag] else flag_words[1]
            if not applicable:
                status, word = NOT_APPLICABLE, f"{word} — nog geen erkenningsnorm in dit jaar (informatief)"
            z_row.append(status)
            text_row.append("✓" if row[flag] else "✗")
            custom_row.append([norm, _fmt(row[required], unit), _fmt(row[achieved], unit), word])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    return go.Heatmap(
        x=[norm_label(n) for n in norms],
        y=[ref.dmw_name(d) for d in dmws],
        z=z, text=text, customdata=custom,
        texttemplate="%{text}", textfont=dict(size=15, color="#ffffff"),
        colorscale=STATUS_COLOURS, zmin=0, zmax=1, showscale=False, xgap=2, ygap=2, visible=visible,
        hovertemplate="<b>%{y}</b><br>%{x} (%{customdata[0]})<br>Vereist: %{customdata[1]}<br>"
                      "Behaald: %{customdata[2]}<br>%{customdata[3]}<extra></extra>",
    )


def _legend(fig: go.Figure, words: tuple[str, str]) -> None:
    for name, colour in ((words[0], palette.MET), (words[1], palette.NOT_MET),
                         ("nog niet van toepassing", palette.NOT_APPLICABLE)):
        fig.add_scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                        marker=dict(symbol="square", size=14, color=colour))


def _matrix_height(frame: pl.DataFrame) -> int:
    return 260 + 34 * frame["dmw_code"].n_unique()


def _norm_matrix(frame: pl.DataFrame, ref: Reference) -> Chart:
    title = "Erkenningsnormen per DMW: behaald of niet behaald"
    years = sorted(frame["year"].unique().to_list())
    latest = years[-1]
    words = ("behaald", "niet behaald")
    fig = go.Figure()
    for year in years:
        fig.add_trace(_status_matrix(frame.filter(pl.col("year") == year), ref, "met", "required", "achieved",
                                     words, year == latest))
    _legend(fig, words)
    subtitle = "Jaar {year}: behaald/vereist op 31 december (kies een ander jaar in het menu)"
    if len(years) > 1:
        fig.update_layout(updatemenus=[dict(
            type="dropdown", x=1, xanchor="right", y=1.02, yanchor="bottom", active=years.index(latest),
            buttons=[dict(label=str(year), method="update",
                          args=[{"visible": [y == year for y in years] + [True, True, True]},
                                {"title.subtitle.text": subtitle.format(year=year)}]) for year in years],
        )])
    fig.update_xaxes(tickangle=-35, showgrid=False, automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False)
    style(fig, title, subtitle.format(year=latest), height=_matrix_height(frame) + 80)
    return Chart(title, f"jaren {year_span(years)} (menu), standaard {latest}, toestand op 31 december", fig,
                 note="Een norm per vte (voltijds equivalent) vereist parameter × vte van de DMW; waar de "
                      "parameter of de vte een werkwaarde is, staat dat in de mart (is_assumption).")


def _latest_month(frame: pl.DataFrame) -> tuple[int, int]:
    year = frame.select(pl.col("year").max()).item()
    month = frame.filter(pl.col("year") == year).select(pl.col("month").max()).item()
    return int(year), int(month)


def _on_track_matrix(frame: pl.DataFrame, ref: Reference) -> Chart:
    """One heatmap per month (year to date against the pro-rata line); a menu picks the month, the
    latest month in the data is shown first."""
    months = sorted({(int(y), int(m)) for y, m in frame.select("year", "month").iter_rows()})
    latest = months[-1]
    words = ("op schema", "achter op schema")
    title = "Op schema t.e.m. {label}: behaald tot nu toe tegenover pro-rata vereist"
    subtitle = "1 januari t.e.m. {label} (kies een andere maand in het menu)"
    fig = go.Figure()
    for year, month in months:
        rows = frame.filter((pl.col("year") == year) & (pl.col("month") == month))
        fig.add_trace(_status_matrix(rows, ref, "on_track", "pro_rata_required", "achieved_ytd", words,
                                     (year, month) == latest))
    _legend(fig, words)
    labels = [month_label(*ym) for ym in months]
    fig.update_layout(updatemenus=[dict(
        type="dropdown", x=1, xanchor="right", y=1.02, yanchor="bottom", active=len(months) - 1,
        buttons=[dict(label=label, method="update",
                      args=[{"visible": [i == index for i in range(len(months))] + [True, True, True]},
                            {"title.text": title.format(label=label),
                             "title.subtitle.text": subtitle.format(label=label)}])
                 for index, label in enumerate(labels)],
    )])
    fig.update_xaxes(tickangle=-35, showgrid=False, automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False)
    latest_rows = frame.filter((pl.col("year") == latest[0]) & (pl.col("month") == latest[1]))
    style(fig, title.format(label=labels[-1]), subtitle.format(label=labels[-1]),
          height=_matrix_height(latest_rows) + 80)
    period = f"maanden {labels[0]} t.e.m. {labels[-1]} (menu), standaard {labels[-1]} (laatste maand in de gegevens)"
    return Chart("Op schema per maand: behaald tot nu toe tegenover pro-rata vereist", period, fig)


def _progress_traces(groups: dict, norms: list[str], year: int, dmw: str, ref: Reference) -> dict[str, list]:
    """The data of the two traces per norm (pro-rata line, year-to-date figure) for one DMW and year,
    as Plotly ``update`` arguments: one entry per trace, in trace order."""
    colour, name = _dmw_colour(dmw, ref), ref.dmw_name(dmw)
    data: dict[str, list] = {k: [] for k in ("x", "y", "customdata", "hovertemplate", "marker.color", "line.color")}
    for norm in norms:
        rows = groups.get((year, dmw, norm))
        if rows is None:
            rows = pl.DataFrame(schema={"month": pl.Int64, "pro_rata_required": pl.Float64,
                                        "achieved_ytd": pl.Float64, "on_track": pl.Boolean})
        rows = rows.sort("month")
        unit = _unit(norm, rows["kind"][0] if "kind" in rows.columns and rows.height else None)
        months = rows["month"].to_list()
        data["x"] += [months, months]
        data["y"] += [rows["pro_rata_required"].to_list(), rows["achieved_ytd"].to_list()]
        data["customdata"] += [
            [[_fmt(v, unit)] for v in rows["pro_rata_required"]],
            [[_fmt(a, unit), _fmt(p, unit), "op schema" if t else "achter op schema"]
             for a, p, t in zip(rows["achieved_ytd"], rows["pro_rata_required"], rows["on_track"])],
        ]
        data["hovertemplate"] += [
            f"<b>{name}</b><br>{norm_label(norm)}<br>t.e.m. maand %{{x}}/{year}<br>"
            "Pro-rata vereist: %{customdata[0]}<extra></extra>",
            f"<b>{name}</b><br>{norm_label(norm)} ({norm})<br>t.e.m. maand %{{x}}/{year}<br>"
            "Behaald tot nu toe: %{customdata[0]}<br>Pro-rata vereist: %{customdata[1]}<br>%{customdata[2]}"
            "<extra></extra>",
        ]
        data["marker.color"] += [palette.PRO_RATA, [palette.MET if t else palette.NOT_MET for t in rows["on_track"]]]
        data["line.color"] += [palette.PRO_RATA, colour]
    return data


def _progress(frame: pl.DataFrame, ref: Reference) -> Chart:
    """Small multiples, one per norm: the year-to-date figure (DMW colour, a green or red dot for on
    track or not) against the dashed pro-rata line. A menu picks the DMW and year; it swaps the data
    of the same traces, so the page stays light with many DMW and years."""
    title = "Maand per maand: behaald tot nu toe tegenover de pro-rata-lijn"
    norms = _norm_order(frame["norm_code"].to_list())
    cols = 3
    n_rows = math.ceil(len(norms) / cols)
    fig = make_subplots(rows=n_rows, cols=cols, subplot_titles=[norm_label(n) for n in norms],
                        vertical_spacing=min(0.3 / max(n_rows - 1, 1), 0.08), horizontal_spacing=0.07)
    years = sorted(frame["year"].unique().to_list(), reverse=True)
    combos = [(year, dmw) for year in years
              for dmw in _dmw_order(frame.filter(pl.col("year") == year)["dmw_code"].to_list(), ref)]
    groups = {key: rows for key, rows in frame.group_by(["year", "dmw_code", "norm_code"])}
    default = _progress_traces(groups, norms, *combos[0], ref)
    for index, norm in enumerate(norms):
        row, col = index // cols + 1, index % cols + 1
        for offset, (name, group) in enumerate((("pro-rata vereist", "pro_rata"), ("behaald tot nu toe", "achieved"))):
            trace = 2 * index + offset
            fig.add_scatter(
                x=default["x"][trace], y=default["y"][trace], customdata=default["customdata"][trace],
                hovertemplate=default["hovertemplate"][trace], name=name, legendgroup=group, showlegend=index == 0,
                mode="lines" if offset == 0 else "lines+markers",
                line=dict(color=default["line.color"][trace], dash="dash" if offset == 0 else "solid",
                          width=2 if offset == 0 else 3),
                marker=dict(size=8, color=default["marker.color"][trace], line=dict(color="#ffffff", width=1)),
                row=row, col=col,
            )
        unit = _unit(norm)
        fig.update_yaxes(tickformat=".0%" if unit == "share" else ",.2f" if unit == "eur" else ",~r",
                         rangemode="tozero", row=row, col=col)
    fig.update_xaxes(tickvals=list(range(1, 13)), ticktext=list(MONTHS_SHORT), range=[0.5, 12.5])
    subtitle = "{dmw}, {year}: cumulatief vanaf 1 januari (kies een andere DMW of een ander jaar in het menu)"
    height, top, bottom = 140 + 230 * n_rows, 130, 90
    fig.update_layout(updatemenus=[dict(
        # in the title band, above the subplot titles: 45 px above the plotting area
        type="dropdown", x=1, xanchor="right", y=1 + 45 / (height - top - bottom), yanchor="bottom", active=0,
        buttons=[dict(label=f"{ref.dmw_name(dmw)} — {year}", method="update",
                      args=[_progress_traces(groups, norms, year, dmw, ref),
                            {"title.subtitle.text": subtitle.format(dmw=ref.dmw_name(dmw), year=year)}])
                 for year, dmw in combos],
    )])
    style(fig, title, subtitle.format(dmw=ref.dmw_name(combos[0][1]), year=combos[0][0]), height=height)
    fig.update_layout(margin=dict(t=top, b=bottom), legend=dict(orientation="h", y=-0.03, yanchor="top", x=0))
    fig.update_annotations(font_size=13)
    last_year, last_month = _latest_month(frame)
    period = (f"maanden van {year_span(frame['year'].to_list())}, laatste maand {month_label(last_year, last_month)}; "
              "per maand cumulatief vanaf 1 januari")
    note = ("De pro-rata-lijn is vereist × maand / 12 voor normen die over het jaar optellen (aantallen); een "
            "aandeel, een maximumprijs of een ja/nee-norm wordt elke maand met de volledige norm vergeleken. "
            "Groene punten: op schema, rode punten: achter op schema.")
    return Chart(title, period, fig, note=note)


def dmw_norms_page(con: duckdb.DuckDBPyConnection, ref: Reference) -> Page:
    page = Page("dmw_norms", "DMW-erkenningsnormen",
                "Erkenningsnormen van de erkende diensten maatschappelijk werk (DMW): vereist tegenover behaald, "
                "per jaar en maand per maand tegenover de pro-rata-lijn.")
    year = read_mart(con, YEAR_MART, YEAR_COLUMNS, optional=("kind", "is_applicable"),
                     order_by=("year", "dmw_code", "norm_code"))
    month = read_mart(con, MONTH_MART, MONTH_COLUMNS, optional=("required", "kind", "is_applicable"),
                      order_by=("year", "month", "dmw_code", "norm_code"))
    page.charts = [
        _norm_matrix(year.frame, ref) if year.ok else
        Chart("Erkenningsnormen per DMW: behaald of niet behaald", "jaren", empty=year.problem),
        _on_track_matrix(month.frame, ref) if month.ok else
        Chart("Op schema in de laatste maand", "maanden", empty=month.problem),
        _progress(month.frame, ref) if month.ok else
        Chart("Maand per maand: behaald tot nu toe tegenover de pro-rata-lijn", "maanden", empty=month.problem),
    ]
    years = [y for read in (year, month) if read.ok for y in read.frame["year"].to_list()]
    page.period = f"jaren {year_span(years)}" if years else None
    if month.ok:
        y, m = _latest_month(month.frame)
        page.period += f", maanden t.e.m. {month_label(y, m)}"
    return page
