"""One palette for every dashboard: a ziekenfonds, a zorgkas or a DMW has the same colour on every
chart, so a manager who learned "Antwerpen is blue" on one page reads the next page at a glance.

The codes are fixed by SPEC §4; a code that is not listed here (a new ziekenfonds in a seed) gets a
colour derived from its code, never from its position in a query result, so it is stable too.
"""

from __future__ import annotations

import zlib

# The code of the landsbond total row (ALL) and the prefix of a landsbond's DMW roll-up (LB_<code>).
from exports.labels import LANDSBOND_DMW_PREFIX, LANDSBOND_TOTAL

ZIEKENFONDS = {
    "SOL_ANT": "#1f77b4",
    "SOL_BRA": "#ff7f0e",
    "SOL_LIM": "#2ca02c",
    "SOL_OVL": "#9467bd",
    "SOL_WVL": "#17becf",
    "SOL_WAL": "#8c564b",
    "MSL_LUX": "#e377c2",
    LANDSBOND_TOTAL: "#222222",
}

# Zorgkassen, and the landsbond each belongs to: a DMW of another landsbond takes that colour.
ZORGKAS = {
    "180": "#3a5a98",
    "280": "#5c9e31",
    "380": "#d62728",  # the landsbond's own zorgkas
    "480": "#d4a017",
    "580": "#7f4fa8",
}
LANDSBOND = {
    "100": ZORGKAS["180"],
    "200": ZORGKAS["280"],
    "300": ZORGKAS["380"],
    "400": ZORGKAS["480"],
    "500": ZORGKAS["580"],
    "600": "#7f7f7f",
    "900": "#bcbd22",
}

MET = "#2e7d32"
NOT_MET = "#c62828"
NOT_APPLICABLE = "#bdbdbd"
PRO_RATA = "#555555"
WEIGHT = "#222222"
NORM = "#000000"  # the minimum score of an indicator, drawn across the bars

_FALLBACK = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
    "#af7aa1",
    "#bab0ac",
)


def _derived(code: str) -> str:
    return _FALLBACK[zlib.crc32(code.encode("utf-8")) % len(_FALLBACK)]


def ziekenfonds_colour(code: str) -> str:
    return ZIEKENFONDS.get(code) or _derived(code)


def zorgkas_colour(code: str) -> str:
    return ZORGKAS.get(code) or _derived(code)


def dmw_colour(dmw_code: str, ziekenfonds_code: str | None = None, landsbond_code: str | None = None) -> str:
    """A DMW of one of our ziekenfondsen takes the ziekenfonds colour; another landsbond's DMW the
    colour of that landsbond (= its zorgkas); a landsbond roll-up (``LB_<code>``) is dark."""
    if dmw_code.startswith(LANDSBOND_DMW_PREFIX):
        return ZIEKENFONDS[LANDSBOND_TOTAL]
    if ziekenfonds_code:
        return ziekenfonds_colour(ziekenfonds_code)
    if landsbond_code and landsbond_code in LANDSBOND:
        return LANDSBOND[landsbond_code]
    return _derived(dmw_code)


def ziekenfonds_order(codes) -> list[str]:
    """Known ziekenfondsen in SPEC order, then unknown ones sorted, the landsbond total last."""
    known = [c for c in ZIEKENFONDS if c in set(codes) and c != LANDSBOND_TOTAL]
    return known + sorted(set(codes) - set(ZIEKENFONDS))
