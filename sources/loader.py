"""Read and validate landing files against the contract (SPEC §4), without touching the warehouse.

``validate_source`` is shared by ingestion (which then loads the accepted rows) and by
``mutwh validate`` (which only reports), so both apply exactly the same checks:
- file level: readable, UTF-8, ``;``-separated, required columns present — otherwise the file is
  refused with a message naming it;
- row level: types, codes, ranges, date order, values required or forbidden by a code in another
  column (``decided_on`` of right_renewals), INSZ check digits, duplicate keys across all files of
  the source, and for members the existence of the titularis — rejected rows carry file, row,
  columns and reason, with INSZ masked.

Row numbers are 1-based data rows (the header is not counted), for CSV and Parquet alike; messages
about the structure of a CSV file name the physical line instead (the header is line 1).

No message, warning or quarantine value ever shows an INSZ: INSZ columns are masked, and any run
of 11 or more digits elsewhere (an INSZ in the wrong column, glued to text as in ``klant_<INSZ>``,
in a file name, a header row that is really data) is redacted to its first six digits. Free-text
columns of accepted rows are scanned too: an INSZ there is masked in place and the row loaded with
a warning.

CSV dialect (SPEC §4, README "Landing zone"): UTF-8 (a BOM is allowed), ``;`` between values, LF
or CRLF line ends, one record per physical line. A value holding ``;`` or ``"`` may be enclosed in
``"`` with inner quotes doubled, on one line: a record never spans lines. A line whose quotes do
not follow that rule (``"senioren`` without its closing quote, ``5" scherm``) is quarantined with its
line number and the other lines load, so ``rows_in`` (the file's physical data lines) always equals
loaded + quarantined.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from sources.contract import MAX_DATE, MIN_DATE, SOURCES, Column, Source
from sources.sorted_levels import SortedLevels, sorted_distinct

log = logging.getLogger(__name__)

FILE_COL = "_source_file"
ROW_COL = "_source_row"
REASON_COL = "_reason"
SUFFIXES = (".csv", ".parquet")
CSV_SEPARATOR = ";"
_VALUE_PREVIEW = 40
# Longest value any column may hold (ids, names of rubrics or target groups are far shorter). A
# longer value is cut to this length before any check, so that a runaway line (a binary blob, a
# missing newline) costs memory once, not once per check, and is rejected as too long.
MAX_VALUE_LENGTH = 1000

# An INSZ anywhere in a text, glued to letters or not (``klant_85073003328``): any run of 11 or more
# digits (a longer run may hold one), or the print form with a separator after the birth date
# (85.07.30-033.28, 850730 033 28) not inside a longer digit run, so that ids such as
# ZK380-2013-0000002-202301 stay as they are. Polars' regex has no look-around: a digit run is
# matched from its first digit (leftmost-first), the print form's neighbours are captured.
_DIGIT_RUN = r"([0-9]{6})[0-9]{5,}"
_PRINT_BODY = r"([0-9]{2}[.]?[0-9]{2}[.]?[0-9]{2})[-. ][0-9]{3}[-. ]?[0-9]{2}"
_PRINT_FORM = rf"(^|[^0-9]){_PRINT_BODY}([^0-9]|$)"
_DIGIT_RUN_RE = re.compile(_DIGIT_RUN, re.ASCII)
_PRINT_FORM_RE = re.compile(rf"(?<![0-9]){_PRINT_BODY}(?![0-9])", re.ASCII)
INSZ_IN_TEXT = f"{_DIGIT_RUN}|{_PRINT_FORM}"


def redact_insz(text: str) -> str:
    """``text`` with every INSZ-like number cut to its birth-date part: ``850730*****``."""
    text = _DIGIT_RUN_RE.sub(lambda m: m.group(1) + "*****", text)
    return _PRINT_FORM_RE.sub(lambda m: m.group(1) + "*****", text)


def _redact_expr(expr: pl.Expr) -> pl.Expr:
    # twice: a print form's captured neighbour can be the start of the next one
    masked = expr.str.replace_all(_DIGIT_RUN, "${1}*****")
    return masked.str.replace_all(_PRINT_FORM, "${1}${2}*****${3}").str.replace_all(_PRINT_FORM, "${1}${2}*****${3}")


def shown(path: Path | str) -> str:
    """A path as it may be shown or stored: bytes that are not UTF-8 (a Latin-1 file name) escaped
    as ``\\xe9``, INSZ-like numbers masked."""
    return redact_insz(os.fsencode(str(path)).decode("utf-8", "backslashreplace"))


class FileRefused(Exception):
    """A whole landing file cannot be used; the message names the file and what is wrong."""

    def __init__(self, path: Path, reason: str):
        reason = redact_insz(reason)
        super().__init__(f"{shown(path)}: {reason}")
        self.path = path
        self.reason = reason


@dataclass
class SourceValidation:
    source: Source
    files: list[Path]
    accepted: pl.DataFrame  # typed contract columns (INSZ still raw) + lineage
    rejected: pl.DataFrame  # string columns (INSZ masked) + lineage + reason
    rows_in: int
    refused: list[FileRefused] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # accepted rows handed to ``on_accepted`` that a check across files rejected afterwards
    withdrawn: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={FILE_COL: pl.String, ROW_COL: pl.Int64})
    )
    # per file read: its label (as stored in _source_file), SHA-256 of the bytes read, rows_in
    file_records: list[dict] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return self.rejected.height


def is_landing_file(path: Path) -> bool:
    """The one rule for what is loaded (ingestion, validate, sensor, manifest): a regular file (or a
    link to one) directly in the source folder, suffix .csv or .parquet in any case, not hidden."""
    return path.suffix.lower() in SUFFIXES and not path.name.startswith(".") and path.is_file()


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def landing_files(landing_dir: Path, source: Source) -> list[Path]:
    folder = landing_dir / source.name
    if not folder.is_dir():
        return []
    return [p for p in _entries(folder) if is_landing_file(p)]


def ignored_entries(landing_dir: Path, source: Source) -> list[str]:
    """Warnings for what sits in a source folder but is not read, so that nothing is skipped unseen."""
    folder = landing_dir / source.name
    if not folder.is_dir():
        return []
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        return [f"{shown(folder)}: folder cannot be listed ({error.strerror}); give the pipeline's user read access"]
    warnings = []
    for other in entries:
        if other.is_symlink() and not other.exists():
            warnings.append(f"{shown(other)}: broken symbolic link ignored (its target does not exist)")
        elif other.is_dir():
            warnings.append(f"{shown(other)}: subfolder ignored, landing files belong directly in {shown(folder)}")
        elif other.name.startswith("."):
            warnings.append(f"{shown(other)}: hidden file ignored (an upload in progress or a system file)")
        elif other.suffix.lower() not in SUFFIXES:
            warnings.append(f"{shown(other)}: ignored, only .csv and .parquet files are read")
        elif not other.is_file():
            warnings.append(f"{shown(other)}: not a regular file (a device or pipe?), ignored")
    return warnings


def unknown_landing_entries(landing_dir: Path) -> list[str]:
    """Warnings for folders and files of the landing zone that belong to no source of the contract
    (a misspelt folder name would otherwise never be loaded). Names starting with ``_`` or ``.``
    (the generator's manifest, system files) are not reported."""
    if not landing_dir.is_dir():
        return []
    return [
        f"{shown(entry)}: not a source of the landing contract, not loaded (sources: {', '.join(SOURCES)})"
        for entry in _entries(landing_dir)
        if entry.name not in SOURCES and not entry.name.startswith(("_", "."))
    ]


def file_label(source: Source, path: Path) -> str:
    """``<source>/<file name>`` as stored in ``_source_file``, the quarantine and the manifest."""
    return shown(f"{source.name}/{path.name}")


LINE_PROBLEM_COL = "_line_problem"
# Rows checked at a time (validate_source): memory follows this, not the size of a landing file.
SLICE_ROWS = 1_000_000
_DISAPPEARED = "disappeared while being read (moved or deleted during the run)"
_CHANGED = "changed while being read (an upload still in progress?); run again once it is complete"
SMALL_FILE_ROWS = 100_000  # files below this are checked together (validate_source)
DUPLICATE_KEY_REASON = "duplicate key"
_CHUNK = 1 << 22


@dataclass
class _Scan:
    """What one buffered pass over a file's bytes tells: its hash and its physical lines."""

    sha256: str
    size: int
    lines: int  # physical lines, a last line without line end included
    quotes: bool
    stat: os.stat_result


def _scan(path: Path, text: bool) -> _Scan:
    """SHA-256 of the bytes as read, plus for CSV the line count and the dialect problems that no
    parser reports well: UTF-16, NUL bytes, CR-only line ends."""
    digest = hashlib.sha256()
    size = lf = cr = crlf = 0
    quotes = nul = False
    head = last = b""
    with open(path, "rb") as handle:
        stat = os.fstat(handle.fileno())
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            if not size:
                head = chunk[:4096]
            size += len(chunk)
            if text:
                lf += chunk.count(b"\n")
                crs = chunk.count(b"\r")
                if crs or last == b"\r":  # a two-byte count costs more than the hash: only where CRs are
                    cr += crs
                    crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
                quotes = quotes or b'"' in chunk
                nul = nul or b"\x00" in chunk
            last = chunk[-1:]
    lines = lf + (1 if size and last != b"\n" else 0)
    if text:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise FileRefused(
                path,
                f"file is UTF-16 (byte-order mark {head[:2].hex(' ').upper()}), as spreadsheet and PowerShell "
                "exports write; save it as CSV UTF-8 (';' separated)",
            )
        if nul and head.count(b"\x00") * 4 >= len(head):  # a stray NUL in UTF-8 text is a value's problem
            raise FileRefused(
                path,
                "file holds NUL bytes: it is UTF-16 without byte-order mark, or not text at all; "
                "save it as CSV UTF-8 (';' separated)",
            )
        if lf == 0 and cr > 0:
            raise FileRefused(path, "line ends are CR only (old Mac); save it as CSV UTF-8 with LF or CRLF line ends")
    return _Scan(digest.hexdigest(), size, lines, quotes, stat)


def _quote_problem(line: str, header: list[str]) -> str | None:
    """Why the quotes of one physical line break the dialect, or None. A ``"`` may only enclose a
    whole value (inner quotes doubled), opening and closing on the same line."""
    i, column, n = 0, 0, len(line)
    while True:
        name = header[column] if column < len(header) else f"field {column + 1}"
        if i < n and line[i] == '"':
            i += 1
            while True:
                close = line.find('"', i)
                if close < 0:
                    return (
                        f"{name}: a quoted value opens here and does not close on this line (a value cannot span "
                        "lines: a closing '\"' is missing, or remove the stray '\"')"
                    )
                if line.startswith('""', close):
                    i = close + 2
                    continue
                i = close + 1
                break
            if i < n and line[i] != CSV_SEPARATOR:
                return f"{name}: text after the closing '\"' of a quoted value (a '\"' inside a value must be doubled)"
        else:
            end = line.find(CSV_SEPARATOR, i)
            end = n if end < 0 else end
            if '"' in line[i:end]:
                return (
                    f"{name}: a '\"' inside a value that is not enclosed in '\"' (enclose the whole value in '\"' "
                    "and double the quote, or remove it)"
                )
            i = end
        if i >= n:
            return None
        i += 1  # the separator
        column += 1


def _quote_lines(path: Path) -> tuple[bytes | None, dict[int, tuple[str, str]], str | None]:
    """Lines whose quotes break the dialect: the file's bytes with those lines emptied (so that
    every other line stays one record at its own number), {line: (text, problem)}, and a problem
    of the header line."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    header_text = lines[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r")
    header = [c.strip('"') for c in header_text.split(CSV_SEPARATOR)]
    if '"' in header_text and (problem := _quote_problem(header_text, header)):
        return None, {}, problem
    bad: dict[int, tuple[str, str]] = {}
    for index, raw in enumerate(lines[1:], start=2):
        if b'"' not in raw:
            continue
        text = raw.decode("utf-8", "replace").rstrip("\r")
        if problem := _quote_problem(text, header):
            bad[index] = (text, problem)
            # separators only: an empty record at this line, even as a last line without line end
            lines[index - 1] = CSV_SEPARATOR.encode() * max(len(header) - 1, 1) + (
                b"\r" if raw.endswith(b"\r") else b""
            )
    return (b"\n".join(lines) if bad else None), bad, None


def read_landing_file(path: Path, source: Source) -> tuple[pl.DataFrame, list[str]]:
    """The file's contract columns as read (CSV: all strings), plus lineage; or FileRefused."""
    df, warnings, _ = read_landing_file_scanned(path, source)
    return df, warnings


def read_landing_file_scanned(path: Path, source: Source) -> tuple[pl.DataFrame, list[str], _Scan]:
    """The whole file at once (tests and small files); ingestion reads ``open_landing_file`` slices."""
    file = open_landing_file(path, source)
    df = pl.concat(list(file.slices()), how="vertical_relaxed")
    return df, file.warnings(), file.scan


@dataclass
class LandingFile:
    """One landing file, opened: its bytes hashed, its header checked and its rows counted, the rows
    themselves read a slice at a time (``slices``). A Parquet slice reads only its own row groups,
    so that checking an 11 M-row file holds one slice of it, not the file (0.78 GiB per contributions
    file at national scale, benchmarks/profile.md); a CSV file is parsed whole when opened (its
    quoting is repaired line by line over the bytes) and sliced from memory."""

    path: Path
    source: Source
    scan: _Scan
    height: int
    label: str
    _warnings: list[str]
    _columns: list[str]  # the contract's columns the file has (Parquet: the only ones read)
    _frame: pl.DataFrame | None = None  # CSV: every row, as read
    _masked: dict[str, int] = field(default_factory=dict)  # free-text column -> rows masked so far

    def slices(self, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """Every row in order, ``rows`` (default ``SLICE_ROWS``) at a time; an empty file yields one
        empty slice. Raises FileRefused when the file changed on disk while it was being read."""
        rows = rows or SLICE_ROWS
        for start in range(0, max(self.height, 1), rows):
            yield self.read(start, rows)
        if self._frame is None:
            self._unchanged()

    def read(self, start: int, rows: int) -> pl.DataFrame:
        """Rows ``start`` .. ``start + rows`` (0-based) in the form the checks take: the contract's
        columns, the line problem, the file's label and each row's number in the file."""
        if self._frame is not None:
            df = self._frame.slice(start, rows)
        else:
            try:
                df = pl.scan_parquet(_csv_source(self.path)).select(self._columns).slice(start, rows).collect()
            except FileNotFoundError:
                raise FileRefused(self.path, _DISAPPEARED) from None
            except Exception as exc:  # a corrupt page surfaces only when its row group is read
                raise FileRefused(self.path, _unparsable_parquet(exc)) from None
        for optional in (c for c in [*self.source.column_names, LINE_PROBLEM_COL] if c not in df.columns):
            df = df.with_columns(pl.lit(None, dtype=pl.String).alias(optional))
        df = df.select(*self.source.column_names, LINE_PROBLEM_COL).with_columns(
            pl.lit(self.label).alias(FILE_COL),
            pl.int_range(start + 1, start + pl.len() + 1, dtype=pl.Int64).alias(ROW_COL),
        )
        df, masked = _mask_free_text(df, self.source)
        for column, count in masked.items():
            self._masked[column] = self._masked.get(column, 0) + count
        return df

    def warnings(self) -> list[str]:
        """What was noticed about the file, the free-text masking of the rows read so far included."""
        return self._warnings + [f"{shown(self.path)}: {_masked_warning(c, n)}" for c, n in self._masked.items()]

    def _unchanged(self) -> None:
        after = _stat(self.path)
        if (after.st_size, after.st_mtime_ns) != (self.scan.stat.st_size, self.scan.stat.st_mtime_ns):
            raise FileRefused(self.path, _CHANGED)


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except FileNotFoundError:
        raise FileRefused(path, _DISAPPEARED) from None


def open_landing_file(path: Path, source: Source) -> LandingFile:
    """Hash the file, check its header and count its rows (refusing it with FileRefused, saying
    why); its rows are read by ``LandingFile.slices``."""
    warnings: list[str] = []
    csv_file = path.suffix.lower() != ".parquet"
    frame: pl.DataFrame | None = None
    try:
        scan = _scan(path, text=csv_file)
        if csv_file:
            frame = _read_csv(path, scan)
            schema, height = frame.schema, frame.height
        else:
            schema, height = _parquet_layout(path, source, warnings)
    except PermissionError:
        raise FileRefused(
            path,
            "cannot be read: permission denied; give the pipeline's user read access to the file (or "
            "remove it from the landing folder)",
        ) from None
    except FileNotFoundError:
        raise FileRefused(path, _DISAPPEARED) from None
    except OSError as error:
        raise FileRefused(path, f"cannot be read: {error.strerror or error}") from None
    columns = list(schema)
    present = [c for c in source.column_names if c in columns]
    file = LandingFile(path, source, scan, height, file_label(source, path), warnings, present, frame)
    file._unchanged()

    _check_header(path, columns, source)
    if csv_file and height != scan.lines - 1:
        raise FileRefused(
            path,
            f"{scan.lines - 1} data lines but {height} records read: a line end inside a value (a bare CR, "
            "carriage return?); save it as CSV UTF-8 with LF or CRLF line ends",
        )
    extra = [c for c in columns if c not in source.column_names and not _unnamed(c) and c != LINE_PROBLEM_COL]
    if extra:
        warnings.append(f"{shown(path)}: ignoring unknown column(s): {redact_insz(', '.join(extra))}")
    if any(_unnamed(c) for c in columns):
        warnings.append(f"{shown(path)}: ignoring column(s) without a name in the header (a trailing ';'?)")
    if height == 0:
        warnings.append(f"{shown(path)}: no data rows (header only); nothing to load from this file")
    return file


def _mask_free_text(df: pl.DataFrame, source: Source) -> tuple[pl.DataFrame, dict[str, int]]:
    """An INSZ typed into a free-text column (SPEC §4: never stored raw) masked in place; the row
    is kept. Returns the rows masked per column, for the file's warning (``_masked_warning``)."""
    columns = [c.name for c in source.columns if c.free_text and df.schema[c.name] == pl.String]
    if not columns or df.is_empty():
        return df, {}
    counts = df.select(pl.col(c).str.contains(INSZ_IN_TEXT).sum() for c in columns).row(0)
    hit = {c: n for c, n in zip(columns, counts) if n}
    if not hit:
        return df, {}
    return df.with_columns(_redact_expr(pl.col(c)) for c in hit), hit


def _masked_warning(column: str, rows: int) -> str:
    return (
        f"column {column}: an INSZ-like number in free text masked in {rows} row(s) (first six digits kept); rows "
        "loaded, keep person numbers out of text columns"
    )


def _csv_source(path: Path) -> Path | io.BytesIO:
    """polars cannot open a path whose name is not UTF-8 (a Latin-1 file name): read its bytes."""
    try:
        str(path).encode("utf-8")
        return path
    except UnicodeEncodeError:
        return io.BytesIO(path.read_bytes())


def _read_csv(path: Path, scan: _Scan) -> pl.DataFrame:
    if scan.size == 0:
        raise FileRefused(path, "empty file (0 bytes): expected a header row; was the export or upload interrupted?")
    bad: dict[int, tuple[str, str]] = {}
    source: Path | io.BytesIO = _csv_source(path)
    if scan.quotes:
        cleaned, bad, header_problem = _quote_lines(path)
        if header_problem:
            raise FileRefused(path, f"line 1 (header): {header_problem}")
        if cleaned is not None:
            source = io.BytesIO(cleaned)
    try:
        df = pl.read_csv(source, separator=CSV_SEPARATOR, infer_schema=False, encoding="utf8", quote_char='"')
    except pl.exceptions.NoDataError:
        raise FileRefused(path, "empty file (only blank lines): expected a header row") from None
    except Exception as exc:  # polars raises several error types; the diagnosis names the line
        raise FileRefused(path, diagnose_csv(path, exc)) from None
    if not bad:
        return df
    header = df.columns
    overrides = []
    for line, (text, problem) in sorted(bad.items()):
        values = text.split(CSV_SEPARATOR)
        row = {name: (values[i].strip('"') if i < len(values) else None) for i, name in enumerate(header)}
        overrides.append(row | {ROW_COL: line - 1, LINE_PROBLEM_COL: f"line {line}: {problem}"})
    fixes = pl.DataFrame(
        overrides, schema={**dict.fromkeys(header, pl.String), ROW_COL: pl.Int64, LINE_PROBLEM_COL: pl.String}
    )
    return (
        df.with_row_index(ROW_COL, offset=1)
        .with_columns(pl.col(ROW_COL).cast(pl.Int64), pl.lit(None, dtype=pl.String).alias(LINE_PROBLEM_COL))
        .update(fixes, on=ROW_COL)
        .drop(ROW_COL)
    )


_PARQUET_TYPES = {
    "date": (
        "a date (Date, or text YYYY-MM-DD)",
        lambda t: t == pl.Date or isinstance(t, pl.Datetime) or t == pl.String,
    ),
    "month": ("text YYYY-MM", lambda t: t == pl.String),
    "int": ("a whole number (or text)", lambda t: t.is_numeric() or t == pl.String),
    "decimal": ("a number (or text)", lambda t: t.is_numeric() or t == pl.String),
    "bool": ("a boolean (or text true/false)", lambda t: t == pl.Boolean or t.is_integer() or t == pl.String),
}
_TEXT_TYPE = (
    "text",
    lambda t: (
        t == pl.String or t.is_integer() or t in (pl.Categorical, pl.Enum) or isinstance(t, (pl.Categorical, pl.Enum))
    ),
)


def _unparsable_parquet(exc: Exception) -> str:
    return f"cannot be parsed as Parquet (truncated, corrupt or not a Parquet file): {_polars_reason(exc)}"


def _parquet_layout(path: Path, source: Source, warnings: list[str]) -> tuple[pl.Schema, int]:
    """The file's schema and row count, from its footer (no row is read), with its column types
    checked against the contract."""
    try:
        scan = pl.scan_parquet(_csv_source(path))
        schema = scan.collect_schema()
        height = scan.select(pl.len()).collect().item()
    except Exception as exc:
        raise FileRefused(path, _unparsable_parquet(exc)) from None
    for name in (c for c in source.column_names if c in schema):
        dtype = schema[name]
        if dtype.is_nested() or dtype in (pl.Binary, pl.Object):
            raise FileRefused(
                path, f"column {name} has Parquet type {dtype}; expected a single text, number, date or boolean value"
            )
        expected, fits = _PARQUET_TYPES.get(source.column(name).kind, _TEXT_TYPE)
        if dtype != pl.Null and not fits(dtype):
            raise FileRefused(
                path, f"column {name} has Parquet type {dtype}, expected {expected}; write the column as {expected}"
            )
        if source.column(name).is_insz and dtype.is_numeric():
            warnings.append(
                f"{shown(path)}: column {name} is stored as {dtype}, not as text: INSZ born from 2000 lose their "
                "leading zeros and are rejected; store INSZ as text"
            )
    return schema, height


_DUPLICATED = re.compile(r"^(.*)_duplicated_\d+$")


def _unnamed(column: str) -> bool:
    """Polars names empty header cells ``""``, ``_duplicated_0``, …; e.g. a header ending in ``;``."""
    return column == "" or bool(re.fullmatch(r"_duplicated_\d+", column))


def _check_header(path: Path, columns: list[str], source: Source) -> None:
    """Refuse a file whose header does not carry the contract's required columns, saying why."""
    missing = [c for c in source.required_names if c not in columns]
    if missing and len(columns) == 1 and any(sep in columns[0] for sep in (",", "\t", "|")):
        raise FileRefused(
            path,
            f"wrong separator: the header '{redact_insz(columns[0][:60])}' is one column; expected ';' "
            f"between the columns ({';'.join(source.column_names[:3])};...)",
        )
    if (
        missing
        and not any(c in source.column_names for c in columns)
        and any(re.search(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|^[0-9 .,-]+$", c) for c in columns)
    ):
        raise FileRefused(
            path,
            "no header row: the first line holds values, not column names; expected the header "
            + ";".join(source.column_names),
        )
    duplicated = sorted(
        {m.group(1) for c in columns if (m := _DUPLICATED.match(c)) and m.group(1) and m.group(1) in columns}
    )
    if duplicated:
        raise FileRefused(path, "column(s) named more than once in the header: " + ", ".join(duplicated))
    if not missing:
        return
    by_lower = {c.strip().lower().lstrip("\ufeff"): c for c in columns}
    hints = [f"'{redact_insz(by_lower[m])}' found, expected exactly '{m}'" for m in missing if m in by_lower]
    raise FileRefused(
        path, "missing required column(s): " + ", ".join(missing) + (f" ({'; '.join(hints)})" if hints else "")
    )


def _polars_reason(exc: Exception) -> str:
    """The first line of a polars error, without the data it may quote (it can hold an INSZ)."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    message = message.split("`")[0].strip().rstrip(":")
    return redact_insz(message)[:160]


def diagnose_csv(path: Path, exc: Exception | None = None) -> str:
    """Why a CSV file cannot be parsed, naming the first line (and column) that breaks the
    dialect of SPEC §4: UTF-8, ``;`` between columns, ``"`` around values that hold ``;``.

    Only runs when polars has refused the file, so its cost (a pass in Python) does not matter.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        header = data.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r").split(CSV_SEPARATOR)
        field = data.count(CSV_SEPARATOR.encode(), line_start, error.start)
        where = (
            f"column {header[field]}" if line > 1 and field < len(header) else f"byte {error.start - line_start + 1}"
        )
        return (
            f"not valid UTF-8: byte 0x{data[error.start]:02x} at line {line}, {where}; the contract requires "
            "UTF-8 (the file looks like Latin-1/Windows-1252: save it again as UTF-8)"
        )
    text = text.removeprefix("\ufeff")
    lines = text.splitlines()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=CSV_SEPARATOR, quotechar='"', strict=True)
    first_wrong: str | None = None
    previous_end = 0
    try:
        header = next(reader)
        previous_end = reader.line_num
        for record in reader:
            start, end = previous_end + 1, reader.line_num
            previous_end = end
            if not record or len(record) == len(header):
                continue
            message = (
                f"line {start} (data row {start - 1}): {len(record)} fields, expected {len(header)} "
                f"separated by '{CSV_SEPARATOR}'"
            )
            if end > start:
                message += f"; a quoted value runs from line {start} to line {end}: is a closing '\"' missing?"
            elif len(record) > len(header):
                message += f" (a '{CSV_SEPARATOR}' inside a value must be enclosed in '\"')"
            if len(record) > len(header):
                return message  # the kind of line polars refuses
            first_wrong = first_wrong or message
    except csv.Error as error:
        start = previous_end + 1
        if "end of data" in str(error) or "unexpected end" in str(error):
            return (
                f"line {start} (data row {start - 1}): a quoted value opened here is never closed (a '\"' is missing)"
            )
        return (
            f"line {start} (data row {start - 1}): {error} (values holding '\"' must be quoted and the quote doubled)"
        )
    if first_wrong:
        return first_wrong
    for number, line in enumerate(lines, start=1):
        if line.count('"') % 2:
            return (
                f"line {number} (data row {number - 1}): an odd number of '\"' characters; a quote inside a value "
                "must be doubled and the value enclosed in '\"'"
            )
    reason = _polars_reason(exc) if exc is not None else "unknown reason"
    return f"cannot be parsed as CSV (UTF-8, '{CSV_SEPARATOR}' between columns, '\"' quotes): {reason}"


# --- row-level checks --------------------------------------------------------------------------
# Each check returns (typed value expression, problem expression). The problem expression is a
# message or null; messages of all columns are concatenated into the row's reason.

# [0-9], not \d: \d also matches other scripts' digits, which no cast understands.
_DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
_DECIMAL_RE = r"^-?[0-9]+(\.[0-9]+)?$"
_INT_RE = r"^-?[0-9]+$"
_ELEVEN_DIGITS_RE = r"^[0-9]{11}$"
_ELLIPSIS = "…"


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars()


def _present(name: str, dtype: pl.DataType = pl.String) -> pl.Expr:
    """A value that is not null nor blank; only text can be blank (a Parquet number or date never
    is, and writing each one out as text to check took a third of all the row checks)."""
    if dtype not in (pl.String, pl.Categorical, pl.Null) and not isinstance(dtype, (pl.Categorical, pl.Enum)):
        return pl.col(name).is_not_null()
    return pl.col(name).is_not_null() & (pl.col(name).cast(pl.String).str.strip_chars() != "")


def _preview(name: str) -> pl.Expr:
    """The value as shown in a reason: its first characters, ``…`` when cut. (Redacted later, on
    the rejected rows only: a regex over every row would cost seconds per column at full scale.)"""
    text = _text(name)
    cut = text.str.slice(0, _VALUE_PREVIEW)
    return pl.when(text.str.len_chars() > _VALUE_PREVIEW).then(cut + pl.lit(_ELLIPSIS)).otherwise(cut)


def _problem(name: str, condition: pl.Expr, message: str, show_value: bool = True, detail: bool = True) -> pl.Expr:
    text = f"{name}: {message}"
    if not show_value or not detail:
        return pl.when(condition).then(pl.lit(text))
    return pl.when(condition).then(pl.format("{} (got '{}')", pl.lit(text), _preview(name)))


def insz_number_expr(name: str) -> pl.Expr:
    """The INSZ as a number when it is 11 digits (after trimming), else null."""
    text = _text(name)
    return pl.when(text.str.contains(_ELEVEN_DIGITS_RE)).then(text.cast(pl.Int64, strict=False))


_BORN_FROM_2000_PREFIX = 2_000_000_000  # the "2" put before the first nine digits (SPEC §4)


def _check_digits_fit(number: pl.Expr, prefix: int | pl.Expr) -> pl.Expr:
    """Mod-97 check of an 11-digit INSZ given as a number, for one century reading: the first nine
    digits are ``number // 100`` (plus ``prefix`` for people born from 2000), the check digits
    ``number % 100``."""
    return (97 - (number // 100 + prefix) % 97) == number % 100


def _insz_check_digits_match(number: pl.Expr) -> pl.Expr:
    """Mod-97 check of an 11-digit INSZ given as a number, either century reading (SPEC §4)."""
    return _check_digits_fit(number, 0) | _check_digits_fit(number, _BORN_FROM_2000_PREFIX)


def insz_valid_expr(name: str) -> pl.Expr:
    """Mod-97 check of an 11-digit INSZ, either century reading (SPEC §4)."""
    return _insz_check_digits_match(insz_number_expr(name)).fill_null(False)


def mask_insz_expr(name: str) -> pl.Expr:
    """``850101*****``: the birth-date part only, never the counter or check digits."""
    return pl.col(name).cast(pl.String).str.slice(0, 6).str.replace_all(r"\D", "?") + pl.lit("*****")


def _column_check(col: Column, dtype: pl.DataType, detail: bool = True) -> tuple[pl.Expr, list[pl.Expr]]:
    name = col.name
    problem = functools.partial(_problem, detail=detail)
    present = _present(name, dtype)
    problems: list[pl.Expr] = []
    if col.required:
        problems.append(problem(name, ~present, "required value is missing", show_value=False))

    if col.kind == "insz":
        value = _text(name)
        number = pl.col(_insz_number_column(name))  # computed once before the checks (_check_rows)
        problems.append(
            pl.when(present & number.is_null())
            .then(pl.lit(f"{name}: INSZ must be 11 digits"))
            .when(present & ~_insz_check_digits_match(number))
            .then(pl.lit(f"{name}: INSZ check digits do not match (mod 97)"))
        )
    elif col.kind in ("str",):
        value = _text(name)
    elif col.kind == "code":
        value = _text(name)
        problems.append(
            problem(
                name, present & ~value.is_in(list(col.codes)), f"unknown code, expected one of {'/'.join(col.codes)}"
            )
        )
    elif col.kind == "postcode":
        value = _text(name)
        problems.append(problem(name, present & ~value.str.contains(r"^[1-9][0-9]{3}$"), "postcode must be 4 digits"))
    elif col.kind == "date":
        if dtype == pl.Date:
            value = pl.col(name)
        elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            value = pl.col(name).dt.date()
        else:
            value = _text(name).str.to_date("%Y-%m-%d", strict=False)
            problems.append(
                problem(
                    name,
                    present & (~_text(name).str.contains(_DATE_RE) | value.is_null()),
                    "not a valid date, expected YYYY-MM-DD",
                )
            )
        problems.append(
            problem(
                name,
                value.is_not_null() & ((value < MIN_DATE) | (value > MAX_DATE)),
                f"date outside the plausible range {MIN_DATE}..{MAX_DATE}"
                + ("" if col.required else " (an open end is left empty)"),
            )
        )
    elif col.kind == "month":
        text = _text(name)
        value = (text + "-01").str.to_date("%Y-%m-%d", strict=False)
        problems.append(problem(name, present & ~text.str.contains(_MONTH_RE), "not a valid month, expected YYYY-MM"))
        problems.append(
            problem(
                name,
                value.is_not_null() & ((value < MIN_DATE) | (value > MAX_DATE)),
                "month outside the plausible range",
            )
        )
    elif col.kind in ("int", "decimal"):
        hint = "a whole number" if col.kind == "int" else "a number with '.' as decimal separator"
        if dtype.is_numeric():
            value = pl.col(name).cast(pl.Float64 if col.kind == "decimal" else pl.Int64, strict=False)
            if dtype.is_float():
                raw = pl.col(name)
                problems.append(problem(name, raw.is_nan() | raw.is_infinite(), "not a finite number"))
                if col.kind == "int":
                    problems.append(problem(name, raw.is_finite() & (raw != raw.floor()), f"not {hint}"))
            # e.g. an unsigned 64-bit or a float too large for the column: never a silent null
            finite = pl.col(name).is_finite() if dtype.is_float() else pl.col(name).is_not_null()
            problems.append(problem(name, finite & value.is_null(), f"not {hint} within range"))
        else:
            text = _text(name)
            pattern = _INT_RE if col.kind == "int" else _DECIMAL_RE
            value = text.cast(pl.Float64 if col.kind == "decimal" else pl.Int64, strict=False)
            # a value the cast cannot hold (20 digits) would otherwise turn into a silent null
            problems.append(problem(name, present & (~text.str.contains(pattern) | value.is_null()), f"not {hint}"))
        if col.kind == "decimal":
            value = value.round(2)
        if col.min_value is not None:
            problems.append(
                problem(name, value.is_not_null() & (value < col.min_value), f"must be >= {col.min_value:g}")
            )
        if col.max_value is not None:
            problems.append(
                problem(name, value.is_not_null() & (value > col.max_value), f"must be <= {col.max_value:g}")
            )
    elif col.kind == "bool":
        if dtype == pl.Boolean:
            value = pl.col(name)
        else:
            text = _text(name).str.to_lowercase()
            value = pl.when(text.is_in(["true", "1"])).then(True).when(text.is_in(["false", "0"])).then(False)
            problems.append(problem(name, present & value.is_null(), "not a boolean, expected true/false"))
    else:  # pragma: no cover - the contract only uses the kinds above
        raise ValueError(f"unknown column kind {col.kind}")
    return value.alias(name), problems


def _cut_long_values(df: pl.DataFrame, source: Source) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """Values longer than MAX_VALUE_LENGTH cut to it (before any other check), with their problem."""
    text_columns = [c.name for c in source.columns if df.schema[c.name] == pl.String]
    if not text_columns or df.is_empty():
        return df, []
    longest = df.select(pl.col(c).str.len_bytes().max() for c in text_columns).row(0)
    long_columns = [c for c, n in zip(text_columns, longest) if n is not None and n > MAX_VALUE_LENGTH]
    if not long_columns:
        return df, []
    df = df.with_columns(pl.col(c).str.len_bytes().alias(f"__bytes_{c}") for c in long_columns).with_columns(
        pl.col(c).str.slice(0, MAX_VALUE_LENGTH) for c in long_columns
    )
    problems = [
        pl.when(pl.col(f"__bytes_{c}") > MAX_VALUE_LENGTH).then(
            pl.format(
                "{}: value too long ({} bytes, at most {})", pl.lit(c), pl.col(f"__bytes_{c}"), pl.lit(MAX_VALUE_LENGTH)
            )
        )
        for c in long_columns
    ]
    return df, problems


def _insz_century_suspects(ok: pl.DataFrame) -> pl.DataFrame:
    """Acceptable member rows whose INSZ fits only the other century's check than their birth date.

    The INSZ carries no century: a number passes mod 97 when either reading fits, so a typo in
    the year digits (1986 -> "80", read as born in 2080) can still pass. Where the birth date is
    known it tells. Reported, not rejected: the number is well-formed and test fixtures of other
    modules pair INSZ and birth dates freely; the lead may turn this into a rejection."""
    birth = pl.col("__typed_birth_date")
    prefix = (
        pl.when(birth.dt.year() >= 2000)
        .then(pl.lit(_BORN_FROM_2000_PREFIX, dtype=pl.Int64))
        .otherwise(pl.lit(0, dtype=pl.Int64))
    )
    fits = _check_digits_fit(insz_number_expr("__typed_insz"), prefix)
    return ok.filter(birth.is_not_null() & ~fits).select(FILE_COL, ROW_COL, birth.alias("birth_date"))


def _insz_century_warnings(suspects: pl.DataFrame, limit: int = 20) -> list[str]:
    warnings = [
        f"{file} row {row}: insz check digits fit the other century than birth_date {born} (a typo in the "
        "number or the date?); loaded"
        for file, row, born in suspects.sort(FILE_COL, ROW_COL).head(limit).iter_rows()
    ]
    if suspects.height > limit:
        warnings.append(
            f"... and {suspects.height - limit} more rows whose insz fits the other century than birth_date"
        )
    return warnings


def check_rows(df: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Typed columns plus ``_reason`` ("" when the row is acceptable).

    Every row is checked without quoting values in the reasons, which tells which rows have a
    problem; only those few are checked again for the full reasons (formatting a preview of
    every value of every row cost more than all the checks together)."""
    checked = _check_rows(df, source, detail=False)
    bad = checked.get_column(REASON_COL) != ""
    if bad.any():
        rows = bad.arg_true()
        reasons = _check_rows(df[rows], source, detail=True).get_column(REASON_COL)
        checked = checked.with_columns(checked.get_column(REASON_COL).scatter(rows, reasons))
    return checked


def _insz_number_column(name: str) -> str:
    return f"__insz_number_{name}"


def _check_rows(df: pl.DataFrame, source: Source, detail: bool) -> pl.DataFrame:
    df, problems = _cut_long_values(df, source)
    # An INSZ is read as a number once, as a column: the two checks that use it then cost integer
    # arithmetic (eager Polars evaluates a repeated sub-expression again: three times the cost).
    # The checks run as one lazy query, whose optimiser computes the sub-expressions the checks of
    # a column share (its trimmed text, whether it is present) once: half the time of evaluating
    # them eagerly (0.70 s -> 0.38 s per million contributions).
    helpers = [_insz_number_column(name) for name in source.insz_columns]
    schema = df.schema
    frame = df.lazy().with_columns(
        insz_number_expr(name).alias(helper) for name, helper in zip(source.insz_columns, helpers)
    )
    typed: list[pl.Expr] = []
    for col in source.columns:
        value, col_problems = _column_check(col, schema[col.name], detail)
        typed.append(value)
        problems.extend(col_problems)
    # A blank line is read as a row without values: one clear reason instead of one per column.
    empty_row = pl.all_horizontal(~_present(c.name, schema[c.name]) for c in source.columns)
    line_problem = pl.col(LINE_PROBLEM_COL) if LINE_PROBLEM_COL in df.columns else pl.lit(None, dtype=pl.String)
    checked = frame.with_columns(
        pl.when(line_problem.is_not_null())
        .then(line_problem)
        .when(empty_row)
        .then(pl.lit("empty row: no value in any column"))
        .otherwise(pl.concat_str(problems, separator="; ", ignore_nulls=True))
        .alias(REASON_COL),
        *[v.alias(f"__typed_{c.name}") for v, c in zip(typed, source.columns)],
    )
    order_problems = []
    for rule in source.null_when:
        when = _text(rule.when_column)
        valid = when.is_in(list(source.column(rule.when_column).codes))
        empty_allowed = when.is_in(list(rule.codes))
        order_problems.append(
            pl.when(valid & ~empty_allowed & ~_present(rule.column, schema[rule.column]))
            .then(pl.lit(rule.message_missing))
            .when(empty_allowed & _present(rule.column, schema[rule.column]))
            .then(pl.lit(rule.message_present))
        )
    for start, end in source.date_order:
        s, e = pl.col(f"__typed_{start}"), pl.col(f"__typed_{end}")
        order_problems.append(
            pl.when(s.is_not_null() & e.is_not_null() & (e < s)).then(pl.lit(f"{end} is before {start}"))
        )
    if order_problems:
        checked = checked.with_columns(
            pl.concat_str(
                [pl.col(REASON_COL).replace("", None), *order_problems], separator="; ", ignore_nulls=True
            ).alias(REASON_COL)
        )
    return checked.drop(helpers).collect()


AcceptedSink = Callable[[pl.DataFrame], None]


def validate_source(landing_dir: Path, source: Source, on_accepted: AcceptedSink | None = None) -> SourceValidation:
    """Read every file of the source's landing folder and split rows into accepted and rejected.

    Files are checked one at a time, and each in slices of ``SLICE_ROWS`` rows, so memory holds one
    file's rows and one slice's checks rather than the source's (contributions at scale 1.0: 9.5 M
    rows in three files). With ``on_accepted`` each file's
    accepted rows are handed over as soon as they are checked (ingestion appends them to the
    warehouse) and not kept. A row whose key was already seen (earlier in the file or in an
    earlier file) is never handed over; the check that needs every file (a titularis who is no
    member) runs afterwards on the keys alone, and the rows it rejects are listed in
    ``withdrawn`` for the receiver to take back. Without ``on_accepted`` the accepted
    rows of all files are returned in ``accepted``, withdrawn rows already left out. Once a file is
    refused nothing more is handed over (nothing of the source is loaded), but every file is still
    checked so that all problems are reported at once.
    """
    files = landing_files(landing_dir, source)
    refused: list[FileRefused] = []
    warnings: list[str] = ignored_entries(landing_dir, source)
    labels: list[str] = []  # file label per file index of the key frames
    paths: dict[str, Path] = {}
    records: list[dict] = []
    rejected_parts: list[pl.DataFrame] = []
    key_parts = _KeyFrames()
    repeat_parts: list[pl.DataFrame] = []  # the rows of key_parts whose key was seen before them
    # hashes of the keys in key_parts, each with the index of the part it was first seen in (and of
    # refused files': only a first sieve)
    keys_seen = new_keys_seen()
    suspect_parts: list[pl.DataFrame] = []
    accepted_parts: list[pl.DataFrame] = []
    parts = (rejected_parts, key_parts, repeat_parts, labels, suspect_parts, accepted_parts)

    def check(rows: pl.DataFrame) -> None:
        """Check one slice (of a file, or of several small files together) and hand over its rows."""
        checked = check_rows(rows, source)
        rejected_parts.append(_rejected(checked, source))
        ok = checked.filter(pl.col(REASON_COL) == "")
        del checked
        key_parts.append(_key_frame(ok, source, labels))
        if source.name == "members":
            suspect_parts.append(_insz_century_suspects(ok))
        # A repeated key is known now (its first row is in this or an earlier slice): such
        # rows are never handed over, so the receiver need not delete them afterwards (a
        # delete spread over a loaded table makes DuckDB rewrite it at commit).
        # _cross_file_flags still gives their reason.
        ok, repeats = _first_keys_only(ok, key_parts[-1], key_parts[:-1], keys_seen, source)
        repeat_parts.append(repeats)
        key_parts.settle()
        accepted = _accepted(ok, source)
        del ok
        if on_accepted is None:
            accepted_parts.append(accepted)
        elif not refused:
            on_accepted(accepted)

    def checked_files(opened: list[LandingFile], slices: Callable[[], Iterator[pl.DataFrame]]) -> bool:
        """Check the slices of ``opened`` (one file, or small files read together); True when they
        could be. Otherwise what they added is taken back (slices handed over before are in the
        receiver's transaction, which a refusal rolls back) and, for one file, it is refused."""
        marks = [len(p) for p in parts]
        labels.extend(file.label for file in opened)
        problem: FileRefused | None = None
        try:
            for rows in slices():
                check(rows)
                del rows
        except FileRefused as exc:
            problem = exc
        except pl.exceptions.PolarsError as exc:  # a type the checks cannot handle: name the file, not a traceback
            problem = FileRefused(
                opened[0].path, f"values cannot be checked against the contract: {_polars_reason(exc)}"
            )
        if problem is None:
            for file in opened:
                paths[file.label] = file.path
                warnings.extend(file.warnings())
                records.append(
                    {"file": file.label, "sha256": file.scan.sha256, "bytes": file.scan.size, "rows_in": file.height}
                )
            return True
        for part, mark in zip(parts, marks):
            del part[mark:]
        if len(opened) == 1:
            refused.append(problem)
        return False

    # Small files (the monthly DMW exports: 37 files at every scale) are read whole and checked
    # together, up to SLICE_ROWS rows of one schema: the checks cost ~15 ms per call whatever the
    # rows. Each file is still read, counted and refused on its own; a batch whose checks fail is
    # checked again file by file, to name the file.
    batch: list[tuple[LandingFile, pl.DataFrame]] = []

    def check_batch() -> None:
        if not batch:
            return
        together = [file for file, _ in batch]
        frames = [frame for _, frame in batch]
        batch.clear()
        if not checked_files(together, lambda: iter([pl.concat(frames, how="vertical")])) and len(together) > 1:
            for file, frame in zip(together, frames):
                checked_files([file], lambda frame=frame: iter([frame]))

    for path in files:
        try:
            file = open_landing_file(path, source)
        except FileRefused as exc:
            refused.append(exc)
            continue
        if file.label in paths or any(file.label == other.label for other, _ in batch):
            file.label = f"{file.label}#{len(labels) + len(batch) + 1}"  # two names that read the same once masked
        if file.height <= min(SMALL_FILE_ROWS, SLICE_ROWS):
            try:
                (frame,) = list(file.slices())
            except FileRefused as exc:
                refused.append(exc)
                continue
            if batch and (
                frame.schema != batch[0][1].schema or sum(f.height for _, f in batch) + frame.height > SLICE_ROWS
            ):
                check_batch()
            batch.append((file, frame))
            continue
        check_batch()
        checked_files([file], file.slices)
    check_batch()
    rows_in = sum(record["rows_in"] for record in records)

    try:
        flags = _cross_file_flags(key_parts, repeat_parts, labels, source)
    finally:
        key_parts.close()
    key_parts.clear()
    repeat_parts.clear()
    every_flagged = flags.select(FILE_COL, ROW_COL)
    # rows of a repeated key were withheld, never handed over
    withdrawn = flags.filter(~pl.col(REASON_COL).str.starts_with(DUPLICATE_KEY_REASON)).select(FILE_COL, ROW_COL)
    if not flags.is_empty():
        sha256 = pl.DataFrame({FILE_COL: [r["file"] for r in records], "__sha256": [r["sha256"] for r in records]})
        try:
            rejected_parts.append(_rejected_again(paths, source, flags.join(sha256, on=FILE_COL, how="left")))
        except FileRefused as exc:
            refused.append(exc)
    empty = _empty_checked(source)
    accepted = (
        pl.concat(accepted_parts, how="diagonal_relaxed").join(withdrawn, on=[FILE_COL, ROW_COL], how="anti")
        if accepted_parts
        else _accepted(empty, source)
    )
    rejected = (
        pl.concat(rejected_parts, how="diagonal_relaxed").sort(["file", "row"])
        if rejected_parts
        else _rejected(empty, source)
    )
    if suspect_parts:
        warnings.extend(
            _insz_century_warnings(pl.concat(suspect_parts).join(every_flagged, on=[FILE_COL, ROW_COL], how="anti"))
        )
    return SourceValidation(source, files, accepted, rejected, rows_in, refused, warnings, withdrawn, records)


def _empty_checked(source: Source) -> pl.DataFrame:
    schema = {c.name: pl.String for c in source.columns}
    schema |= {f"__typed_{c.name}": pl.String for c in source.columns}
    schema |= {FILE_COL: pl.String, ROW_COL: pl.Int64, REASON_COL: pl.String}
    return pl.DataFrame(schema=schema)


def _cross_file_columns(source: Source) -> list[str]:
    """The typed columns the checks across files need: the key, and for members the titularis."""
    names = [f"__typed_{k}" for k in source.key]
    if source.name == "members":
        names += [n for n in ("__typed_insz", "__typed_titularis_insz") if n not in names]
    return names


def _key_frame(ok: pl.DataFrame, source: Source, labels: list[str]) -> pl.DataFrame:
    """The columns of a checked slice's acceptable rows that the checks across files need, with the
    file's index in ``labels``, the row and a 64-bit hash of the key (``_first_keys_only``). Their INSZ are valid,
    so 11 digits: kept as 64-bit numbers (the same number is the same text), which halves the memory
    of a source's key frames and makes their joins hash integers instead of text."""
    kinds = {f"__typed_{c.name}": c.kind for c in source.columns}
    keys = [f"__typed_{k}" for k in source.key]
    return ok.select(
        *[pl.col(n).cast(_KEY_DTYPES[kinds[n]]) for n in _cross_file_columns(source)],
        pl.col(FILE_COL).replace_strict(labels, range(len(labels)), return_dtype=pl.UInt32).alias("__file"),
        ROW_COL,
    ).with_columns(pl.struct(keys).hash(seed=0).alias(_KEY_HASH))


_KEY_HASH = "__key_hash"
# One type per column kind in every key frame (the typed columns have these already, INSZ become
# numbers), so that the same key always has the same hash.
_KEY_DTYPES = {
    "insz": pl.Int64,
    "str": pl.String,
    "code": pl.String,
    "postcode": pl.String,
    "date": pl.Date,
    "month": pl.Date,
    "int": pl.Int64,
    "decimal": pl.Float64,
    "bool": pl.Boolean,
}


SPILL_KEY_ROWS = 2_000_000


class _KeyFrames(list):
    """The key frames of a source's checked slices (``_key_frame``), in order, for the checks
    across files. Once a source has more than ``SPILL_KEY_ROWS`` of them (~50 bytes a row: 1.7 GiB
    for the 33 M contributions at national scale), each new slice's frame is written to an Arrow
    IPC file under ``$MUTWH_HOME/tmp`` and kept as a lazy scan of it, read back only where a check
    needs it (a repeated key, the titularis check), so memory stays flat in the source's size.
    ``close`` removes the files. Where the data directory cannot be written (``mutwh validate`` on
    a read-only one) they stay in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.rows = 0
        self._folder: Path | bool | None = None  # False: no writable folder, kept in memory

    def settle(self) -> None:
        """Called once the last frame appended has been used by its own slice's checks."""
        frame = self[-1]
        self.rows += frame.height
        if self.rows <= SPILL_KEY_ROWS or self._folder is False:
            return
        if self._folder is None:
            from mutwh.home import Home, HomeError, ensure_writable_dir

            try:
                root = ensure_writable_dir(Home.from_env().tmp)
            except HomeError:  # a read-only data directory (``mutwh validate``): kept in memory
                self._folder = False
                return
            _remove_abandoned_key_folders(root)
            self._folder = Path(tempfile.mkdtemp(prefix=f"keys-{os.getpid()}-", dir=root))
        path = self._folder / f"{len(self) - 1:06d}.arrow"
        frame.write_ipc(path, compression="uncompressed")
        self[-1] = pl.scan_ipc(path)

    def close(self) -> None:
        if isinstance(self._folder, Path):
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None


def _remove_abandoned_key_folders(root: Path) -> None:
    """Key folders left by a process that died before its ``close`` (killed mid-ingestion)."""
    for folder in root.glob("keys-*-*"):
        try:
            os.kill(int(folder.name.split("-")[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (ValueError, PermissionError):  # not ours, or another user's live process
            continue


def _first_of_each_key(frame: pl.DataFrame, keys: list[str]) -> pl.Series:
    """Whether each row of a key frame is the first with its key: found by the key's hash, and by
    the keys themselves when a repeated hash is not a repeated key (two keys sharing a hash)."""
    first = frame.get_column(_KEY_HASH).is_first_distinct()
    repeated = frame.filter(~first)
    if (
        repeated.is_empty()
        or repeated.join(frame.filter(first), on=[_KEY_HASH, *keys], how="anti", nulls_equal=True).is_empty()
    ):
        return first
    return frame.select(pl.struct(keys).is_first_distinct()).to_series()


def _first_keys_only(
    ok: pl.DataFrame, keys_of_ok: pl.DataFrame, earlier: list[pl.DataFrame], seen: SortedLevels, source: Source
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``ok`` without the rows whose key was seen before: earlier in this file, or in the key
    frames of earlier files (kept anyway for ``_cross_file_flags``, which names where each key
    was first seen). ``keys_of_ok`` is ``ok``'s own key frame (``_key_frame``), row for row.
    Returns the rows kept, and the rows of ``keys_of_ok`` left out (``_cross_file_flags`` rejects
    them without looking for the first row of every key again).

    The keys are compared by their 64-bit hashes first: ``seen`` holds the hashes of the earlier
    keys, sorted, each with the part it was first seen in, and a slice's hashes are looked up in it
    by binary search. Only a slice's rows whose hash was seen (a repeated key, or two keys with one
    hash) are compared exactly, with the rows of the same hashes in that part (``_repeated_keys``).
    Joining every slice against all earlier keys hashed those again for each slice: 35 s of a
    scale-1.0 run (benchmarks/profile.md)."""
    keys = [f"__typed_{k}" for k in source.key]
    frame = keys_of_ok.select(*keys, _KEY_HASH).with_row_index("__index")
    first = frame.filter(_first_of_each_key(frame, keys))
    hashes = first.get_column(_KEY_HASH).to_numpy()
    found, where = seen.find(hashes)
    if found.any() and earlier:
        candidates = first.filter(pl.Series(found)).with_columns(
            pl.Series("__part", where[found].view(np.uint32).ravel())
        )
        repeats = _repeated_keys(candidates, earlier, keys)
        first = first.filter(~pl.col("__index").is_in(repeats.implode()))
    new = sorted_distinct(hashes[~found])
    part = np.full(len(new), len(earlier), dtype=np.uint32).view(np.uint8).reshape(len(new), _PART_BYTES)
    seen.add(new, part)
    kept = first.get_column("__index")
    left_out = np.ones(ok.height, dtype=bool)
    left_out[kept.to_numpy()] = False
    return ok[kept], keys_of_ok.filter(pl.Series(left_out))


_PART_BYTES = 4  # a key part's index, as the payload of its hashes in ``keys_seen``


def new_keys_seen() -> SortedLevels:
    """The key hashes seen so far in a source, each with the index of its part (``_first_keys_only``)."""
    return SortedLevels(_PART_BYTES)


def _repeated_keys(candidates: pl.DataFrame, earlier: list, keys: list[str]) -> pl.Series:
    """The ``__index`` of the ``candidates`` (rows whose key hash was seen, with ``__part``, the
    part it was first seen in) whose key is in an earlier part. Each is compared with the rows of
    its hash in that one part, so that a slice does not read back every earlier part (written to
    disk for a large source: ``_KeyFrames``); a candidate that does not match there (two keys with
    one hash, or a part of a refused file since replaced) is compared with every earlier part."""

    def matches(rows: pl.DataFrame, parts: list) -> pl.Series:
        earlier_rows = (
            pl.concat([part.lazy().select(*keys, _KEY_HASH) for part in parts], how="vertical_relaxed")
            .filter(pl.col(_KEY_HASH).is_in(rows.get_column(_KEY_HASH).implode()))
            .collect()
        )
        return rows.join(earlier_rows, on=keys, how="semi", nulls_equal=True).get_column("__index")

    found = [
        matches(rows, [earlier[index]]) for (index,), rows in candidates.group_by("__part") if index < len(earlier)
    ]
    repeats = pl.concat(found) if found else pl.Series("__index", [], dtype=pl.UInt32)
    unmatched = candidates.filter(~pl.col("__index").is_in(repeats.implode()))
    if unmatched.is_empty():
        return repeats
    return pl.concat([repeats, matches(unmatched, earlier)])


def _cross_file_flags(
    key_parts: list[pl.DataFrame], repeat_parts: list[pl.DataFrame], labels: list[str], source: Source
) -> pl.DataFrame:
    """Acceptable rows that the checks across all files reject, as (file, row, reason).

    A second or later row with the same key is rejected, naming where the key was first seen
    (only acceptable rows take part, so a corrected row can follow a broken one); for members, a
    row whose titularis is no acceptable member of any members file. ``key_parts`` hold one frame
    per slice in file order, each in row order, so their concatenation is in (file, row) order;
    ``repeat_parts`` are their rows whose key came earlier (``_first_keys_only``).
    """
    if not key_parts:
        return pl.DataFrame(schema={FILE_COL: pl.String, ROW_COL: pl.Int64, REASON_COL: pl.String})
    keys = [f"__typed_{k}" for k in source.key]
    rows = pl.concat([part.lazy() for part in key_parts], how="vertical_relaxed")
    later = pl.concat(repeat_parts, how="vertical_relaxed") if repeat_parts else rows.clear().collect()
    flags = []
    if not later.is_empty():
        first = (
            rows.filter(pl.col(_KEY_HASH).is_in(later.get_column(_KEY_HASH).implode()))
            .join(later.lazy().select(keys).unique(), on=keys, how="semi", nulls_equal=True, maintain_order="left")
            .unique(subset=keys, keep="first", maintain_order=True)
            .select(*keys, pl.col("__file").alias("__first_file"), pl.col(ROW_COL).alias("__first_row"))
            .collect()
        )
        flags.append(
            later.join(first, on=keys, how="left", nulls_equal=True).select(
                "__file",
                ROW_COL,
                pl.format(
                    DUPLICATE_KEY_REASON + " ({}): first seen in {} row {}",
                    pl.lit(", ".join(source.key)),
                    pl.col("__first_file").replace_strict(range(len(labels)), labels, return_dtype=pl.String),
                    pl.col("__first_row"),
                ).alias(REASON_COL),
            )
        )
    if source.name == "members":
        titularis = pl.col("__typed_titularis_insz")
        known = rows.select(pl.col("__typed_insz").unique()).collect().to_series().implode()
        flags.append(
            rows.filter(titularis.is_not_null() & ~titularis.is_in(known))
            .join(later.lazy().select("__file", ROW_COL), on=["__file", ROW_COL], how="anti")
            .select(
                "__file",
                ROW_COL,
                pl.lit("titularis_insz: the titularis is not a member in any members file").alias(REASON_COL),
            )
            .collect()
        )
    if not flags:
        return pl.DataFrame(schema={FILE_COL: pl.String, ROW_COL: pl.Int64, REASON_COL: pl.String})
    return (
        pl.concat(flags)
        .select(
            pl.col("__file").replace_strict(range(len(labels)), labels, return_dtype=pl.String).alias(FILE_COL),
            ROW_COL,
            REASON_COL,
        )
        .sort(FILE_COL, ROW_COL)
    )


def _rejected_again(paths: dict[str, Path], source: Source, flags: pl.DataFrame) -> pl.DataFrame:
    """The rejected-row form (original text, INSZ masked) of rows flagged by the checks across
    files: only the slices of their files that hold them are read again, and only these rows
    checked once more (they are few, and keeping every row's original text until the end would
    double the memory). A file whose bytes changed since it was checked is refused."""
    parts = []
    for (label,), reasons in flags.group_by(FILE_COL, maintain_order=True):
        checked_sha256 = reasons.get_column("__sha256")[0]
        file = open_landing_file(paths[label], source)
        if file.scan.sha256 != checked_sha256:
            raise FileRefused(paths[label], _CHANGED)
        file.label = label
        wanted = reasons.select(ROW_COL)
        starts = sorted({(row - 1) // SLICE_ROWS * SLICE_ROWS for row in wanted.get_column(ROW_COL).to_list()})
        df = pl.concat(
            [file.read(start, SLICE_ROWS).join(wanted, on=ROW_COL, how="semi") for start in starts],
            how="vertical_relaxed",
        )
        checked = check_rows(df, source)
        parts.append(_rejected(checked.drop(REASON_COL).join(reasons.select(ROW_COL, REASON_COL), on=ROW_COL), source))
    return pl.concat(parts, how="diagonal_relaxed")


def _accepted(checked: pl.DataFrame, source: Source) -> pl.DataFrame:
    return checked.filter(pl.col(REASON_COL) == "").select(
        *[pl.col(f"__typed_{c.name}").alias(c.name) for c in source.columns], FILE_COL, ROW_COL
    )


def _redact_rejected(expr: pl.Expr) -> pl.Expr:
    """INSZ-like numbers masked, a digit run cut by a preview's ``…`` dropped (it could be the
    start of an INSZ), line breaks shown as ``\\n``. Applied to rejected rows only."""
    return (
        _redact_expr(expr)
        .str.replace_all(f"[0-9]{{7,}}{_ELLIPSIS}", _ELLIPSIS)
        .str.replace_all(r"\r\n|\r|\n", r"\n", literal=False)  # one line per quarantined row
    )


def _rejected(checked: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Rejected rows as text, INSZ masked (the loader swaps valid ones for pseudonyms); an INSZ in
    another column (shifted columns) is redacted too."""
    columns = []
    for c in source.columns:
        if c.is_insz:
            columns.append(mask_insz_expr(c.name).alias(c.name))
            columns.append(insz_valid_expr(c.name).alias(f"__valid_{c.name}"))
        else:
            columns.append(_redact_rejected(pl.col(c.name).cast(pl.String).str.slice(0, 200)).alias(c.name))
    return (
        checked.filter(pl.col(REASON_COL) != "")
        .select(
            pl.col(FILE_COL).alias("file"),
            pl.col(ROW_COL).alias("row"),
            _redact_rejected(pl.col(REASON_COL)).alias("reason"),
            *columns,
            *[pl.col(c.name).cast(pl.String).alias(f"__raw_{c.name}") for c in source.columns if c.is_insz],
        )
        .sort(["file", "row"])
    )
