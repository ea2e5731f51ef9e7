"""The Dagster UI and the dashboards in a real browser (headless Chromium).

The Dagster UI is a JavaScript app: a plain HTTP GET returns an empty shell, so the pages are
rendered by Chromium itself (``--dump-dom`` after ``--virtual-time-budget``: the DOM once the app has
settled) and screenshotted to ``$MUTWH_HOME/screenshots/``. No Python browser driver is needed.

Run: ``.venv/bin/python -m pytest -q -m browser tests/test_ui_browser.py``.
Regenerate the README screenshots: ``.venv/bin/python tests/test_ui_browser.py`` (writes
``docs/dashboards.png`` and ``docs/scorecard.png`` from the fixture warehouse of ``tests/test_dashboards.py``).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

# Also runnable as a script (see the module docstring): the tests folder and the repository on the path.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from conftest import REPO, ensure_dbt_manifest, stop_process_group  # noqa: E402
from support.browser import CHROMIUM, render_in_chromium, visible_text  # noqa: E402
from support.pipeline import mutwh_env  # noqa: E402

ERROR_TEXT = re.compile(
    r"\bError\b|Something went wrong|Unexpected GraphQL error|could not be loaded|"
    r"DagsterUserCodeLoadError|Failed to load"
)
STARTUP_SECONDS = 90
WORKSPACE_QUERY = (
    "{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError { "
    "__typename ... on PythonError { message } } } } } }"
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"headless Chromium not installed ({CHROMIUM} is missing; Debian package 'chromium')",
    ),
]


# -- the Dagster webserver -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post_graphql(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def ui_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("ui") / "home"
    (home / "dagster").mkdir(parents=True)
    from orchestration.instance import DAGSTER_YAML

    (home / "dagster" / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    return home


@pytest.fixture(scope="module")
def webserver(ui_home):
    """``dagster-webserver -m orchestration.definitions`` on a free port, with DAGSTER_HOME and
    MUTWH_HOME in a temporary directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MUTWH_HOME", str(ui_home))
        ensure_dbt_manifest()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = mutwh_env(ui_home)
    executable = Path(sys.executable).parent / "dagster-webserver"
    log = (ui_home / "webserver.log").open("wb")
    process = subprocess.Popen(
        [
            str(executable if executable.exists() else "dagster-webserver"),
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"dagster-webserver exited ({process.returncode}):\n"
                    + (ui_home / "webserver.log").read_text(errors="replace")[-3000:]
                )
            try:
                with urllib.request.urlopen(f"{base}/server_info", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dagster-webserver did not answer /server_info within {STARTUP_SECONDS} s")
            time.sleep(0.5)
        # A code location that fails to load leaves the UI empty without a banner: say why here.
        workspace = _post_graphql(base, WORKSPACE_QUERY)["data"]["workspaceOrError"]
        for entry in workspace.get("locationEntries", []):
            error = entry["locationOrLoadError"]
            if error and error["__typename"] == "PythonError":
                pytest.fail(f"code location {entry['name']} did not load: {error['message']}")
        # The UI opens a "join the community" dialog over every page of a new instance on
        # 127.0.0.1; mark it seen, as clicking "Skip" would.
        assert _post_graphql(base, "mutation { setNuxSeen }")["data"]["setNuxSeen"] is True
        yield base
    finally:
        stop_process_group(process)
        log.close()


def assert_no_error_banner(text: str, page: str) -> None:
    match = ERROR_TEXT.search(text)
    if match:
        context = text[max(match.start() - 200, 0) : match.end() + 200]
        pytest.fail(f"{page}: error text {match.group(0)!r} in: …{context}…")


# -- tests ---------------------------------------------------------------------------------------


def test_asset_catalog_lists_the_assets(webserver, ui_home):
    selection = 'key:"raw/members" or key:"staging/stg_members__affiliation_periods" or key:"dashboards/index"'
    url = f"{webserver}/assets?asset-selection={urllib.parse.quote(selection)}"
    text = visible_text(render_in_chromium(url, ui_home / "screenshots" / "dagster_asset_catalog.png"))
    assert "raw / members" in text
    assert "stg_members__affiliation_periods" in text
    assert "dashboards / index" in text
    assert "orchestration.definitions" in text  # the code location loaded
    assert_no_error_banner(text, "asset catalog")


def test_asset_lineage_shows_the_groups(webserver, ui_home):
    shots = ui_home / "screenshots"
    text = visible_text(render_in_chromium(f"{webserver}/asset-groups", shots / "dagster_lineage.png"))
    for group in ("landing", "raw", "staging", "reference", "exports", "dashboards"):
        assert re.search(rf"\b{group}\b", text), f"asset group {group} missing from the lineage page"
    assert_no_error_banner(text, "lineage")


def test_jobs_schedules_and_sensor_are_listed(webserver, ui_home):
    shots = ui_home / "screenshots"
    text = visible_text(render_in_chromium(f"{webserver}/automation", shots / "dagster_automation.png"))
    for name in ("dmw_monthly_schedule", "annual_report_schedule", "landing_sensor"):
        assert name in text, f"{name} missing from the automation page"
    assert_no_error_banner(text, "automation")
    text = visible_text(render_in_chromium(f"{webserver}/jobs", shots / "dagster_jobs.png"))
    for job in ("ingest", "annual_report", "dmw_monthly"):
        assert re.search(rf"\b{job}\b", text), f"job {job} missing from the jobs page"
    assert_no_error_banner(text, "jobs")


@pytest.fixture(scope="module")
def dashboards_folder(ui_home) -> Path:
    import duckdb
    from support.dashboard_warehouse import INFO, write_fixture_warehouse

    from dashboards.pages import render_all

    warehouse = write_fixture_warehouse(ui_home / "fixture" / "warehouse.duckdb")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        render_all(con, ui_home / "dashboards", INFO)
    return ui_home / "dashboards"


@pytest.mark.parametrize(
    "name, title",
    [
        ("membership", "Leden per ziekenfonds"),
        ("zorgkas_scorecard", "Score per indicator en zorgkas"),
        ("dmw_norms", "Erkenningsnormen per DMW"),
    ],
)
def test_dashboard_charts_render_offline(dashboards_folder, ui_home, name, title):
    """Opened from disk (file://, no server, no network), plotly.js draws every chart."""
    import duckdb

    from dashboards.pages import build_page

    dom = render_in_chromium(
        (dashboards_folder / f"{name}.html").as_uri(),
        ui_home / "screenshots" / f"dashboard_{name}.png",
        window="1400,2400",
    )
    with duckdb.connect(str(ui_home / "fixture" / "warehouse.duckdb"), read_only=True) as con:
        charts = [c for c in build_page(name, con).charts if c.figure is not None]
    plots = re.findall(r'class="[^"]*\bjs-plotly-plot\b', dom)
    assert len(plots) == len(charts), f"{name}: {len(plots)} of {len(charts)} charts drawn"
    assert dom.count('class="main-svg"') >= len(charts)
    # The title is drawn by plotly.js inside the SVG (it is not in the page's HTML text).
    assert re.search(rf'class="gtitle"[^>]*>.*?{re.escape(title)}', dom, flags=re.S), f"{name}: title not drawn"
    assert_no_error_banner(visible_text(dom), name)


def test_index_links_open(dashboards_folder, ui_home):
    dom = render_in_chromium(
        (dashboards_folder / "index.html").as_uri(), ui_home / "screenshots" / "dashboard_index.png", window="1000,600"
    )
    links = re.findall(r'href="([^"]+\.html)"', dom)
    # The data catalog is written by `make docs`, not by a run (tests/journeys/test_make_docs.py).
    assert "../docs/index.html" in links
    links.remove("../docs/index.html")
    assert links and all((dashboards_folder / link).exists() for link in links)


def test_scorecard_shows_indicators_below_their_norm_in_the_failing_style(dashboards_folder, ui_home):
    """Issue 17: on the scorecard as Chromium draws it, an indicator below its norm stands out -
    hatched bar with a ✗ and a legend entry in the chart, a red ✗ item in the list under it with its
    failing rows, reasons and workbook sheet - and the others do not carry that style."""
    shot = ui_home / "screenshots" / "dashboard_zorgkas_scorecard_norms.png"
    dom = render_in_chromium((dashboards_folder / "zorgkas_scorecard.html").as_uri(), shot, window="1100,1000")

    # fixture of test_dashboards: 380 below the norm on I5 in 2023, 180 on I4 in 2022, nothing else
    flagged = re.findall(
        r'<li class="below-norm" data-status="below-norm" data-zorgkas="(\d+)" '
        r'data-indicator="(I\d)" data-failing="(\d+)"',
        dom,
    )
    assert [(code, indicator) for code, indicator, _ in flagged] == [("380", "I5"), ("180", "I4")]
    assert all(int(failing) > 0 for _, _, failing in flagged)
    assert dom.count('data-status="meets-norm"') == 1  # 2021: "Geen indicator onder de norm"
    assert "werkblad <code>zorgkas_failing_rows</code> van <code>exports/2023/inspection/inspection.xlsx</code>" in dom
    assert re.search(r"\.below-norm\{color:#c62828\}", dom)
    # drawn by plotly.js: the legend entry, the ✗ on the bar of the latest year and the hatching
    assert re.search(r'class="legendtext"[^>]*>✗ Onder de norm', dom)
    assert len(re.findall(r'class="bartext[^"]*"[^>]*>.{0,200}?✗', dom, flags=re.S)) >= 1
    assert re.search(r"<pattern\b", dom), "no hatching pattern drawn"
    # the production table: the own zorgkas' rows highlighted, the origin of every row shown
    own_rows = re.findall(r'<tr class="own" data-own="true" data-origin="([^"]*)"', dom)
    assert own_rows and all("380" in row for row in re.findall(r'<tr class="own".*?</tr>', dom, flags=re.S))
    assert {"published", "computed"} <= {origin.split(";")[0] for origin in own_rows}
    assert_no_error_banner(visible_text(dom), "zorgkas_scorecard")


def test_dmw_page_marks_every_norm_not_met_with_a_cross_in_red(dashboards_folder, ui_home):
    """Issue 17: on the DMW page as Chromium draws it, every norm a DMW does not meet in the shown
    year, and every norm behind schedule in the shown month, carries the ✗ (on red, with a legend
    entry), every other cell the ✓: the counts of the fixture's marts, cell for cell."""
    import duckdb

    shot = ui_home / "screenshots" / "dashboard_dmw_norms_failing.png"
    dom = render_in_chromium((dashboards_folder / "dmw_norms.html").as_uri(), shot, window="1200,1400")
    with duckdb.connect(str(ui_home / "fixture" / "warehouse.duckdb"), read_only=True) as con:
        year, month = con.execute(
            "select max(year), max(month) from marts.fct_dmw_norm_month "
            "where year = (select max(year) from marts.fct_dmw_norm_month)"
        ).fetchone()
        not_met, met = con.execute(
            "select count(*) filter (where not met), count(*) filter (where met) "
            "from marts.fct_dmw_norm_year where year = ?",
            parameters=[year],
        ).fetchone()
        behind, on_track = con.execute(
            "select count(*) filter (where not on_track), count(*) filter (where on_track) "
            "from marts.fct_dmw_norm_month where year = ? and month = ?",
            parameters=[year, month],
        ).fetchone()
    assert not_met and behind, "the fixture must have norms not met"
    assert dom.count('data-unformatted="✗"') == not_met + behind
    assert dom.count('data-unformatted="✓"') == met + on_track
    assert re.search(r'class="legendtext"[^>]*>✗ niet behaald', dom)
    assert re.search(r'class="legendtext"[^>]*>✗ achter op schema', dom)
    assert_no_error_banner(visible_text(dom), "dmw_norms")


def _fixture_dashboard_screenshot(page: str, target: Path, window: str) -> Path:
    """The top of one dashboard, rendered from the fixture warehouse, as a PNG at ``target``."""
    import duckdb
    from support.dashboard_warehouse import INFO, write_fixture_warehouse

    from dashboards.pages import render_all

    with tempfile.TemporaryDirectory() as tmp:
        warehouse = write_fixture_warehouse(Path(tmp) / "warehouse.duckdb")
        with duckdb.connect(str(warehouse), read_only=True) as con:
            render_all(con, Path(tmp) / "dashboards", INFO)
        render_in_chromium((Path(tmp) / "dashboards" / f"{page}.html").as_uri(), target, window=window)
    return target


def write_docs_screenshot(target: Path = REPO / "docs" / "dashboards.png") -> Path:
    """The README picture: the top of the membership dashboard from the fixture warehouse."""
    return _fixture_dashboard_screenshot("membership", target, "1200,760")


def write_scorecard_screenshot(target: Path = REPO / "docs" / "scorecard.png") -> Path:
    """The top of the zorgkas scorecard from the fixture warehouse: an indicator below its norm
    hatched and marked ✗, with the list of failing indicators under the chart."""
    return _fixture_dashboard_screenshot("zorgkas_scorecard", target, "1100,1000")


if __name__ == "__main__":
    for path in (write_docs_screenshot(), write_scorecard_screenshot()):
        print(f"{path}: {path.stat().st_size // 1024} KiB")
