"""The landing zone in tests: a valid landing row of ``members``, one source ingested from
``<home>/landing`` into the home's warehouse with the test key, and the quarantine it wrote."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from sources.contract import SOURCES, Source
from sources.ingest import IngestResult, ingest_source

KEY = b"test-key"


def landing_member(insz: str, **overrides) -> dict:
    """A valid row of a ``members`` landing file (SPEC §4): a titularis of SOL_ANT since 2010, born
    30 July 1985, M; ``overrides`` change or spoil it."""
    row = {
        "insz": insz,
        "birth_date": "1985-07-30",
        "sex": "M",
        "postcode": "2000",
        "ziekenfonds_code": "SOL_ANT",
        "member_type": "TITULARIS",
        "titularis_insz": None,
        "affiliation_start": "2010-01-01",
        "affiliation_end": None,
    }
    return row | overrides


def ingest(home: Path, source: str | Source, allow_shrink: bool | None = None) -> IngestResult:
    """``ingest_source`` of one source, as the ingestion runs it for ``home``."""
    source = SOURCES[source] if isinstance(source, str) else source
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        return ingest_source(home / "landing", source, con, home / "quarantine", KEY, allow_shrink=allow_shrink)


def quarantine(home: Path, source: str) -> pl.DataFrame:
    """The quarantine file of ``source``, every value as text."""
    return pl.read_csv(home / "quarantine" / source / "quarantine.csv", separator=";", infer_schema=False)
