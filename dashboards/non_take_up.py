"""Dashboard non-take-up (SPEC §5b, §7): the renewal funnel of the right to reimbursement next to
the published figures of seed 002 §16, the conversion of the proactive VT mailing per indicator and
year, and the candidates not yet mailed, from the marts ``fct_right_renewal_year`` and
``fct_vt_take_up_year``. The published figures come from the seed ``non_take_up_published_figures``;
the mailing list (personal data) is never shown."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import polars as pl

from dashboards import palette
from dashboards.charts import grouped_shares, stacked_per_ziekenfonds
from dashboards.marts import MartRead, Reference, model_names, read_mart
from dashboards.render import Chart, Page, fmt_int, fmt_pct, period_chart, year_span

RENEWAL_MART = "marts.fct_right_renewal_year"
TAKE_UP_MART = "marts.fct_vt_take_up_year"
PUBLISHED = "reference.non_take_up_published_figures"
INDICATORS = "reference.vt_indicators"
# The stages seed 002 §16 publishes, in the order of the funnel.
FUNNEL = (
    ("auto_june", "Automatisch in juni"),
    ("without_contact", "Zonder contact (na provinciale controle)"),
    ("letters_sent", "Brief in november"),
    ("without_right_at_year_end", "Zonder recht op jaareinde"),
    ("without_right_final", "Uiteindelijk zonder recht"),
)
RENEWAL_COLUMNS = (
    "right_year",
    "ziekenfonds_code",
    "population",
    *(s for s, _ in FUNNEL),
    *(f"{s}_share" for s, _ in FUNNEL),
)
TAKE_UP_COLUMNS = (
    "year",
    "ziekenfonds_code",
    "indicator",
    "candidates",
    "mailed",
    "converted_12m",
    "conversion_rate",
    "not_mailed_candidates",
    "follow_up_complete",
)
COLUMNS = {RENEWAL_MART: RENEWAL_COLUMNS, TAKE_UP_MART: TAKE_UP_COLUMNS}
MARTS = model_names(*COLUMNS)
# Chart titles, also of the empty chart shown when a mart cannot be read.
FUNNEL_TITLE = "Verlenging van het recht: landsbond tegenover de gepubliceerde cijfers"
NOT_MAILED_TITLE = "Kandidaten nog niet aangeschreven, per ziekenfonds"
PUBLISHED_COLOUR = "#9e9e9e"
ALL = palette.LANDSBOND_TOTAL


def _published(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    read = read_mart(con, PUBLISHED, ("figure_code", "value"), order_by=("figure_code",))
    return {} if not read.ok else {c: float(v) for c, v in read.frame.iter_rows()}


def _indicator_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    read = read_mart(con, INDICATORS, ("indicator", "name_nl", "sort_order"), order_by=("sort_order",))
    return {} if not read.ok else {code: name for code, name, _ in read.frame.iter_rows()}


def _funnel_landsbond(frame: pl.DataFrame, published: dict[str, float]) -> Chart:
    title = FUNNEL_TITLE
    total = frame.filter(pl.col("ziekenfonds_code") == ALL).sort("right_year")
    labels = [label for _, label in FUNNEL]
    fig = go.Figure()
    shades = ("#8899aa", "#4d6680", "#1d2b3a", "#000000")
    years = total["right_year"].to_list()
    for number, row in enumerate(total.iter_rows(named=True)):
        shares = [row[f"{stage}_share"] for stage, _ in FUNNEL]
        fig.add_bar(
            name=f"Landsbond, recht {row['right_year']}",
            x=labels,
            y=shares,
            marker_color=shades[max(0, len(shades) - len(years) + number)],
            text=[fmt_pct(s) for s in shares],
            textposition="outside",
            textfont=dict(size=10),
            customdata=[[fmt_int(row[stage]), fmt_int(row["population"])] for stage, _ in FUNNEL],
            hovertemplate="<b>%{fullData.name}</b><br>%{x}: %{text}<br>%{customdata[0]} van %{customdata[1]} "
            "personen<extra></extra>",
        )
    values = [published.get(f"{stage.upper()}_SHARE") for stage, _ in FUNNEL]
    if any(v is not None for v in values):
        fig.add_bar(
            name="Gepubliceerd (seed 002 §16)",
            x=labels,
            y=values,
            marker=dict(color=PUBLISHED_COLOUR, pattern=dict(shape="/")),
            text=[fmt_pct(v) for v in values],
            textposition="outside",
            textfont=dict(size=10),
            hovertemplate="<b>Gepubliceerd</b> (ongeveer)<br>%{x}: %{text}<extra></extra>",
        )
    period = f"jaar van het recht {year_span(years)}, ziekenfonds op 31/12 van het jaar ervoor"
    note = (
        "Cumulatieve stappen: automatisch in juni, + later automatisch en na provinciale controle zonder "
        "contact; brief in november; zonder recht op 31/12 voor het jaar van het recht; uiteindelijk zonder "
        "recht. Gepubliceerde cijfers: seed non_take_up_published_figures (ongeveer, zonder jaartal)."
    )
    return grouped_shares(fig, title, "Aandeel van de te verlengen personen", period, note)


def _funnel_per_ziekenfonds(frame: pl.DataFrame, ref: Reference) -> Chart:
    year = max(frame["right_year"].to_list())
    title = f"Verlenging van het recht {year} per ziekenfonds"
    rows = frame.filter(pl.col("right_year") == year)
    labels = [label for _, label in FUNNEL]
    fig = go.Figure()
    codes = palette.ziekenfonds_order(rows.filter(pl.col("ziekenfonds_code") != ALL)["ziekenfonds_code"].to_list())
    for code in [*codes, ALL]:
        row = rows.filter(pl.col("ziekenfonds_code") == code)
        if not row.height:
            continue
        row = row.row(0, named=True)
        shares = [row[f"{stage}_share"] for stage, _ in FUNNEL]
        fig.add_bar(
            name=ref.ziekenfonds_name(code),
            x=labels,
            y=shares,
            marker_color=palette.ziekenfonds_colour(code),
            customdata=[
                [fmt_pct(s), fmt_int(row[stage]), fmt_int(row["population"])] for s, (stage, _) in zip(shares, FUNNEL)
            ],
            hovertemplate="<b>%{fullData.name}</b><br>%{x}: %{customdata[0]}<br>%{customdata[1]} van "
            "%{customdata[2]} personen<extra></extra>",
        )
    fig.update_layout(barmode="group")
    ticks = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    fig.update_yaxes(
        title_text="Aandeel van de te verlengen personen",
        type="log",
        tickvals=ticks,
        ticktext=[fmt_pct(t, 1 if t < 0.01 else 0) for t in ticks],
    )
    period = f"jaar van het recht {year}, ziekenfonds op 31/12/{year - 1}"
    note = "Logaritmische schaal, zodat 91 % en 0,8 % op dezelfde grafiek leesbaar blijven."
    return period_chart(fig, title, period, note=note)


def _conversion(frame: pl.DataFrame, names: dict[str, str], published: dict[str, float]) -> Chart:
    title = "VT-mailing: aangeschreven leden met VT binnen 12 maanden, per indicator en jaar"
    rows = frame.filter(pl.col("ziekenfonds_code") == ALL)
    order = [*names, ALL] if names else sorted(rows["indicator"].unique().to_list())
    label = {ALL: "Alle indicatoren", **names}
    fig = go.Figure()
    years = sorted(rows["year"].unique().to_list())
    colours = ("#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b")
    for number, year in enumerate(years):
        year_rows = {r["indicator"]: r for r in rows.filter(pl.col("year") == year).iter_rows(named=True)}
        present = [code for code in order if code in year_rows]
        provisional = not all(year_rows[c]["follow_up_complete"] for c in present)
        fig.add_bar(
            name=f"{year}{' (voorlopig)' if provisional else ''}",
            x=[label.get(c, c) for c in present],
            y=[year_rows[c]["conversion_rate"] for c in present],
            marker=dict(
                color=colours[max(0, len(colours) - len(years) + number)],
                pattern=dict(shape="." if provisional else ""),
            ),
            customdata=[
                [
                    fmt_pct(year_rows[c]["conversion_rate"]),
                    fmt_int(year_rows[c]["converted_12m"]),
                    fmt_int(year_rows[c]["mailed"]),
                ]
                for c in present
            ],
            hovertemplate="<b>%{x}</b>, brieven van %{fullData.name}<br>Omzettingsgraad: %{customdata[0]}<br>"
            "%{customdata[1]} van %{customdata[2]} aangeschreven leden<extra></extra>",
        )
    if "VT_CONVERSION_12M" in published:
        value = published["VT_CONVERSION_12M"]
        fig.add_hline(
            y=value,
            line=dict(color=PUBLISHED_COLOUR, dash="dash", width=2),
            annotation_text=f"gepubliceerd: {fmt_pct(value, 0)} (seed 002 §15)",
            annotation_position="top left",
            annotation_bgcolor="rgba(255,255,255,0.8)",
        )
    period = f"brieven van {year_span(years)}, opvolging 365 dagen na de eerste brief van het jaar"
    note = (
        "Een jaar met '(voorlopig)' heeft brieven waarvan de 365 dagen nog niet voorbij zijn in de geladen "
        "gegevens: de omzetting kan nog stijgen. Wie op de dag van de brief al VT had, telt niet als omgezet."
    )
    return grouped_shares(fig, title, "Omzettingsgraad", period, note)


def _not_mailed(frame: pl.DataFrame, ref: Reference) -> Chart:
    title = NOT_MAILED_TITLE
    rows = frame.filter(pl.col("indicator") == ALL)
    years = sorted(rows["year"].unique().to_list())
    fig = stacked_per_ziekenfonds(
        rows,
        ref,
        "not_mailed_candidates",
        "Kandidaten zonder brief in 365 dagen",
        lambda zf: [[fmt_int(n), fmt_int(c)] for n, c in zip(zf["not_mailed_candidates"], zf["candidates"])],
        "<b>%{fullData.name}</b><br>Jaar %{x}<br>Niet aangeschreven: %{customdata[0]} van "
        "%{customdata[1]} kandidaten<extra></extra>",
    )
    period = f"toestand op 31 december, {year_span(years)}"
    note = (
        "Kandidaten: leden zonder VT met een indicator (weduwe, invalide, gepensioneerde, langdurig werkloze, "
        "eenoudergezin, resident met vermindering) op 31/12. Niet aangeschreven: geen brief in de 365 dagen tot "
        "31/12. De namenlijst zelf (pseudoniemen) staat alleen in de export, nooit op een dashboard."
    )
    return period_chart(fig, title, period, note=note)


def non_take_up_page(con: duckdb.DuckDBPyConnection, ref: Reference, page: Page) -> Page:
    published = _published(con)
    renewal: MartRead = read_mart(con, RENEWAL_MART, RENEWAL_COLUMNS, order_by=("right_year", "ziekenfonds_code"))
    take_up: MartRead = read_mart(
        con, TAKE_UP_MART, TAKE_UP_COLUMNS, order_by=("year", "ziekenfonds_code", "indicator")
    )
    if renewal.ok and renewal.frame.filter(pl.col("population") > 0).height == 0:
        renewal = MartRead(renewal.table, None, f"de tabel {renewal.table} heeft nog geen verlengingen")
    if take_up.ok and take_up.frame.filter((pl.col("mailed") > 0) | (pl.col("candidates") > 0)).height == 0:
        take_up = MartRead(take_up.table, None, f"de tabel {take_up.table} heeft nog geen kandidaten of brieven")
    charts = []
    if renewal.ok:
        charts += [_funnel_landsbond(renewal.frame, published), _funnel_per_ziekenfonds(renewal.frame, ref)]
    else:
        charts += [
            Chart(FUNNEL_TITLE, "–", empty=renewal.problem),
            Chart("Verlenging van het recht per ziekenfonds", "–", empty=renewal.problem),
        ]
    if take_up.ok:
        charts += [_conversion(take_up.frame, _indicator_names(con), published), _not_mailed(take_up.frame, ref)]
    else:
        charts += [
            Chart("VT-mailing: omzetting per indicator en jaar", "–", empty=take_up.problem),
            Chart(NOT_MAILED_TITLE, "–", empty=take_up.problem),
        ]
    years = [
        *(renewal.frame["right_year"].to_list() if renewal.ok else []),
        *(take_up.frame["year"].to_list() if take_up.ok else []),
    ]
    page.period = year_span(years) if years else None
    page.charts = charts
    return page
