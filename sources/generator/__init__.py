"""Synthetic landing zone (SPEC §4) for a landsbond the size of Solidaris at ``scale=1.0``.

``generate`` builds a year-end person model (``population``), then streams every source of the
contract to ``out_dir/<source>/`` chunk by chunk, with optional defects for ingestion to catch,
and writes ``_generator_manifest.json``. Same arguments give byte-identical files. It replaces only
the files it generated itself: a folder holding anything else is refused, untouched.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tqdm import tqdm

from sources.contract import OWN_DMW, SOURCES, ZIEKENFONDSEN

from .dmw import DmwSources
from .non_take_up import NonTakeUpSources
from .persons import PersonSources
from .population import build_population
from .published import write_finance, write_staff_departments
from .targets import PROFILES, year_end_targets
from .writer import FORMATS, ForeignFilesError, SourceSink, clear_generated, write_manifest
from .zorgkas import ZorgkasSources

__all__ = ["FORMATS", "PROFILES", "ForeignFilesError", "generate"]

CHUNK_PERSONS = 250_000
PUBLISHED_SOURCES = ("finance_ledger", "staff_departments")
MONTHLY_SOURCES = ("dmw_registrations", "dmw_proactive_actions", "dmw_housing_advice", "dmw_aid_loans")
PER_ZIEKENFONDS_SOURCES = ("members", "vt_periods", "zorgkas_affiliations", "member_indicators")
PER_DMW_SOURCES = ("dmw_personal_alarms", "dmw_staff")


def _empty_suffix(source: str, first_year: int) -> str:
    """File suffix used when a source happens to have no rows (the folder still gets a file)."""
    if source in PER_ZIEKENFONDS_SOURCES:
        return ZIEKENFONDSEN[0]
    if source in PER_DMW_SOURCES:
        return OWN_DMW[0]
    return f"{first_year}-01" if source in MONTHLY_SOURCES else str(first_year)


def _check(years: list[int], scale: float, profile: str, fmt: str) -> list[int]:
    """The contiguous span of the requested years; raises ValueError on bad parameters."""
    if not years:
        raise ValueError("at least one year is needed")
    if not scale > 0:
        raise ValueError("scale must be positive")
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return list(range(min(years), max(years) + 1))


def generate(
    out_dir: Path,
    years: list[int],
    scale: float = 0.01,
    seed: int = 42,
    clean: bool = False,
    profile: str = "default",
    fmt: str = "parquet",
    progress: bool = True,
) -> dict:
    """Write DIR/<source>/<files> for every source of SPEC §4; return a summary dict
    {"sources": {name: {"files": [...], "rows": n}}, "defects": {source: {kind: count}}, "seconds": ...}.

    ``years`` is read as the span min..max. ``clean=True`` turns every defect off. ``profile``
    ``solidaris`` reproduces the published year-end counts exactly (scaled), ``default`` stays
    close to them. Files of an earlier generation are replaced; raises ``ForeignFilesError``, having
    deleted nothing, when ``out_dir`` holds any other file.
    """
    started = time.perf_counter()
    span = _check(list(years), scale, profile, fmt)
    out_dir = Path(out_dir)
    clear_generated(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = year_end_targets(profile, [span[0] - 1, *span], scale, seed)
    sinks = {
        name: SourceSink(
            name, out_dir, fmt, seed, defects=not clean and name not in PUBLISHED_SOURCES, last_year=span[-1]
        )
        for name in SOURCES
    }
    with tqdm(total=1, desc="generate", unit="step", file=sys.stderr, disable=not progress) as bar:
        pop = build_population(targets, seed)
        chunks = range(0, pop.size, CHUNK_PERSONS)
        bar.total = 1 + len(chunks) + 2 * len(span) + 2  # known once the persons exist
        bar.update(1)
        persons = PersonSources(pop, sinks, seed, defects=not clean)
        for lo in chunks:
            persons.write_chunk(lo, min(lo + CHUNK_PERSONS, pop.size))
            bar.update(1)
        ZorgkasSources(pop, sinks, seed, scale, defects=not clean).write(bar)
        DmwSources(pop, sinks, seed, scale, defects=not clean).write(bar)
        NonTakeUpSources(pop, sinks, seed, scale, defects=not clean).write(bar)
        write_finance(sinks["finance_ledger"], span)
        write_staff_departments(sinks["staff_departments"], span)
        bar.update(1)
    summaries = {name: sink.close(_empty_suffix(name, span[0])) for name, sink in sinks.items()}
    parameters = {"clean": clean, "format": fmt, "profile": profile, "scale": scale, "seed": seed, "years": span}
    manifest = write_manifest(out_dir, parameters, summaries)
    return {
        "sources": manifest["sources"],
        "defects": manifest["defects"],
        "seconds": round(time.perf_counter() - started, 3),
    }
