"""Journey: the monthly DMW run for a new month (issue 13 point 3). After `make demo` (2021-2023),
the January 2024 DMW files land and `mutwh run --job dmw_monthly --partition 2024-01-01` runs as
the schedule of 2 February would: the DMW dashboard and the inspection workbook show January 2024,
and the dashboard's "op schema" matrix offers every month in a menu, January 2024 first."""

from __future__ import annotations

import json
import shutil

import openpyxl

MONTHLY_SOURCES = ("dmw_registrations", "dmw_proactive_actions", "dmw_housing_advice", "dmw_aid_loans")


def menus(html: str) -> list[dict]:
    """The first menu of every Plotly figure of a page, as embedded in its JSON."""
    found, decoder, marker = [], json.JSONDecoder(), '"updatemenus":'
    start = html.find(marker)
    while start >= 0:
        menu, _ = decoder.raw_decode(html, start + len(marker))
        found.append(menu[0])
        start = html.find(marker, start + 1)
    return found


def test_dmw_monthly_refreshes_dashboard_and_workbook(demo_copy, tmp_path):
    home = demo_copy.mutwh_home
    page = home / "dashboards" / "dmw_norms.html"
    assert "januari 2024" not in page.read_text(encoding="utf-8")
    demo_copy.run(f".venv/bin/mutwh generate --years 2024 --scale 0.001 --seed 42 --out {tmp_path}/next --no-progress")
    for source in MONTHLY_SOURCES:
        for file in (tmp_path / "next" / source).glob("*_2024-01.*"):
            shutil.copy2(file, home / "landing" / source / file.name)

    demo_copy.run(".venv/bin/mutwh run --job dmw_monthly --partition 2024-01-01", timeout=900)

    assert (home / "exports" / "2024" / "dmw_monitoring" / "dmw_norms_2024-01.csv").exists()
    book = openpyxl.load_workbook(home / "exports" / "2024" / "inspection" / "inspection.xlsx", read_only=True)
    monthly = list(book["DMW-normen per maand"].iter_rows(values_only=True))
    assert "gegevens t.e.m. januari 2024" in monthly[0][0]  # the title row names the month loaded
    assert monthly[1][:2] == ("Jaar", "Maand")
    assert {(r[0], r[1]) for r in monthly[2:] if isinstance(r[0], int)} == {(2024, 1)}

    html = page.read_text(encoding="utf-8")
    assert "Op schema t.e.m. januari 2024" in html
    # the month menu of the op-schema matrix: one entry per loaded month, the latest one active
    month_menu = next(m for m in menus(html) if m["buttons"][0]["label"] == "januari 2021")
    labels = [b["label"] for b in month_menu["buttons"]]
    assert labels[-1] == "januari 2024" and "december 2023" in labels and len(labels) == 37
    assert month_menu["active"] == 36
