"""Year-end targets of the population model (leden per ziekenfonds, titularissen, VT).

The ``solidaris`` profile reproduces the published figures exactly (scaled and rounded); the
``default`` profile perturbs them slightly so that the data look like, not equal, the published
landsbond. Years without a publication are extrapolated geometrically from the nearest pair of
published years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sources.contract import ZIEKENFONDSEN

from . import calibration as cal
from . import reference
from .util import largest_remainder, rng_for, round_half_up

PROFILES = ("default", "solidaris")


@dataclass(frozen=True)
class Targets:
    """Targets at 31/12 of each model year (first entry: the year before the first generated year)."""

    years: list[int]
    leden: np.ndarray  # (years, ziekenfondsen)
    titularissen: np.ndarray  # (years,)
    vt_leden: np.ndarray  # (years,)


def _extrapolate(published: dict[int, float], year: int) -> float:
    """Published value, or geometric extrapolation from the nearest two published years."""
    if year in published:
        return published[year]
    known = sorted(published)
    if year < known[0]:
        first, second = known[0], known[1]
        return published[first] * (published[second] / published[first]) ** (year - first)
    last, before = known[-1], known[-2]
    return published[last] * (published[last] / published[before]) ** (year - last)


def full_scale_leden(year: int) -> np.ndarray:
    """Leden per ziekenfonds at full scale: 2021 as printed, other years the landsbond total
    distributed proportionally to 2021 with largest-remainder rounding."""
    per_zf = reference.leden_per_ziekenfonds_2021()
    weights = np.array([per_zf[z] for z in ZIEKENFONDSEN], dtype="float64")
    if year == 2021:
        return weights.astype("int64")
    total = int(round_half_up(_extrapolate(reference.key_figure_years("leden"), year)))
    return largest_remainder(total, weights)


def full_scale_total(metric: str, year: int) -> int:
    """Titularissen or vt_leden of the landsbond at full scale."""
    return int(round_half_up(_extrapolate(reference.key_figure_years(metric), year)))


def year_end_targets(profile: str, model_years: list[int], scale: float, seed: int) -> Targets:
    """Targets for every model year at ``scale`` (rounded half up)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    leden = np.array([full_scale_leden(y) for y in model_years], dtype="float64")
    tit = np.array([full_scale_total("titularissen", y) for y in model_years], dtype="float64")
    vt = np.array([full_scale_total("vt_leden", y) for y in model_years], dtype="float64")
    if profile == "default":
        rng = rng_for(seed, "targets")
        noise = cal.DEFAULT_PROFILE_NOISE
        leden *= 1 + rng.normal(0, noise, leden.shape)
        tit *= 1 + rng.normal(0, noise, tit.shape)
        vt *= 1 + rng.normal(0, noise, vt.shape)
    return Targets(
        years=list(model_years),
        leden=round_half_up(leden * scale),
        titularissen=round_half_up(tit * scale),
        vt_leden=round_half_up(vt * scale),
    )


def zorgkas_active_dossiers(year: int) -> float:
    """Published active zorgkas dossiers at 31/12, interpolated linearly between and beyond the
    published years (never below a third of the first published value)."""
    published = reference.key_figure_years("zorgkas_active_dossiers")
    known = sorted(published)
    first, last = known[0], known[-1]
    slope = (published[last] - published[first]) / (last - first)
    value = published[first] + slope * (year - first)
    return max(value, published[first] / 3)
