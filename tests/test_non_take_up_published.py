"""Slow acceptance test (``make test-slow``, SPEC §5b): the solidaris profile at scale 1.0 for
2021-2023, through the whole pipeline, gives in ``exports/<year>/non_take_up/`` the published rates
of seed 002 §15-16 (read from sources/reference/key_facts_other.csv): about 250 000 mailed members
a year, 15 % of them with VT within the year, and the renewal funnel 91 / 94 / 6 / 3 / 0.8 %, each
rate within ±0.5 point. Shares the scale-1.0 build of conftest.solidaris_scale_1 with the other
published-figure tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import require_fresh_manifest

REFERENCE = Path(__file__).resolve().parents[1] / "sources" / "reference" / "key_facts_other.csv"
TOLERANCE_POINTS = 0.5
MAILED_TOLERANCE = 0.01  # "ongeveer 250.000": a count, so a relative tolerance (±2 500)
# figure of key_facts_other.csv -> the column of the export it is compared with
RENEWAL_FIGURES = {
    "members whose right is extended automatically in June (about)": "auto_june_share",
    "members extended without contacting them, after the manual checks": "without_contact_share",
    "members contacted by letter in November": "letters_sent_share",
    "members without right at year end (about)": "without_right_at_year_end_share",
    "members finally without right to reimbursement (about)": "without_right_final_share",
}
MAILED_FIGURE = "members mailed per year (about)"
CONVERSION_FIGURE = "mailed members who have VT within a year"


def published() -> dict[str, float]:
    with REFERENCE.open(encoding="utf-8", newline="") as f:
        return {r["figure"]: float(r["value"]) for r in csv.DictReader(f) if r["source"].startswith("002_")}


def landsbond_row(path: Path, **key) -> dict:
    with path.open(encoding="utf-8", newline="") as f:
        return next(r for r in csv.DictReader(f) if all(r[k] == v for k, v in key.items()))


@pytest.mark.slow
def test_solidaris_profile_reproduces_the_published_non_take_up_rates(solidaris_scale_1):
    require_fresh_manifest(("fct_vt_take_up_year", "fct_right_renewal_year", "fct_vt_mailing_list"))
    assert solidaris_scale_1.exit_code == 0
    figures = published()
    problems, lines = [], []
    for year in solidaris_scale_1.years:
        folder = solidaris_scale_1.home / "exports" / str(year) / "non_take_up"
        take_up = landsbond_row(folder / "vt_take_up.csv", ziekenfonds_code="ALL", indicator="ALL")
        renewal = landsbond_row(folder / "right_renewal.csv", ziekenfonds_code="ALL")
        mailed, rate = int(take_up["mailed"]), float(take_up["conversion_rate"])
        shares = {column: float(renewal[column]) for column in RENEWAL_FIGURES.values()}
        lines.append(
            f"{year}: mailed {mailed}, conversion {100 * rate:.2f} % (follow-up complete: "
            f"{take_up['follow_up_complete']}), renewal population {renewal['population']}: "
            + " / ".join(f"{100 * shares[c]:.2f}" for c in RENEWAL_FIGURES.values())
            + " %"
        )
        if abs(mailed - figures[MAILED_FIGURE]) > MAILED_TOLERANCE * figures[MAILED_FIGURE]:
            problems.append(f"{year} mailed {mailed}, published about {figures[MAILED_FIGURE]:.0f}")
        if abs(100 * (rate - figures[CONVERSION_FIGURE])) > TOLERANCE_POINTS:
            problems.append(f"{year} conversion {100 * rate:.2f} %, published {100 * figures[CONVERSION_FIGURE]:.1f} %")
        for figure, column in RENEWAL_FIGURES.items():
            if abs(100 * (shares[column] - figures[figure])) > TOLERANCE_POINTS:
                problems.append(
                    f"{year} {column} {100 * shares[column]:.2f} %, published {100 * figures[figure]:.1f} %"
                )
    print("\n".join(lines))
    assert problems == [], "\n".join(problems + lines)
