"""The HTML around the charts: one self-contained file per dashboard (SPEC §7).

plotly.js is embedded inline once per page (``include_plotlyjs=True`` on the first chart), so a page
opens on an offline PC. The output depends only on the marts, the run id and the build time passed
in: div ids are fixed (Plotly would draw random ones) and no clock is read here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

TIMEZONE = ZoneInfo("Europe/Brussels")
MONTHS_SHORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
NO_DATA = "Nog geen gegevens"
# Belgian notation: decimal comma, thousands dot (Plotly's d3 formats follow layout.separators).
SEPARATORS = ",."
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"scale": 2}}


@dataclass(frozen=True)
class BuildInfo:
    """Where the figures come from: the Dagster run that rendered them and when the marts they read
    were built (``None`` when unknown)."""

    run_id: str
    built_at: datetime | None = None


@dataclass
class Chart:
    title: str
    data_date: str  # the reporting period the chart shows, e.g. "toestand op 31 december, 2021–2023"
    figure: go.Figure | None = None
    note: str | None = None
    empty: str | None = None  # why there is no figure
    html: str | None = None  # markup built (and escaped) by the page, shown under the figure or instead of it


@dataclass
class Page:
    slug: str
    title: str
    intro: str
    charts: list[Chart] = field(default_factory=list)
    period: str | None = None

    @property
    def has_data(self) -> bool:
        return any(c.figure is not None or c.html for c in self.charts)


# -- Dutch number formatting (display only) ---------------------------------------------------------


def _dutch(text: str) -> str:
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def fmt_int(value) -> str:
    return "–" if value is None else _dutch(f"{round(value):,}")


def fmt_num(value, decimals: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _dutch(text)


def fmt_delta(value) -> str:
    if value is None:
        return "n.v.t. (vorig jaar niet geladen)"
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt_int(abs(value))


def fmt_pct(value, decimals: int = 1) -> str:
    return "–" if value is None else _dutch(f"{value * 100:.{decimals}f}") + " %"


def fmt_eur(value, decimals: int = 2) -> str:
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    return f"{sign}{_dutch(f'{abs(value):,.{decimals}f}')} EUR"


def fmt_built_at(value: datetime | None) -> str:
    if value is None:
        return "onbekend"
    local = value.astimezone(TIMEZONE) if value.tzinfo else value
    return f"{local:%d/%m/%Y} om {local:%H:%M} (Brussel)"


def year_span(years) -> str:
    years = sorted({int(y) for y in years})
    if not years:
        return "–"
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"


# -- figures and pages ---------------------------------------------------------------------------


def style(fig: go.Figure, title: str, subtitle: str, height: int = 460) -> go.Figure:
    """Common look; the chart carries its own title and data date so that an exported PNG (modebar
    camera) still says what and when it shows."""
    fig.update_layout(
        template="plotly_white",
        separators=SEPARATORS,
        height=height,
        title=dict(text=title, subtitle=dict(text=subtitle), x=0.01, xanchor="left"),
        font=dict(family="Segoe UI, Helvetica, Arial, sans-serif", size=13),
        margin=dict(l=70, r=20, t=90, b=60),
        legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.01),
        hoverlabel=dict(align="left"),
    )
    return fig


def dropdown(buttons: list[tuple[str, list]], active: int, y: float, yanchor: str = "bottom", **options) -> list[dict]:
    """``layout.updatemenus`` of one dropdown in the top right corner of a figure: a button per
    (label, Plotly ``update`` arguments: trace changes, then layout changes), ``active`` shown first."""
    return [
        dict(
            type="dropdown",
            x=1,
            xanchor="right",
            y=y,
            yanchor=yanchor,
            active=active,
            buttons=[dict(label=label, method="update", args=args) for label, args in buttons],
            **options,
        )
    ]


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def period_chart(fig: go.Figure, title: str, period: str, note: str | None = None) -> Chart:
    """A chart in the common look whose subtitle is its reporting period (``period``, capitalised)."""
    return Chart(title, period, style(fig, title, capitalised(period)), note=note)


CSS = """
body{font-family:"Segoe UI",Helvetica,Arial,sans-serif;margin:0;background:#f5f6f8;color:#222}
header{background:#1d2b3a;color:#fff;padding:16px 28px}
header h1{margin:0 0 4px 0;font-size:24px}
header p{margin:2px 0;color:#d5dde6;font-size:14px}
header a{color:#fff}
main{padding:12px 28px 32px 28px;max-width:1400px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:16px 0;padding:12px 16px}
section h2{font-size:18px;margin:4px 0 8px 0}
.meta{color:#555;font-size:12px;margin:6px 0 0 0}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:8px 12px;font-size:13px;margin:8px 0}
.empty{background:#eef2f6;border-left:4px solid #8a9bb0;padding:12px;font-size:14px}
code{font-size:12px}
ul.dashboards li{margin:10px 0;font-size:15px}
ul.dashboards span{color:#555;font-size:13px}
"""


def _shell(title: str, header_lines: list[str], body: str) -> str:
    lines = "".join(f"<p>{line}</p>" for line in header_lines)
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>{lines}</header>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )


def source_line(info: BuildInfo) -> str:
    return (
        f"Gegevens opgebouwd op {html.escape(fmt_built_at(info.built_at))} · "
        f"bron: Dagster-run <code>{html.escape(info.run_id)}</code>"
    )


def render_page(page: Page, info: BuildInfo) -> str:
    header = [
        '<a href="index.html">← alle dashboards</a>',
        html.escape(page.intro),
    ]
    if page.period:
        header.append(f"Rapporteringsperiode: {html.escape(page.period)}")
    header.append(source_line(info))
    parts = []
    if not page.has_data:
        parts.append(
            f'<section><div class="empty"><strong>{NO_DATA}.</strong> De marts voor dit dashboard '
            "zijn nog niet opgebouwd; voer de Dagster-job <code>annual_report</code> of "
            "<code>mutwh run</code> uit.</div></section>\n"
        )
    plotly_embedded = False
    for number, chart in enumerate(page.charts, start=1):
        parts.append(f'<section id="{page.slug}-{number}">\n')
        if chart.figure is None and chart.html:
            parts.append(f"<h2>{html.escape(chart.title)}</h2>\n")
        elif chart.figure is None:
            # A chart carries its own title (also in an exported PNG); an empty section needs one here.
            parts.append(f"<h2>{html.escape(chart.title)}</h2>\n")
            parts.append(f'<div class="empty">{NO_DATA}: {html.escape(chart.empty or "geen rijen")}.</div>\n')
        else:
            parts.append(
                chart.figure.to_html(
                    full_html=False,
                    include_plotlyjs=not plotly_embedded,
                    div_id=f"{page.slug}-chart-{number}",
                    config=PLOTLY_CONFIG,
                    default_height=f"{chart.figure.layout.height or 460}px",
                )
            )
            plotly_embedded = True
        if chart.html:
            parts.append(f"\n{chart.html}")
        if chart.note:
            parts.append(f'\n<div class="note">{html.escape(chart.note)}</div>')
        parts.append(
            f'\n<p class="meta">Gegevens: {html.escape(chart.data_date)} · {source_line(info)}</p>\n</section>\n'
        )
    return _shell(page.title, header, "".join(parts))


def render_index(entries: list[tuple[str, str, str]], run_id: str) -> str:
    """``entries``: (file name, title, description) of every dashboard."""
    items = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(title)}</a><br><span>{html.escape(text)}</span></li>\n'
        for href, title, text in entries
    )
    body = (
        "<section>\n<p>Zelfstandige HTML-bestanden: ze openen zonder internetverbinding. Beweeg over een "
        "grafiek voor de details; klik op een legende-item om een reeks te verbergen.</p>\n"
        f'<ul class="dashboards">\n{items}</ul>\n</section>\n'
    )
    return _shell("Dashboards van de landsbond", [f"Bron: Dagster-run <code>{html.escape(run_id)}</code>"], body)
