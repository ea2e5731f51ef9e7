"""Looking for an INSZ in what the product writes (SPEC §4): in text, in bytes, and in every file,
table and log under a MUTWH_HOME. Used by test_privacy and the hostile-input tests."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from pathlib import Path

import duckdb
import polars as pl

from sources.contract import SOURCES
from sources.insz import is_valid_insz

ELEVEN_DIGITS = re.compile(r"\b\d{11}\b", re.ASCII)
# 11 digits standing alone between anything but letters and digits (in a CSV cell, a log line, ...)
INSZ_TOKEN = re.compile(r"(?<![0-9A-Za-z])\d{11}(?![0-9A-Za-z])")

DIGIT_RUNS = re.compile(r"\d{11,}", re.ASCII)
DIGIT_RUNS_BYTES = re.compile(rb"\d{11,}")
WORD = re.compile(r"\w", re.ASCII)


def find_insz(text: str, known: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Word-bounded 11-digit numbers that pass the INSZ check, plus any 11 digits in a row (even
    inside a longer token) that are one of the ``known`` INSZ. One pass over the text."""
    found = []
    for match in DIGIT_RUNS.finditer(text):
        run = match.group()
        bounded = not (match.start() and WORD.match(text[match.start() - 1])) and not (
            match.end() < len(text) and WORD.match(text[match.end()])
        )
        if len(run) == 11 and bounded and is_valid_insz(run):
            found.append(run)
        elif known:
            found.extend(run[i : i + 11] for i in range(len(run) - 10) if run[i : i + 11] in known)
    return found


def find_insz_bytes(data: bytes, known: frozenset[str] | set[str] = frozenset()) -> list[str]:
    found = []
    for match in DIGIT_RUNS_BYTES.finditer(data):
        start, end = match.start(), match.end()
        text = data[max(start - 1, 0) : end + 1].decode("latin-1")
        found.extend(find_insz(text if start else " " + text, known))
    return found


def assert_no_insz(text: str, where: str = "", known: frozenset[str] | set[str] = frozenset()) -> None:
    found = find_insz(text, known)
    assert not found, f"{where}: INSZ-like numbers {[f[:6] + '*****' for f in found]}"


def landing_insz(landing: Path) -> set[str]:
    """Every 11-digit value of every INSZ column in the landing zone, valid or not."""
    values: set[str] = set()
    for source in SOURCES.values():
        for path in sorted((landing / source.name).glob("*")):
            if path.suffix == ".parquet":
                frame = pl.read_parquet(path)
            elif path.suffix == ".csv":
                try:
                    frame = pl.read_csv(path, separator=";", infer_schema=False)
                except Exception:  # refused files are scanned as text below
                    values |= set(ELEVEN_DIGITS.findall(path.read_bytes().decode("utf-8", "replace")))
                    continue
            else:
                continue
            for column in (c for c in source.insz_columns if c in frame.columns):
                values |= {
                    v
                    for v in frame[column].cast(pl.String).drop_nulls().str.strip_chars()
                    if re.fullmatch(r"\d{11}", v)
                }
    return values


def warehouse_texts(path: Path) -> list[str]:
    """Every non-null value of every VARCHAR column of every table and view of the DuckDB file."""
    texts: list[str] = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.sql(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' order by all"
        ).fetchall()
        for schema, table, column in columns:
            texts.extend(
                v
                for (v,) in con.sql(
                    f'select distinct "{column}" from "{schema}"."{table}" where "{column}" is not null'
                ).fetchall()
            )
    return texts


def sqlite_texts(path: Path) -> list[str]:
    """Every text or blob value of every table of a sqlite file (Dagster's run and event storage)."""
    texts: list[str] = []
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for (table,) in con.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in con.execute(f'select * from "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        texts.append(value.decode("utf-8", "replace"))
                    elif isinstance(value, str):
                        texts.append(value)
    finally:
        con.close()
    return texts


def file_texts(path: Path) -> list[str]:
    """A file as text: XLSX (zip) members unzipped, sqlite rows read, anything else decoded."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
    if path.suffix == ".db":
        return sqlite_texts(path)
    return [path.read_bytes().decode("utf-8", "replace")]


def scan_home(home: Path, known: set[str], extra_texts: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Where an INSZ was found under ``home`` (landing excepted): {place: [masked findings]}."""
    findings: dict[str, list[str]] = {}

    def record(place: str, found: list[str]) -> None:
        if found:
            findings.setdefault(place, []).extend(sorted({f[:6] + "*****" for f in found}))

    if (home / "warehouse.duckdb").exists():
        record(
            "warehouse.duckdb (VARCHAR values)", find_insz("\n".join(warehouse_texts(home / "warehouse.duckdb")), known)
        )
    for path in sorted(p for p in home.rglob("*") if p.is_file() and "landing" not in p.relative_to(home).parts):
        place = str(path.relative_to(home))
        record(place + " (bytes)", find_insz_bytes(path.read_bytes(), known))
        if path.suffix in (".xlsx", ".db"):
            record(place, find_insz("\n".join(file_texts(path)), known))
    for place, text in (extra_texts or {}).items():
        record(place, find_insz(text, known))
    return findings
