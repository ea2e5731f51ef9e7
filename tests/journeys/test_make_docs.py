"""`make docs` as the README says: the dbt documentation of the built warehouse, opened offline.

The page is opened in headless Chromium with a network log (``--log-net-log``) and every request
it records is checked: the page may only load ``file:`` and in-page (``data:``, ``blob:``) resources.
A proxy that refuses every connection (``--proxy-server=127.0.0.1:9``) makes sure a request that is
attempted anyway cannot succeed and pass unnoticed as a rendered font or script.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support.browser import CHROMIUM, render_in_chromium, visible_text

from orchestration.dbt_docs import external_resources

pytestmark = pytest.mark.browser


def open_offline(url: str, screenshot: Path, net_log: Path, timeout: float = 120) -> str:
    """Load ``url`` in a fresh headless Chromium, recording its network log; return the settled DOM."""
    flags = ("--proxy-server=127.0.0.1:9", f"--log-net-log={net_log}", "--net-log-capture-mode=Default")
    return render_in_chromium(url, screenshot, timeout=timeout, extra_flags=flags)


def page_requests(net_log: Path) -> list[str]:
    """URLs the page asked for, from the browser's NetLog.

    A request the page makes carries the page's origin as initiator (``null`` for a ``file:`` page);
    the browser's own background requests (time sync, account checks: not the page's doing, and
    refused by the proxy) are marked ``not an origin``."""
    text = net_log.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log whose writer stopped before the closing brackets
        log = json.loads(text.rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [
        e["params"]["url"]
        for e in log["events"]
        if e["type"] == start_job and "url" in e.get("params", {}) and e["params"].get("initiator") != "not an origin"
    ]


# ~70 s on the shared 2-core machine (dbt docs generate ~40 s, Chromium ~25 s): make test-slow.
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless Chromium not installed ({CHROMIUM})")
def test_make_docs_writes_a_site_that_opens_offline(demo_copy, tmp_path):
    result = demo_copy.run("make docs", timeout=600)
    index = demo_copy.mutwh_home / "docs" / "index.html"
    assert f"dbt documentation: {index}" in result.stdout
    page = index.read_text(encoding="utf-8")
    assert external_resources(page) == []
    assert "fct_membership_year" in page and "Distinct persons with a members period" in page  # manifest inlined
    assert '"marts"' in page and "leden_delta_12m" in page  # catalog of the built warehouse inlined
    assert not list(demo_copy.mutwh_home.glob(".dbt-docs-*")), "scratch folder left behind"

    net_log = tmp_path / "netlog.json"
    dom = open_offline(f"{index.as_uri()}#!/model/model.mutwh.fct_membership_year", tmp_path / "dbt_docs.png", net_log)
    remote = [u for u in page_requests(net_log) if not u.startswith(("file:", "data:", "blob:"))]
    assert remote == [], f"the documentation page attempted network requests: {remote[:10]}"
    # The app rendered: its project tree lists the models (the page is blank when a script is missing).
    # The tree breaks long names with <wbr>, so the text is compared without white space.
    text = re.sub(r"\s+", "", visible_text(dom))
    assert "Lineage" in text and "fct_membership_year" in text and "fct_zorgkas_score_year" in text, text[:2000]
    # ... and the model page shows the yml descriptions of its columns.
    assert "Distinctpersonswithamembersperiodcovering31/12/Y" in text, text[:2000]
    assert (tmp_path / "dbt_docs.png").stat().st_size > 10_000

    dashboards_index = (demo_copy.mutwh_home / "dashboards" / "index.html").read_text(encoding="utf-8")
    assert 'href="../docs/index.html"' in dashboards_index
    assert (demo_copy.mutwh_home / "dashboards" / "../docs/index.html").resolve() == index.resolve()


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"headless Chromium not installed ({CHROMIUM})")
def test_the_network_check_sees_a_page_that_loads_from_the_internet(tmp_path):
    """The check above can fail: a page with a web font and a CDN script is caught."""
    page = tmp_path / "online.html"
    page.write_text(
        '<html><head><link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">'
        '<script src="https://cdn.jsdelivr.net/npm/angular@1/angular.min.js"></script></head>'
        "<body>online</body></html>",
        encoding="utf-8",
    )
    open_offline(page.as_uri(), tmp_path / "online.png", tmp_path / "netlog.json", timeout=60)
    assert page_requests(tmp_path / "netlog.json") == [
        "https://fonts.googleapis.com/css?family=Lato",
        "https://cdn.jsdelivr.net/npm/angular@1/angular.min.js",
    ]


def test_make_docs_without_a_warehouse_says_what_to_do(shell):
    result = shell.run("make docs", check=False, timeout=300)
    assert result.returncode != 0
    assert f"error: no warehouse at {shell.mutwh_home / 'warehouse.duckdb'}" in result.stderr
    assert "run `make demo` or `mutwh run` first" in result.stderr
    assert not (shell.mutwh_home / "docs" / "index.html").exists()
