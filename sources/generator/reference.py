"""Published figures read from ``sources/reference/`` at run time.

The generator calibrates against these files rather than typed copies, so that a corrected
transcription changes the synthetic landing zone without touching code.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"
# The DMW norm parameters are user-editable seeds; the generator sizes DMW activity on them.
DMW_NORMS_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "dmw" / "dmw_norms.csv"

# Printed names of the ziekenfondsen (solidaris_ziekenfondsen_2021.csv) -> contract codes.
ZIEKENFONDS_BY_NAME = {
    "Solidaris Antwerpen": "SOL_ANT",
    "Solidaris Brabant": "SOL_BRA",
    "Solidaris Limburg": "SOL_LIM",
    "Solidaris Oost-Vlaanderen": "SOL_OVL",
    "Solidaris West-Vlaanderen": "SOL_WVL",
    "Solidaris Wallonie": "SOL_WAL",
    "Mutualité Socialiste du Luxembourg": "MSL_LUX",
}
# Transcription keys of the landsbond's erkende DMW (dmw_vte_2024.csv) -> contract codes.
DMW_BY_KEY = {
    "solidaris_antwerpen": "DMW_SOL_ANT",
    "solidaris_brabant": "DMW_SOL_BRA",
    "solidaris_limburg": "DMW_SOL_LIM",
    "solidaris_oost_vlaanderen": "DMW_SOL_OVL",
    "solidaris_west_vlaanderen": "DMW_SOL_WVL",
}


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def leden_per_ziekenfonds_2021() -> dict[str, int]:
    """Leden per ziekenfonds code in 2021, as printed on the map of the 2021 annual report."""
    return {
        ZIEKENFONDS_BY_NAME[r["entity"]]: int(r["leden"])
        for r in _rows("solidaris_ziekenfondsen_2021.csv")
        if r["entity_type"] == "ziekenfonds"
    }


@cache
def key_figures() -> dict[tuple[int, str], float]:
    """(year, metric) -> value of solidaris_key_figures.csv."""
    return {(int(r["year"]), r["metric"]): float(r["value"]) for r in _rows("solidaris_key_figures.csv")}


def key_figure_years(metric: str) -> dict[int, float]:
    """Published (or transcription-derived) values of one metric per year."""
    return {year: value for (year, m), value in key_figures().items() if m == metric}


@cache
def own_zorgkas_dossiers_per_year() -> dict[str, float]:
    """Average yearly handled dossiers per pillar of zorgkas 380 over the published years."""
    rows = [r for r in _rows("zorgkas_members_and_dossiers.csv") if r["zorgkas_code"] == "380"]
    return {
        pillar.upper(): sum(float(r[f"dossiers_{pillar}"]) for r in rows) / len(rows)
        for pillar in ("zzb", "zoz", "bob")
    }


@cache
def own_dmw_vte() -> dict[str, float]:
    """VTE of the landsbond's five erkende DMW (2024 decree, used for every year)."""
    return {
        DMW_BY_KEY[r["dmw_key"]]: float(r["vte"])
        for r in _rows("dmw_vte_2024.csv")
        if r["row_type"] == "erkende_dmw" and r["dmw_key"] in DMW_BY_KEY
    }


@cache
def finance_rows() -> dict[int, list[tuple[str, str, float]]]:
    """Published (entity, rubric, amount) rows per year, entity and rubric as printed."""
    out: dict[int, list[tuple[str, str, float]]] = {}
    for name in ("solidaris_finance_2021.csv", "solidaris_finance_2022_2023.csv"):
        for r in _rows(name):
            out.setdefault(int(r["year"]), []).append((r["entity"], r["rubric"], float(r["amount_eur"])))
    return out


@cache
def staff_department_rows() -> dict[int, list[tuple[str, float]]]:
    """Published (department, vte) rows per year; totals are left out (the warehouse sums)."""
    out: dict[int, list[tuple[str, float]]] = {}
    for r in _rows("solidaris_staff_fte_2023.csv"):
        if r["row_type"] == "department":
            out.setdefault(int(r["year"]), []).append((r["department"], float(r["vte"])))
    return out


@cache
def zorgkas_premiums() -> dict[int, tuple[float, float]]:
    """Year -> (full, reduced) zorgkas premium in EUR from the table at the end of
    RESPONSABILISERING.md. A cell such as ``26.5?`` is read as its number."""
    text = (REFERENCE_DIR / "RESPONSABILISERING.md").read_text(encoding="utf-8")
    table = text.split("## Yearly premium", 1)[1]
    out = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].isdigit():
            full, reduced = (float(re.match(r"[\d.]+", c).group()) for c in cells[1:3])
            out[int(cells[0])] = (full, reduced)
    return out


def premium_for_year(year: int) -> tuple[float, float]:
    """The premium of ``year``, or of the nearest year in the table."""
    table = zorgkas_premiums()
    nearest = min(table, key=lambda y: (abs(y - year), y))
    return table[nearest]


@cache
def dmw_norms_per_vte() -> dict[str, float]:
    """Per-VTE norm parameters of the seed ``dmw_norms`` (working assumptions until the regulation's
    values are known), so that the generated DMW volumes follow whatever the users put there."""
    with open(DMW_NORMS_SEED, newline="", encoding="utf-8") as handle:
        return {r["norm_code"]: float(r["parameter"]) for r in csv.DictReader(handle) if r["kind"] == "PER_VTE"}


# Figures of seed 002 (sections 15 and 16) that calibrate the non-take-up sources, by the name
# under which key_facts_other.csv transcribes them.
NON_TAKE_UP_FIGURES = {
    "mailed_per_year": "members mailed per year (about)",
    "converted_within_year": "mailed members who have VT within a year",
    "auto_june": "members whose right is extended automatically in June (about)",
    "without_contact": "members extended without contacting them, after the manual checks",
    "letters_sent": "members contacted by letter in November",
    "without_right_at_year_end": "members without right at year end (about)",
    "without_right_final": "members finally without right to reimbursement (about)",
}


@cache
def non_take_up_figures() -> dict[str, float]:
    """The published non-take-up figures of seed 002 (SPEC §5b) keyed as in NON_TAKE_UP_FIGURES;
    a missing or duplicated transcription is an error, not a silent default."""
    rows = [r for r in _rows("key_facts_other.csv") if r["source"].startswith("002_")]
    out = {}
    for key, figure in NON_TAKE_UP_FIGURES.items():
        values = [float(r["value"]) for r in rows if r["figure"] == figure]
        if len(values) != 1:
            raise ValueError(
                f"key_facts_other.csv: expected one row of seed 002 with figure {figure!r}, found {len(values)}"
            )
        out[key] = values[0]
    return out
