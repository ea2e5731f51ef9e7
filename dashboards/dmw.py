"""Dashboard (4) DMW erkenningsnormen: the norm matrix (DMW × norm, behaald / niet behaald, per year),
whether each norm is on track in a chosen month, and month-by-month progress against the pro-rata
line (SPEC §5, §7), from ``marts.fct_dmw_norm_year`` and ``marts.fct_dmw_norm_month``; and the
further checks of the Zorginspectie report (004): the records that fail them, the inspection samples,
the reported figures next to the computed ones and the automatic grant of the alarm reduction."""

from __future__ import annotations

import math

import duckdb
import plotly.graph_objects as go
import polars as pl
from plotly.subplots import make_subplots

from dashboards import palette
from dashboards.marts import Reference, model_names, read_mart
from dashboards.render import (
    MONTHS_SHORT,
    Chart,
    Page,
    dropdown,
    fmt_eur,
    fmt_num,
    fmt_pct,
    style,
    year_span,
)
from exports import dmw_inspection
from exports.labels import month_label
from exports.tables import csv_names

YEAR_MART = "marts.fct_dmw_norm_year"
MONTH_MART = "marts.fct_dmw_norm_month"
FINDINGS_MART = "marts.fct_dmw_inspection_findings"
INVOICE_SAMPLE_MART = "marts.fct_dmw_alarm_invoice_sample"
ACTION_SAMPLE_MART = "marts.fct_dmw_proactive_action_sample"
STAFF_SAMPLE_MART = "marts.fct_dmw_staff_sample"
REPORTED_MART = "marts.fct_dmw_reported_vs_computed"
ALARM_MART = "marts.fct_dmw_personal_alarm_year"
MARTS = model_names(
    YEAR_MART,
    MONTH_MART,
    FINDINGS_MART,
    INVOICE_SAMPLE_MART,
    ACTION_SAMPLE_MART,
    STAFF_SAMPLE_MART,
    REPORTED_MART,
    ALARM_MART,
)
# The columns of dmw_norms and dmw_norms_monthly (SPEC §6): the dashboard shows what the export says.
YEAR_COLUMNS = csv_names(dmw_inspection.NORM_COLUMNS)
MONTH_COLUMNS = csv_names(dmw_inspection.MONTHLY_COLUMNS)
COLUMNS = {YEAR_MART: YEAR_COLUMNS, MONTH_MART: MONTH_COLUMNS}

# Chart titles, also of the empty chart shown when a mart cannot be read.
NORM_MATRIX_TITLE = "Erkenningsnormen per DMW: behaald of niet behaald"
ON_TRACK_TITLE = "Op schema per maand: behaald tot nu toe tegenover pro-rata vereist"
PROGRESS_TITLE = "Maand per maand: behaald tot nu toe tegenover de pro-rata-lijn"
REPORTED_TITLE = "Jaarverslag tegenover registratie: gerapporteerde en berekende cijfers"

MET_SYMBOL, NOT_MET_SYMBOL, NOT_APPLICABLE_SYMBOL = "✓", "✗", "–"
# Below this share of the per-vte requirement the page says the data look like a sample (a demo):
# real DMW reach the order of their requirement, 004 §2.3.1-§2.3.7.
SAMPLE_ACTIVITY_RATIO = 0.25

MET, NOT_MET, NOT_APPLICABLE = 1.0, 0.0, 0.5
STATUS_COLOURS = [
    [0.0, palette.NOT_MET],
    [0.33, palette.NOT_MET],
    [0.33, palette.NOT_APPLICABLE],
    [0.67, palette.NOT_APPLICABLE],
    [0.67, palette.MET],
    [1.0, palette.MET],
]


def _fmt(value, unit: str) -> str:
    if value is None:
        return "niet meetbaar"
    return fmt_pct(value) if unit == "share" else fmt_eur(value) if unit == "eur" else fmt_num(value, 1)


def _dmw_order(codes, ref: Reference) -> list[str]:
    """Our landsbond's DMW first (they belong to one of our ziekenfondsen), then the others by
    landsbond, the landsbond roll-ups last."""

    def key(code: str):
        info = ref.dmw_info(code)
        if code.startswith(palette.LANDSBOND_DMW_PREFIX):
            return (2, code)
        return (0 if info.ziekenfonds_code else 1, info.landsbond_code or "", code)

    return sorted(set(codes), key=key)


def _dmw_colour(code: str, ref: Reference) -> str:
    info = ref.dmw_info(code)
    return palette.dmw_colour(code, info.ziekenfonds_code, info.landsbond_code)


def _status_matrix(
    frame: pl.DataFrame,
    ref: Reference,
    flag: str,
    required: str,
    achieved: str,
    flag_words: tuple[str, str],
    visible: bool,
) -> go.Heatmap:
    """One heatmap: a row per DMW, a column per norm, green when ``flag`` is true."""
    dmws = _dmw_order(frame["dmw_code"].to_list(), ref)
    norms = ref.norm_order(frame["norm_code"].to_list())
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
            unit = ref.norm(norm).unit
            applicable = row.get("is_applicable", True) is not False
            status = MET if row[flag] else NOT_MET
            word = flag_words[0] if row[flag] else flag_words[1]
            if not applicable:
                status, word = NOT_APPLICABLE, f"{word} — nog geen erkenningsnorm in dit jaar (informatief)"
            z_row.append(status)
            text_row.append(NOT_APPLICABLE_SYMBOL if not applicable else MET_SYMBOL if row[flag] else NOT_MET_SYMBOL)
            custom_row.append([norm, _fmt(row[required], unit), _fmt(row[achieved], unit), word])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    return go.Heatmap(
        x=[ref.norm(n).name for n in norms],
        y=[ref.dmw_name(d) for d in dmws],
        z=z,
        text=text,
        customdata=custom,
        texttemplate="%{text}",
        textfont=dict(size=15, color="#ffffff"),
        colorscale=STATUS_COLOURS,
        zmin=0,
        zmax=1,
        showscale=False,
        xgap=2,
        ygap=2,
        visible=visible,
        hovertemplate="<b>%{y}</b><br>%{x} (%{customdata[0]})<br>Vereist: %{customdata[1]}<br>"
        "Behaald: %{customdata[2]}<br>%{customdata[3]}<extra></extra>",
    )


def _legend(fig: go.Figure, words: tuple[str, str]) -> None:
    """Colour and symbol: a below-norm cell is red and carries ✗, so it stands out in print too."""
    for name, colour in (
        (f"{MET_SYMBOL} {words[0]}", palette.MET),
        (f"{NOT_MET_SYMBOL} {words[1]}", palette.NOT_MET),
        (f"{NOT_APPLICABLE_SYMBOL} nog niet van toepassing", palette.NOT_APPLICABLE),
    ):
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=name,
            hoverinfo="skip",
            marker=dict(symbol="square", size=14, color=colour),
        )


def _matrix_height(frame: pl.DataFrame) -> int:
    return 260 + 34 * frame["dmw_code"].n_unique()


def _status_figure(
    options: list[tuple[str, pl.DataFrame, dict]],
    ref: Reference,
    flag: str,
    required: str,
    achieved: str,
    words: tuple[str, str],
    menu: bool,
) -> go.Figure:
    """A status matrix per option (a year, a month: its label, its rows and the layout update that
    names it), the last one shown, with the legend; with ``menu`` a dropdown picks the option."""
    fig = go.Figure()
    last = len(options) - 1
    for index, (_, rows, _) in enumerate(options):
        fig.add_trace(_status_matrix(rows, ref, flag, required, achieved, words, index == last))
    _legend(fig, words)
    if menu:
        buttons = [
            (label, [{"visible": [i == index for i in range(len(options))] + [True, True, True]}, relayout])
            for index, (label, _, relayout) in enumerate(options)
        ]
        fig.update_layout(updatemenus=dropdown(buttons, active=last, y=1.02))
    fig.update_xaxes(tickangle=-35, showgrid=False, automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False)
    return fig


def _norm_matrix(frame: pl.DataFrame, ref: Reference) -> Chart:
    title = NORM_MATRIX_TITLE
    years = sorted(frame["year"].unique().to_list())
    latest = years[-1]
    subtitle = "Jaar {year}: behaald/vereist op 31 december (kies een ander jaar in het menu)"
    options = [
        (str(year), frame.filter(pl.col("year") == year), {"title.subtitle.text": subtitle.format(year=year)})
        for year in years
    ]
    fig = _status_figure(options, ref, "met", "required", "achieved", ("behaald", "niet behaald"), menu=len(years) > 1)
    style(fig, title, subtitle.format(year=latest), height=_matrix_height(frame) + 80)
    return Chart(
        title,
        f"jaren {year_span(years)} (menu), standaard {latest}, toestand op 31 december",
        fig,
        note="Een norm per vte (voltijds equivalent) vereist parameter × vte van de DMW; waar de "
        "parameter of de vte een werkwaarde is, staat dat in de mart (is_assumption).",
    )


def _latest_month(frame: pl.DataFrame) -> tuple[int, int]:
    year = frame.select(pl.col("year").max()).item()
    month = frame.filter(pl.col("year") == year).select(pl.col("month").max()).item()
    return int(year), int(month)


def _on_track_matrix(frame: pl.DataFrame, ref: Reference) -> Chart:
    """One heatmap per month (year to date against the pro-rata line); a menu picks the month, the
    latest month in the data is shown first."""
    months = sorted({(int(y), int(m)) for y, m in frame.select("year", "month").iter_rows()})
    title = "Op schema t.e.m. {label}: behaald tot nu toe tegenover pro-rata vereist"
    subtitle = "1 januari t.e.m. {label} (kies een andere maand in het menu)"
    labels = [month_label(*ym) for ym in months]
    options = [
        (
            label,
            frame.filter((pl.col("year") == year) & (pl.col("month") == month)),
            {"title.text": title.format(label=label), "title.subtitle.text": subtitle.format(label=label)},
        )
        for label, (year, month) in zip(labels, months)
    ]
    fig = _status_figure(
        options, ref, "on_track", "pro_rata_required", "achieved_ytd", ("op schema", "achter op schema"), menu=True
    )
    latest_rows = options[-1][1]
    style(
        fig, title.format(label=labels[-1]), subtitle.format(label=labels[-1]), height=_matrix_height(latest_rows) + 80
    )
    period = f"maanden {labels[0]} t.e.m. {labels[-1]} (menu), standaard {labels[-1]} (laatste maand in de gegevens)"
    return Chart(ON_TRACK_TITLE, period, fig)


def _progress_traces(groups: dict, norms: list[str], year: int, dmw: str, ref: Reference) -> dict[str, list]:
    """The data of the two traces per norm (pro-rata line, year-to-date figure) for one DMW and year,
    as Plotly ``update`` arguments: one entry per trace, in trace order."""
    colour, name = _dmw_colour(dmw, ref), ref.dmw_name(dmw)
    data: dict[str, list] = {
        k: [] for k in ("x", "y", "customdata", "hovertemplate", "marker.color", "marker.symbol", "line.color")
    }
    for norm in norms:
        rows = groups.get((year, dmw, norm))
        if rows is None:
            rows = pl.DataFrame(
                schema={
                    "month": pl.Int64,
                    "pro_rata_required": pl.Float64,
                    "achieved_ytd": pl.Float64,
                    "on_track": pl.Boolean,
                }
            )
        rows = rows.sort("month")
        unit = ref.norm(norm).unit
        months = rows["month"].to_list()
        data["x"] += [months, months]
        data["y"] += [rows["pro_rata_required"].to_list(), rows["achieved_ytd"].to_list()]
        data["customdata"] += [
            [[_fmt(v, unit)] for v in rows["pro_rata_required"]],
            [
                [_fmt(a, unit), _fmt(p, unit), "op schema" if t else "achter op schema"]
                for a, p, t in zip(rows["achieved_ytd"], rows["pro_rata_required"], rows["on_track"])
            ],
        ]
        data["hovertemplate"] += [
            f"<b>{name}</b><br>{ref.norm(norm).name}<br>t.e.m. maand %{{x}}/{year}<br>"
            "Pro-rata vereist: %{customdata[0]}<extra></extra>",
            f"<b>{name}</b><br>{ref.norm(norm).name} ({norm})<br>t.e.m. maand %{{x}}/{year}<br>"
            "Behaald tot nu toe: %{customdata[0]}<br>Pro-rata vereist: %{customdata[1]}<br>%{customdata[2]}"
            "<extra></extra>",
        ]
        data["marker.color"] += [palette.PRO_RATA, [palette.MET if t else palette.NOT_MET for t in rows["on_track"]]]
        data["marker.symbol"] += ["circle", ["circle" if t else "x" for t in rows["on_track"]]]
        data["line.color"] += [palette.PRO_RATA, colour]
    return data


def _progress(frame: pl.DataFrame, ref: Reference) -> Chart:
    """Small multiples, one per norm: the year-to-date figure (DMW colour, a green or red dot for on
    track or not) against the dashed pro-rata line. A menu picks the DMW and year; it swaps the data
    of the same traces, so the page stays light with many DMW and years."""
    title = PROGRESS_TITLE
    norms = ref.norm_order(frame["norm_code"].to_list())
    cols = 3
    n_rows = math.ceil(len(norms) / cols)
    fig = make_subplots(
        rows=n_rows,
        cols=cols,
        subplot_titles=[ref.norm(n).name for n in norms],
        vertical_spacing=min(0.3 / max(n_rows - 1, 1), 0.08),
        horizontal_spacing=0.07,
    )
    years = sorted(frame["year"].unique().to_list(), reverse=True)
    combos = [
        (year, dmw)
        for year in years
        for dmw in _dmw_order(frame.filter(pl.col("year") == year)["dmw_code"].to_list(), ref)
    ]
    groups = dict(frame.group_by(["year", "dmw_code", "norm_code"]))
    default = _progress_traces(groups, norms, *combos[0], ref)
    for index, norm in enumerate(norms):
        row, col = index // cols + 1, index % cols + 1
        for offset, (name, group) in enumerate((("pro-rata vereist", "pro_rata"), ("behaald tot nu toe", "achieved"))):
            trace = 2 * index + offset
            fig.add_scatter(
                x=default["x"][trace],
                y=default["y"][trace],
                customdata=default["customdata"][trace],
                hovertemplate=default["hovertemplate"][trace],
                name=name,
                legendgroup=group,
                showlegend=index == 0,
                mode="lines" if offset == 0 else "lines+markers",
                line=dict(
                    color=default["line.color"][trace],
                    dash="dash" if offset == 0 else "solid",
                    width=2 if offset == 0 else 3,
                ),
                marker=dict(
                    size=9,
                    color=default["marker.color"][trace],
                    symbol=default["marker.symbol"][trace],
                    line=dict(color="#ffffff", width=1),
                ),
                row=row,
                col=col,
            )
        unit = ref.norm(norm).unit
        fig.update_yaxes(
            tickformat=".0%" if unit == "share" else ",.2f" if unit == "eur" else ",~r",
            rangemode="tozero",
            row=row,
            col=col,
        )
    fig.update_xaxes(tickvals=list(range(1, 13)), ticktext=list(MONTHS_SHORT), range=[0.5, 12.5])
    subtitle = "{dmw}, {year}: cumulatief vanaf 1 januari (kies een andere DMW of een ander jaar in het menu)"
    height, top, bottom = 140 + 230 * n_rows, 130, 90
    buttons = [
        (
            f"{ref.dmw_name(dmw)} — {year}",
            [
                _progress_traces(groups, norms, year, dmw, ref),
                {"title.subtitle.text": subtitle.format(dmw=ref.dmw_name(dmw), year=year)},
            ],
        )
        for year, dmw in combos
    ]
    # in the title band, above the subplot titles: 45 px above the plotting area
    fig.update_layout(updatemenus=dropdown(buttons, active=0, y=1 + 45 / (height - top - bottom)))
    style(fig, title, subtitle.format(dmw=ref.dmw_name(combos[0][1]), year=combos[0][0]), height=height)
    fig.update_layout(margin=dict(t=top, b=bottom), legend=dict(orientation="h", y=-0.03, yanchor="top", x=0))
    fig.update_annotations(font_size=13)
    last_year, last_month = _latest_month(frame)
    period = (
        f"maanden van {year_span(frame['year'].to_list())}, laatste maand {month_label(last_year, last_month)}; "
        "per maand cumulatief vanaf 1 januari"
    )
    note = (
        "De pro-rata-lijn is vereist × maand / 12 voor normen die over het jaar optellen (aantallen); een "
        "aandeel, een maximumprijs of een ja/nee-norm wordt elke maand met de volledige norm vergeleken. "
        "Groene bolletjes: op schema; rode kruisjes (✗): achter op schema."
    )
    return Chart(title, period, fig, note=note)


def _activity_note(frame: pl.DataFrame) -> str | None:
    """A note when the DMW's activity is far below what their vte require: then the data are a
    sample (a demo at small scale) while the vte of seed dmw_vte are real, and every per-vte norm is
    red because of the scale of the data, not because of the DMW. Detected from the data."""
    if "kind" not in frame.columns:
        return None
    year = frame.select(pl.col("year").max()).item()
    rows = frame.filter(
        (pl.col("year") == year)
        & (pl.col("kind") == "PER_VTE")
        & ~pl.col("dmw_code").str.starts_with(palette.LANDSBOND_DMW_PREFIX)
        & (pl.col("required") > 0)
    )
    if "is_applicable" in rows.columns:
        rows = rows.filter(pl.col("is_applicable"))
    if rows.height == 0:
        return None
    ratio = rows["achieved"].fill_null(0).sum() / rows["required"].sum()
    if ratio >= SAMPLE_ACTIVITY_RATIO:
        return None
    return (
        f"Let op: in {year} haalt de activiteit samen maar {fmt_pct(ratio)} van wat de normen per vte vereisen "
        "(bereikte gebruikers, begeleidingen, woonadviezen, personenalarmen). Zo ver onder de norm werkt geen "
        "erkende DMW: de gegevens zijn een steekproef of demo (bijvoorbeeld make demo op schaal 0,01), terwijl de "
        "vte in seed dmw_vte die van de echte diensten zijn. De normen per vte zijn daardoor niet behaald door de "
        "schaal van de gegevens; de aandelen en de ja/nee-normen blijven zinvol."
    )


def _table_figure(header: list[str], rows: list[tuple], fills: list[str] | None = None) -> go.Figure:
    """A table: a tuple of ``rows`` per line, ``fills`` the background colour of each line (white)."""
    columns = [[row[i] for row in rows] for i in range(len(header))]
    fig = go.Figure(
        go.Table(
            header=dict(values=[f"<b>{h}</b>" for h in header], fill_color="#eeeeee", align="left", height=30),
            cells=dict(
                values=columns,
                align="left",
                height=26,
                fill_color="#ffffff" if fills is None else [fills] * len(header),
            ),
        )
    )
    fig.update_layout(height=150 + 27 * max(len(rows), 1), margin=dict(l=10, r=10, t=90, b=10))
    return fig


def _findings(
    findings: pl.DataFrame | None, alarms: pl.DataFrame | None, dmws: list[str], year: int, ref: Reference
) -> Chart:
    """Per DMW and further check: the number of records that fail it in the year, the workbook sheet
    (and CSV) that lists them, and the share of alarm reductions granted automatically (R01)."""
    title = f"Controles van Zorginspectie in {year}: dossiers die niet voldoen"
    counts: dict[tuple[str, str], int] = {}
    if findings is not None:
        for row in findings.filter(pl.col("year") == year).group_by(["dmw_code", "norm_code"]).len().iter_rows():
            counts[(row[0], row[1])] = row[2]
    automatic = {}
    if alarms is not None:
        automatic = {
            r["dmw_code"]: r["reduction_automatic_share"]
            for r in alarms.filter(pl.col("year") == year).iter_rows(named=True)
        }
    rows: list[tuple] = []
    fills: list[str] = []
    checks = [code for code, norm in ref.norms.items() if norm.findings_export]
    for dmw in dmws:
        for index, norm in enumerate(checks):
            n = counts.get((dmw, norm), 0)
            section, sheet = ref.norm(norm).section, ref.norm(norm).findings_export
            rows.append(
                (
                    ref.dmw_name(dmw),
                    f"{ref.norm(norm).name} (§{section})",
                    f"{NOT_MET_SYMBOL} {fmt_num(n, 0)}" if n else f"{MET_SYMBOL} 0",
                    f"{sheet} (inspection.xlsx, {sheet}.csv)" if n else "",
                    fmt_pct(automatic[dmw]) if index == 0 and automatic.get(dmw) is not None else "",
                )
            )
            fills.append("#fde0dc" if n else "#e8f5e9")
    fig = _table_figure(
        [
            "DMW",
            "Controle (004)",
            "Niet conform",
            "Lijst met de dossiers",
            "Reducties automatisch toegekend (R01, per DMW)",
        ],
        rows,
        fills,
    )
    style(
        fig,
        title,
        f"Jaar {year}; {NOT_MET_SYMBOL} rood: dossiers die niet voldoen, {MET_SYMBOL} groen: geen",
        height=fig.layout.height,
    )
    note = (
        "Elke controle is ook een norm in de matrix hierboven (aandeel of aantal per DMW en landsbond). De lijsten "
        "staan met pseudoniemen en dossiernummers in exports/<jaar>/inspection/ (nooit het INSZ). Het aandeel "
        "automatisch toegekende verminderingen is informatief: Zorginspectie beveelt het aan (004 §3, R01)."
    )
    return Chart(title, f"jaar {year}", fig, note=note)


def _samples(
    staff: pl.DataFrame | None,
    invoices: pl.DataFrame | None,
    actions: pl.DataFrame | None,
    dmws: list[str],
    year: int,
    ref: Reference,
) -> Chart:
    title = f"Steekproeven voor de inspectie in {year}"

    def per_dmw(frame, column=None):
        if frame is None:
            return {}
        rows = frame.filter(pl.col("year") == year)
        out = {}
        for dmw, group in rows.group_by("dmw_code"):
            out[dmw[0]] = (
                group.height,
                group[column].sum()
                if column == "reduced_contribution"
                else group[column].str.strip_chars().str.to_lowercase().n_unique()
                if column
                else None,
            )
        return out

    staff_n = per_dmw(staff)
    invoice_n, action_n = per_dmw(invoices, "reduced_contribution"), per_dmw(actions, "target_group")
    rows: list[tuple] = []
    for dmw in dmws:
        n_staff = staff_n.get(dmw, (0, None))[0]
        n_inv, n_red = invoice_n.get(dmw, (0, 0))
        n_act, n_groups = action_n.get(dmw, (0, 0))
        rows.append(
            (
                ref.dmw_name(dmw),
                fmt_num(n_staff, 0),
                f"{fmt_num(n_inv, 0)} (waarvan {fmt_num(n_red or 0, 0)} verminderd)",
                f"{fmt_num(n_act, 0)} (over {fmt_num(n_groups or 0, 0)} doelgroepen)",
            )
        )
    fig = _table_figure(
        [
            "DMW",
            "Personeelsdossiers (S01-S04)",
            "Gebruikersfacturen personenalarm (S05, S06)",
            "Proactieve acties (§2.3.3)",
        ],
        rows,
    )
    style(fig, title, f"Jaar {year}: reproduceerbare steekproef per DMW (004 §1.2.4.2)", height=fig.layout.height)
    note = (
        "Dezelfde gegevens en seed geven dezelfde steekproef. De getrokken dossiers staan in inspection.xlsx "
        "(dmw_staff_sample, dmw_alarm_invoice_sample, dmw_proactive_sample) en de gelijknamige CSV-bestanden."
    )
    return Chart(title, f"jaar {year}", fig, note=note)


def _reported(frame: pl.DataFrame, ref: Reference) -> Chart:
    title = REPORTED_TITLE
    frame = frame.sort(["year", "dmw_code", "norm_code"])
    rows: list[tuple] = []
    fills: list[str] = []
    for row in frame.iter_rows(named=True):
        unit = ref.norm(row["norm_code"]).unit
        flag = row["above_tolerance"]
        rows.append(
            (
                str(row["year"]),
                ref.dmw_name(row["dmw_code"]),
                ref.norm(row["norm_code"]).name,
                _fmt(row["reported_value"], unit),
                _fmt(row["computed_value"], unit),
                f"{NOT_MET_SYMBOL} verschil {_fmt(row['difference'], unit)}"
                if flag and row["difference"] is not None
                else f"{NOT_MET_SYMBOL} niet berekend"
                if flag
                else f"{MET_SYMBOL} binnen de tolerantie",
            )
        )
        fills.append("#fde0dc" if flag else "#e8f5e9")
    fig = _table_figure(["Jaar", "DMW", "Norm", "Jaarverslag", "Registratie", "Vergelijking"], rows, fills)
    style(
        fig,
        title,
        "Seed dmw_reported_figures tegenover de berekende norm (004 §2.3.2, §2.3.5, §2.3.11)",
        height=fig.layout.height,
    )
    note = (
        "Bij twee landsbonden stemden de cijfers in het jaarverslag niet overeen met het registratiesysteem (004 "
        "§2.3.2, §2.3.5). Rood: het verschil is groter dan de tolerantie van seed dmw_reported_tolerance "
        "(werkhypothese). Tabel dmw_reported_vs_computed in inspection.xlsx."
    )
    return Chart(title, year_span(frame["year"].to_list()), fig, note=note)


def dmw_norms_page(con: duckdb.DuckDBPyConnection, ref: Reference, page: Page) -> Page:
    year = read_mart(
        con, YEAR_MART, YEAR_COLUMNS, optional=("kind", "is_applicable"), order_by=("year", "dmw_code", "norm_code")
    )
    month = read_mart(
        con,
        MONTH_MART,
        MONTH_COLUMNS,
        optional=("required", "kind", "is_applicable"),
        order_by=("year", "month", "dmw_code", "norm_code"),
    )
    matrix = _norm_matrix(year.frame, ref) if year.ok else None
    if matrix is not None:
        note = _activity_note(year.frame)
        if note:
            matrix.note = note + " " + (matrix.note or "")
    page.charts = [
        matrix if matrix is not None else Chart(NORM_MATRIX_TITLE, "jaren", empty=year.problem),
        _on_track_matrix(month.frame, ref) if month.ok else Chart(ON_TRACK_TITLE, "maanden", empty=month.problem),
        _progress(month.frame, ref) if month.ok else Chart(PROGRESS_TITLE, "maanden", empty=month.problem),
    ]
    page.charts += _inspection_charts(con, year, ref)
    years = [y for read in (year, month) if read.ok for y in read.frame["year"].to_list()]
    page.period = f"jaren {year_span(years)}" if years else None
    if month.ok:
        y, m = _latest_month(month.frame)
        page.period += f", maanden t.e.m. {month_label(y, m)}"
    return page


def _inspection_charts(con: duckdb.DuckDBPyConnection, year, ref: Reference) -> list[Chart]:
    """The further checks of 004 for the latest year: records that fail them, the samples, and the
    reported figures next to the computed ones (every year in the seed)."""
    findings = read_mart(
        con,
        FINDINGS_MART,
        ("year", "dmw_code", "norm_code", "record_id"),
        order_by=("year", "dmw_code", "norm_code", "record_id"),
    )
    alarms = read_mart(
        con, ALARM_MART, ("year", "dmw_code", "reduction_automatic_share"), order_by=("year", "dmw_code")
    )
    staff = read_mart(
        con, STAFF_SAMPLE_MART, ("year", "dmw_code", "staff_id"), order_by=("year", "dmw_code", "staff_id")
    )
    invoices = read_mart(
        con,
        INVOICE_SAMPLE_MART,
        ("year", "dmw_code", "contract_id", "reduced_contribution"),
        order_by=("year", "dmw_code", "contract_id"),
    )
    actions = read_mart(
        con,
        ACTION_SAMPLE_MART,
        ("year", "dmw_code", "action_id", "target_group"),
        order_by=("year", "dmw_code", "action_id"),
    )
    reported = read_mart(
        con,
        REPORTED_MART,
        ("year", "dmw_code", "norm_code", "reported_value", "computed_value", "difference", "above_tolerance"),
        optional=("kind",),
        order_by=("year", "dmw_code", "norm_code"),
    )
    findings_title = "Controles van Zorginspectie: dossiers die niet voldoen"
    samples_title = "Steekproeven voor de inspectie"
    if not year.ok:
        return [
            Chart(findings_title, "jaren", empty=year.problem),
            Chart(samples_title, "jaren", empty=year.problem),
            Chart(REPORTED_TITLE, "jaren", empty=reported.problem or year.problem),
        ]
    latest = year.frame.select(pl.col("year").max()).item()
    dmws = [
        d
        for d in _dmw_order(year.frame.filter(pl.col("year") == latest)["dmw_code"].to_list(), ref)
        if not d.startswith(palette.LANDSBOND_DMW_PREFIX)
    ]
    charts = []
    if findings.ok or findings.problem.endswith("is nog leeg"):
        charts.append(_findings(findings.frame, alarms.frame if alarms.ok else None, dmws, latest, ref))
    else:
        charts.append(Chart(findings_title, "jaren", empty=findings.problem))
    if invoices.ok or actions.ok or staff.ok:
        charts.append(
            _samples(
                staff.frame if staff.ok else None,
                invoices.frame if invoices.ok else None,
                actions.frame if actions.ok else None,
                dmws,
                latest,
                ref,
            )
        )
    else:
        charts.append(Chart(samples_title, "jaren", empty=invoices.problem))
    charts.append(
        _reported(reported.frame, ref)
        if reported.ok
        else Chart(
            REPORTED_TITLE,
            "jaren",
            empty=reported.problem + " (seed dmw_reported_figures: typ de cijfers "
            "van het jaarverslag in om ze te vergelijken)",
        )
    )
    return charts
