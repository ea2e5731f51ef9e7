"""The offline filter of `make docs` (orchestration/dbt_docs.py); the whole command is a journey
(tests/journeys/test_make_docs.py)."""

from __future__ import annotations

import re

from orchestration.dbt_docs import external_resources, make_offline

PAGE = """<html><head>
<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato:300,400,700">
<link href='//cdn.example.org/app.css' rel=stylesheet>
<link rel="icon" href="data:image/png;base64,AAAA">
<script src="https://cdn.jsdelivr.net/npm/angular@1/angular.min.js"></script>
<script>var inline = 1;</script>
<style>@import url("https://fonts.googleapis.com/css2?family=Inter");
body { font-family: Lato; background: url(https://example.org/bg.png) }</style>
</head><body><a href="https://docs.getdbt.com">dbt docs</a><img src="https://example.org/logo.png"></body></html>"""


def test_every_remote_resource_is_found():
    found = external_resources(PAGE)
    assert len(found) == 6, found
    assert not any("docs.getdbt.com" in f for f in found)  # a link the user may click is not a request


def test_offline_page_keeps_inline_content_and_links():
    page = make_offline(PAGE)
    assert external_resources(page) == []
    assert "var inline = 1;" in page and 'href="data:image/png;base64,AAAA"' in page
    assert '<a href="https://docs.getdbt.com">' in page
    assert "font-family: Lato" in page  # falls back to a system font


def test_local_images_stay():
    page = '<img src="https://example.org/x.png"><img src="logo.png">'
    assert make_offline(page) == '<img src="logo.png">'


def test_dashboards_index_links_the_page_make_docs_writes(tmp_path):
    from dashboards.pages import INDEX, render_index_page
    from orchestration.dbt_docs import DOCS_DIR
    from orchestration.dbt_docs import INDEX as DOCS_INDEX

    page = render_index_page("run-1")
    href = re.search(r'href="([^"]*docs[^"]*)"', page).group(1)
    dashboards = tmp_path / "dashboards"
    assert (dashboards / href).resolve() == (tmp_path / DOCS_DIR / DOCS_INDEX).resolve()
    assert "make docs" in page and INDEX == "index.html"
