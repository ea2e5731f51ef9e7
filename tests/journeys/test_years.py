"""Journey: one reporting year published after a full load (issue 13 point 2).

`mutwh run --years 2023` publishes 2023 only, but computes with every loaded year: the 12-month
deltas of 2023 use 2022, and the dashboards keep 2021 and 2022.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

DELTAS = ("leden_delta_12m", "titularissen_delta_12m", "vt_leden_delta_12m")


def key_figures(home: Path, year: int) -> list[dict]:
    path = home / "exports" / str(year) / "annual_report" / "key_figures.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def workbook_notes(home: Path, year: int) -> str:
    book = openpyxl.load_workbook(home / "exports" / str(year) / "annual_report" / "annual_report.xlsx", read_only=True)
    return " ".join(str(v) for row in book["Toelichting"].iter_rows(values_only=True) for v in row if v is not None)


def test_one_year_keeps_deltas_of_the_full_run(demo_home, demo_copy):
    full = key_figures(demo_home, 2023)
    before_2022 = (demo_copy.mutwh_home / "exports" / "2022" / "annual_report" / "key_figures.csv").read_bytes()

    demo_copy.run(".venv/bin/mutwh run --years 2023", timeout=900)

    one_year = key_figures(demo_copy.mutwh_home, 2023)
    assert [{d: r[d] for d in DELTAS} for r in one_year] == [{d: r[d] for d in DELTAS} for r in full]
    assert all(r[d] != "" for r in one_year for d in DELTAS), one_year
    notes = workbook_notes(demo_copy.mutwh_home, 2023)
    assert "Ledencijfers" in notes and "2022 is niet geladen" not in notes
    # Only 2023 is published: the 2022 folder is the demo's, byte for byte.
    assert (demo_copy.mutwh_home / "exports" / "2022" / "annual_report" / "key_figures.csv").read_bytes() == before_2022
    # the dashboards were rendered again by this run, with every loaded year
    membership = (demo_copy.mutwh_home / "dashboards" / "membership.html").read_text(encoding="utf-8")
    assert "Rapporteringsperiode: toestand op 31 december, 2021–2023" in membership
