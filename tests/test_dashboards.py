"""Dashboards (SPEC §7) from a fixture warehouse: self-contained, Dutch, dated, deterministic, and a
page that says "nog geen gegevens" instead of an error when a mart is not there yet."""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import REPO
from support.dashboard_warehouse import (
    BUILT_AT,
    INFO,
    RUN_ID,
    WEIGHTS_SEED,
    ZORGKASSEN,
    seed_rows,
    write_fixture_warehouse,
    zorgkas_rows,
)

from dashboards import palette
from dashboards.pages import DASHBOARDS, INDEX, REQUIRED_COLUMNS, build_page, render_all, render_dashboard
from dashboards.render import BuildInfo


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_fixture_warehouse(tmp_path_factory.mktemp("fixture") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def rendered(warehouse, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dashboards")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        render_all(con, folder, INFO)
    return folder


# -- tests --------------------------------------------------------------------------------------

DUTCH = {
    "membership": [
        "Leden per ziekenfonds",
        "Titularissen",
        "Marktaandeel",
        "Zorgkasleden",
        "Solidaris Antwerpen",
        "toestand op 31 december, 2021–2023",
    ],
    "vt_share": [
        "verhoogde tegemoetkoming",
        "Verhoogde tegemoetkoming per ziekenfonds in 2023",
        "Landsbond (totaal)",
        "Mutualité Socialiste du Luxembourg",
    ],
    "zorgkas_scorecard": [
        "Indicator",
        "Gewicht",
        "Globale score",
        "Responsabilisering",
        "afgeleid uit gepubliceerde cijfers",
        "380 Socialistische zorgkas",
        "Rapporteringsjaar 2023",
        "onder de norm",
        "Productie per zorgkas",
        "eigen zorgkas",
    ],
    "dmw_norms": [
        "Erkenningsnormen",
        "behaald",
        "niet behaald",
        "Vereist",
        "pro-rata",
        "Bereikte gebruikers",
        "DMW van Solidaris Antwerpen",
        "november 2023",
    ],
    "non_take_up": [
        "Verlenging van het recht",
        "Automatisch in juni",
        "Gepubliceerd (seed 002 §16)",
        "Weduwe of weduwnaar",
        "2023 (voorlopig)",
        "gepubliceerd: 15 %",
        "Kandidaten nog niet aangeschreven",
        "Solidaris Antwerpen",
    ],
}


@pytest.mark.parametrize("name", [d.name for d in DASHBOARDS])
def test_page_is_self_contained_dutch_and_dated(rendered, name):
    page = (rendered / f"{name}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    # plotly.js is inline: no script is loaded from anywhere, the bundle itself is in the file.
    assert not re.search(r"<script[^>]*\bsrc=", page), "a script is loaded from outside the file"
    assert "<link" not in page
    assert page.count("window.PlotlyConfig") == 1 and len(page) > 3_000_000
    assert "Plotly.newPlot" in page
    for label in DUTCH[name]:
        assert label in page, f"{name}: missing {label!r}"
    assert RUN_ID in page
    assert "15/01/2024 om 06:03 (Brussel)" in page  # the data's build time, in Brussels time
    assert "Nog geen gegevens" not in page
    assert 'href="index.html"' in page


def test_every_chart_names_its_data_date_and_run(rendered):
    for d in DASHBOARDS:
        page = (rendered / d.filename).read_text(encoding="utf-8")
        sections = page.count("<section id=")
        assert sections >= 3
        assert page.count('<p class="meta">Gegevens: ') == sections
        assert page.count(f"Dagster-run <code>{RUN_ID}</code>") == sections + 1  # each chart and the header


def test_index_links_every_dashboard(rendered):
    index = (rendered / INDEX).read_text(encoding="utf-8")
    for d in DASHBOARDS:
        assert f'href="{d.filename}"' in index and d.title in index
        assert (rendered / d.filename).exists()
    assert RUN_ID in index


def test_rendering_twice_gives_identical_bytes(warehouse, rendered, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        render_all(con, tmp_path, INFO)
    for d in [*DASHBOARDS]:
        assert (tmp_path / d.filename).read_bytes() == (rendered / d.filename).read_bytes(), d.name
    assert (tmp_path / INDEX).read_bytes() == (rendered / INDEX).read_bytes()


def test_another_run_changes_only_the_run_id(warehouse, rendered):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        other = render_dashboard("membership", con, BuildInfo("another-run", BUILT_AT))
    assert other.replace("another-run", RUN_ID) == (rendered / "membership.html").read_text(encoding="utf-8")


def test_colours_are_the_same_on_every_chart(warehouse):
    """A ziekenfonds and a zorgkas keep one colour across pages (dashboards/palette.py)."""
    by_name = {
        "Solidaris Antwerpen": palette.ziekenfonds_colour("SOL_ANT"),
        "Solidaris Wallonie": palette.ziekenfonds_colour("SOL_WAL"),
        "380 Socialistische zorgkas": palette.zorgkas_colour("380"),
        "180 CM zorgkas": palette.zorgkas_colour("180"),
    }
    seen = {name: set() for name in by_name}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for d in DASHBOARDS:
            for chart in build_page(d.name, con).charts:
                for trace in chart.figure.data if chart.figure else ():
                    if trace.name in by_name:
                        colour = trace.marker.color if trace.type == "bar" else trace.line.color
                        seen[trace.name].add(colour)
    assert seen == {name: {colour} for name, colour in by_name.items()}
    assert len(set(palette.ZIEKENFONDS.values())) == len(palette.ZIEKENFONDS)
    assert len(set(palette.ZORGKAS.values())) == len(palette.ZORGKAS)


def test_empty_warehouse_gives_no_data_pages(tmp_path):
    empty = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(empty)).close()
    with duckdb.connect(str(empty), read_only=True) as con:
        written = render_all(con, tmp_path / "dashboards", INFO)
    assert len(written) == len(DASHBOARDS) + 1
    for d in DASHBOARDS:
        page = (tmp_path / "dashboards" / d.filename).read_text(encoding="utf-8")
        assert "Nog geen gegevens" in page
        assert "bestaat nog niet in het warehouse" in page
        assert "Plotly.newPlot" not in page and RUN_ID in page


def test_one_missing_mart_leaves_the_other_charts(tmp_path):
    path = write_fixture_warehouse(
        tmp_path / "warehouse.duckdb", skip=("marts.fct_zorgkas_responsabilisering_year", "marts.fct_dmw_norm_month")
    )
    with duckdb.connect(str(path), read_only=True) as con:
        scorecard = render_dashboard("zorgkas_scorecard", con, INFO)
        norms = render_dashboard("dmw_norms", con, INFO)
    assert "Nog geen gegevens: de tabel marts.fct_zorgkas_responsabilisering_year bestaat nog niet" in scorecard
    assert "afgeleid uit gepubliceerde cijfers" in scorecard  # the note stays
    assert scorecard.count("Plotly.newPlot") == 2
    # the matrix and the three inspection tables (other marts) stay; the two monthly charts go
    assert "marts.fct_dmw_norm_month bestaat nog niet" in norms and norms.count("Plotly.newPlot") == 4


def test_a_missing_column_is_named_not_a_crash(tmp_path):
    path = write_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.sql("alter table marts.fct_membership_year drop column vt_share")
        con.sql("delete from marts.fct_dmw_norm_year")
    with duckdb.connect(str(path), read_only=True) as con:
        vt = render_dashboard("vt_share", con, INFO)
        norms = render_dashboard("dmw_norms", con, INFO)
    assert "de tabel marts.fct_membership_year mist de kolom(men) vt_share" in vt
    assert "de tabel marts.fct_dmw_norm_year is nog leeg" in norms


def test_responsabilisering_per_basis_and_indicator_norms(tmp_path):
    """The real marts carry more than the minimum: a basis (computed / published_replay) per row of
    the responsabilisering and a norm per indicator. Each basis gets its own view, never summed."""
    path = write_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.sql("alter table marts.fct_zorgkas_responsabilisering_year add column basis varchar default 'computed'")
        con.sql(
            "insert into marts.fct_zorgkas_responsabilisering_year select year, zorgkas_code, global_score, "
            "pot_eur, 0, 0, 0, 'published_replay' from marts.fct_zorgkas_responsabilisering_year"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        charts = build_page("zorgkas_scorecard", con).charts
    indicator, _, resp, _ = (c.figure for c in charts)
    assert any(t.name == "Norm (minimumscore)" and set(t.y) == {0.95} for t in indicator.data)
    bars = [t for t in resp.data if t.type == "bar"]
    assert len(bars) == 2 * len(ZORGKASSEN) and sum(1 for t in bars if t.visible) == len(ZORGKASSEN)
    labels = [b.label for b in resp.layout.updatemenus[0].buttons]
    assert labels == ["berekend uit de indicatorscores", "gepubliceerde uitkomst herhaald"]


def test_scorecard_flags_below_norm_indicators_with_their_failing_rows(warehouse):
    """Issue 17: below-norm bars are hatched, outlined in red and marked ✗ (with a legend entry);
    the list under the chart gives each one's failing rows, three most frequent reasons and the
    workbook sheet; the hover adds what the bar does not show instead of repeating its label."""
    indicator_names = [r["short_name_nl"] for r in seed_rows("zorgkas/zorgkas_indicator_weights.csv", WEIGHTS_SEED)]

    with duckdb.connect(str(warehouse), read_only=True) as con:
        indicator, global_score, _, production = build_page("zorgkas_scorecard", con).charts
    bars = [t for t in indicator.figure.data if t.type == "bar" and t.x != (None,)]
    hatched = {
        (t.hovertemplate.split(" · ")[-1][:4], t.name, x)
        for t in bars
        for x, shape in zip(t.x, t.marker.pattern.shape)
        if shape == "x"
    }
    assert hatched == {("2022", "180 CM zorgkas", "I4"), ("2023", "380 Socialistische zorgkas", "I5")}
    for t in bars:
        for x, shape, text, width in zip(t.x, t.marker.pattern.shape, t.text, t.marker.line.width):
            assert (text == "✗") == (shape == "x") == (width == 3), (t.name, x)
    assert [t.name for t in indicator.figure.data if t.x == (None,)] == ["✗ Onder de norm (gearceerd, rood omrand)"]

    # 380 I5 in 2023: population - compliant failing payments, two causes (dates left out)
    row = next(r for r in zorgkas_rows()[0] if (r["year"], r["zorgkas_code"], r["indicator"]) == (2023, "380", "I5"))
    missed = row["population"] - row["compliant"]
    first = sum(1 for n in range(missed) if n % 3)
    assert f'data-zorgkas="380" data-indicator="I5" data-failing="{missed}"' in indicator.html
    assert f"<strong>{missed} niet-conforme betalingen</strong>" in indicator.html
    assert f"“payment for …, before the right starts on …” ({first}×)" in indicator.html
    assert "werkblad <code>zorgkas_failing_rows</code> van <code>exports/2023/inspection/inspection.xlsx</code>" in (
        indicator.html
    )
    assert indicator.html.count('data-status="below-norm"') == 2
    hover = next(t for t in bars if t.name == "380 Socialistische zorgkas" and t.visible)
    i5 = hover.customdata[list(hover.x).index("I5")]
    assert "✗" in i5[2] and "onder de norm van 95 %" in i5[2] and "werkblad zorgkas_failing_rows" in i5[4]
    texts = " ".join(str(c) for t in indicator.figure.data for c in (t.customdata or ()))
    assert indicator_names and not [d for d in indicator_names if d in texts], "the hover repeats the tick label"

    # global score: the axis starts at 90 % (not at the lowest score), the norm is drawn, failing years get ✗
    low, high = global_score.figure.layout.yaxis.range
    assert low == 0.90 and high > 1.0
    assert [shape.y0 for shape in global_score.figure.layout.shapes] == [0.95]
    crosses = {
        (t.name, x)
        for t in global_score.figure.data
        if t.x != (None,)
        for x, symbol in zip(t.x, t.marker.symbol)
        if symbol == "x"
    }
    assert crosses == {("180 CM zorgkas", "2022"), ("380 Socialistische zorgkas", "2023")}

    assert production.figure is None and production.html.count('<tr class="own" data-own="true"') == 3
    assert "berekend uit de aangeleverde gegevens; werkingsmiddelen gepubliceerd" in production.html
    assert "1,0 % van de gepubliceerde van 2020" in production.note


def test_the_own_zorgkas_is_read_from_the_seed_not_a_literal(tmp_path):
    """Make 180 the own zorgkas in reference.zorgkassen: the thick line and the membership page's
    zorgkas colour follow the seed."""
    path = write_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.sql("update reference.zorgkassen set is_own = (zorgkas_code = '180')")
    with duckdb.connect(str(path), read_only=True) as con:
        global_score = build_page("zorgkas_scorecard", con).charts[1].figure
        membership = build_page("membership", con).charts[-1].figure
    widths = {t.name: t.line.width for t in global_score.data if t.x != (None,)}
    assert widths["180 CM zorgkas"] == 4 and widths["380 Socialistische zorgkas"] == 2
    assert {t.marker.color for t in membership.data} == {palette.zorgkas_colour("180")}


def test_dashboard_columns_exist_in_the_mart_contracts():
    """The columns read here are documented in the marts' yml (for the marts that exist already)."""
    import yaml

    documented: dict[str, set[str]] = {}
    for yml in (REPO / "dbt_project" / "models" / "marts").glob("*/*.yml"):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            documented[f"marts.{model['name']}"] = {c["name"] for c in model.get("columns", [])}
    checked = 0
    for table, columns in REQUIRED_COLUMNS.items():
        if table in documented:
            assert set(columns) <= documented[table], f"{table}: {sorted(set(columns) - documented[table])}"
            checked += 1
    assert checked == len(REQUIRED_COLUMNS), "a mart read by the dashboards has no yml (renamed?)"


# -- the Dagster assets -----------------------------------------------------------------------------


def test_dashboard_assets_render_into_mutwh_home(home):
    from orchestration.defs.publish.dashboards import dashboard_assets
    from orchestration.resources import WarehouseResource

    write_fixture_warehouse(home / "warehouse.duckdb")
    keys = {key for a in dashboard_assets for key in a.keys}
    assert keys == {dg.AssetKey(["dashboards", d.name]) for d in DASHBOARDS} | {dg.AssetKey(["dashboards", "index"])}
    for asset in dashboard_assets:
        spec = next(iter(asset.specs))
        assert spec.group_name == "dashboards"
        if spec.key.path[1] != "index":
            assert asset.op.pool == "warehouse"
            assert any(dep.asset_key.path[0] == "marts" for dep in spec.deps)
    result = dg.materialize(
        dashboard_assets,
        resources={"warehouse": WarehouseResource(home=str(home))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    folder = home / "dashboards"
    assert sorted(p.name for p in folder.iterdir()) == sorted([INDEX, *(d.filename for d in DASHBOARDS)])
    membership = (folder / "membership.html").read_text(encoding="utf-8")
    assert result.run_id in membership
    metadata = {e.asset_key.path[1]: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert metadata["membership"]["path"].value == str(folder / "membership.html")
    assert metadata["index"]["path"].value == str(folder / INDEX)
