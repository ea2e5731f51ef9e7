"""The dashboards of SPEC §7 and their index: what each one is called, which marts it reads, and
rendering them to ``$MUTWH_HOME/dashboards/<name>.html``.

Usage (what the Dagster assets do)::

    with duckdb.connect(path, read_only=True) as con:
        html = render_dashboard("membership", con, BuildInfo(run_id, built_at))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dashboards import dmw, membership, non_take_up, zorgkas
from dashboards.marts import Reference, read_reference
from dashboards.render import BuildInfo, Page, render_index, render_page
from mutwh.files import write_bytes_atomic


@dataclass(frozen=True)
class Dashboard:
    name: str  # asset key ["dashboards", name], file <name>.html and the page's slug
    title: str  # of the page and of its entry in the index
    description: str  # its entry in the index
    intro: str  # the page's header line
    marts: tuple[str, ...]  # models in schema marts that it reads
    build: Callable[[duckdb.DuckDBPyConnection, Reference, Page], Page]  # fills the page's charts and period
    seeds: tuple[str, ...]  # reference seeds that give the names on its charts

    @property
    def filename(self) -> str:
        return f"{self.name}.html"


DASHBOARDS = (
    Dashboard(
        "membership",
        "Leden en marktaandeel",
        "Leden en titularissen per ziekenfonds, marktaandeel van de landsbond, zorgkasleden en -dossiers, "
        "jaar na jaar.",
        "Leden, titularissen en marktaandeel van de landsbond en haar ziekenfondsen, jaar na jaar.",
        membership.MARTS,
        membership.membership_page,
        ("ziekenfondsen",),
    ),
    Dashboard(
        "vt_share",
        "Verhoogde tegemoetkoming per ziekenfonds",
        "Aandeel en aantal leden met verhoogde tegemoetkoming per ziekenfonds.",
        "Aandeel van de leden met verhoogde tegemoetkoming (VT) op 31 december, per ziekenfonds.",
        membership.MARTS,
        membership.vt_share_page,
        ("ziekenfondsen",),
    ),
    Dashboard(
        "zorgkas_scorecard",
        "Zorgkas-scorecard",
        "Indicatorscores tegenover hun gewicht, globale score per zorgkas en jaar, responsabilisering.",
        "De zes kwaliteitsindicatoren van de zorgkassen, hun gewicht, de globale score, de "
        "responsabilisering van de werkingssubsidie en de productiecijfers per zorgkas.",
        zorgkas.MARTS,
        zorgkas.zorgkas_scorecard_page,
        ("zorgkassen",),
    ),
    Dashboard(
        "dmw_norms",
        "DMW-erkenningsnormen",
        "Normenmatrix (DMW × norm, behaald of niet) per jaar en de vooruitgang maand per maand tegenover "
        "de pro-rata-lijn.",
        "Erkenningsnormen van de erkende diensten maatschappelijk werk (DMW): vereist tegenover behaald, "
        "per jaar en maand per maand tegenover de pro-rata-lijn.",
        dmw.MARTS,
        dmw.dmw_norms_page,
        ("erkende_dmw", "landsbonden"),
    ),
    Dashboard(
        "non_take_up",
        "Onderbescherming: VT-mailing en verlenging van het recht",
        "Verlenging van het recht op terugbetaling per ziekenfonds naast de gepubliceerde cijfers, "
        "omzetting van de VT-mailing per indicator en jaar, kandidaten nog niet aangeschreven.",
        "De proactieve VT-mailing en de jaarlijkse verlenging van het recht op terugbetaling, per "
        "ziekenfonds, naast de gepubliceerde cijfers (seed 002 §15–16).",
        non_take_up.MARTS,
        non_take_up.non_take_up_page,
        ("ziekenfondsen", "vt_indicators", "non_take_up_published_figures"),
    ),
)
BY_NAME = {d.name: d for d in DASHBOARDS}
# The columns each mart must have for the dashboards (checked against the dbt yml in the tests).
REQUIRED_COLUMNS = {**membership.COLUMNS_BY_MART, **zorgkas.COLUMNS, **dmw.COLUMNS, **non_take_up.COLUMNS}
INDEX = "index.html"
# The dbt documentation site of `make docs` ($MUTWH_HOME/docs/index.html), next to the dashboards.
DOCS_LINK = (
    "../docs/index.html",
    "Datacatalogus: elke tabel en kolom",
    "De dbt-documentatie van het datawarehouse: elke mart en kolom met haar definitie (SPEC-sectie), "
    "de tests erop en de herkomst tot het landingsbestand. Aangemaakt met `make docs` (daarna opent "
    "deze link, ook zonder internetverbinding).",
)


def build_page(name: str, con: duckdb.DuckDBPyConnection) -> Page:
    dashboard = BY_NAME[name]
    return dashboard.build(con, read_reference(con), Page(dashboard.name, dashboard.title, dashboard.intro))


def render_dashboard(name: str, con: duckdb.DuckDBPyConnection, info: BuildInfo) -> str:
    return render_page(build_page(name, con), info)


def render_index_page(run_id: str) -> str:
    return render_index([*((d.filename, d.title, d.description) for d in DASHBOARDS), DOCS_LINK], run_id)


def write_page(target: Path, page_html: str) -> Path:
    """Atomically, so a browser (or an operator) never opens half a page."""
    write_bytes_atomic(target, page_html.encode("utf-8"))
    return target


def render_all(con: duckdb.DuckDBPyConnection, folder: Path, info: BuildInfo) -> list[Path]:
    """Every dashboard and the index into ``folder`` (for scripts and tests; Dagster renders one
    asset per dashboard)."""
    written = [write_page(folder / d.filename, render_dashboard(d.name, con, info)) for d in DASHBOARDS]
    written.append(write_page(folder / INDEX, render_index_page(info.run_id)))
    return written
