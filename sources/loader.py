"""Read and validate landing files against the contract (SPEC §4), without touching the warehouse.

``validate_source`` is shared by ingestion (which then loads the accepted rows) and by
``mutwh validate`` (which only reports), so both apply exactly the same checks:
- file level: readable, UTF-8, ``;``-separated, required columns present — otherwise the file is
  refused with a message naming it;
- row level: types, codes, ranges, date order, INSZ check digits, duplicate keys across all files of
  the source, and for members the existence of the titularis — rejected rows carry file, row,
  columns and reason, with INSZ masked.

Row numbers are 1-based data rows (the header is not counted), for CSV and Parquet alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from sources.contract import MAX_DATE, MIN_DATE, SOURCES, Column, Source

log = logging.getLogger(__name__)

FILE_COL = "_source_file"
ROW_COL = "_source_row"
REASON_COL = "_reason"
COLUMNS_COL = "_columns"
SUFFIXES = (".csv", ".parquet")
CSV_SEPARATOR = ";"
_VALUE_PREVIEW = 40


class FileRefused(Exception):
    """A whole landing file cannot be used; the message names the file and what is wrong."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
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

    @property
    def rows_rejected(self) -> int:
        return self.rejected.height


def landing_files(landing_dir: Path, source: Source) -> list[Path]:
    folder = landing_dir / source.name
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_landing_file(path: Path, source: Source) -> tuple[pl.DataFrame, list[str]]:
    """The file's contract columns as read (CSV: all strings), plus lineage; or FileRefused."""
    warnings: list[str] = []
    try:
        if path.suffix.lower() == ".parquet":
            df = pl.read_parquet(path)
        else:
            if path.stat().st_size == 0:
                raise FileRefused(path, "empty file: expected a header row")
            df = pl.read_csv(
                path,
                separator=CSV_SEPARATOR,
                infer_schema=False,
                encoding="utf8",
                quote_char='"',
            )
    except FileRefused:
        raise
    except UnicodeDecodeError as exc:
        raise FileRefused(path, f"not valid UTF-8 ({exc.reason})") from None
    except Exception as exc:  # polars raises several error types for unreadable files
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "invalid utf-8" in message.lower():
            raise FileRefused(path, "not valid UTF-8 text (the contract requires UTF-8)") from None
        raise FileRefused(path, f"cannot be parsed: {message}") from None

    missing = [c for c in source.required_names if c not in df.columns]
    if missing:
        if len(df.columns) == 1 and any(sep in df.columns[0] for sep in (",", "\t", "|")):
            raise FileRefused(
                path, f"wrong separator: the header '{df.columns[0][:60]}' is one column; expected ';'"
            )
        raise FileRefused(path, "missing required column(s): " + ", ".join(missing))
    extra = [c for c in df.columns if c not in source.column_names]
    if extra:
        warnings.append(f"{path}: ignoring unknown column(s): {', '.join(extra)}")
    for optional in (c for c in source.column_names if c not in df.columns):
        df = df.with_columns(pl.lit(None, dtype=pl.String).alias(optional))
    df = df.select(source.column_names).with_columns(
        pl.lit(f"{source.name}/{path.name}").alias(FILE_COL),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW_COL),
    )
    return df, warnings


# --- row-level checks --------------------------------------------------------------------------
# Each check returns (typed value expression, problem expression). The problem expression is a
# message or null; messages of all columns are concatenated into the row's reason.

_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
_DECIMAL_RE = r"^-?\d+(\.\d+)?$"
_INT_RE = r"^-?\d+$"


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars()


def _present(name: str) -> pl.Expr:
    return pl.col(name).is_not_null() & (pl.col(name).cast(pl.String).str.strip_chars() != "")


def _problem(name: str, condition: pl.Expr, message: str, show_value: bool = True) -> pl.Expr:
    text = f"{name}: {message}"
    if not show_value:
        return pl.when(condition).then(pl.lit(text))
    preview = _text(name).str.slice(0, _VALUE_PREVIEW)
    return pl.when(condition).then(pl.format("{} (got '{}')", pl.lit(text), preview))


def insz_valid_expr(name: str) -> pl.Expr:
    """Mod-97 check of an 11-digit INSZ, either century reading (SPEC §4)."""
    text = _text(name)
    first9 = text.str.slice(0, 9).cast(pl.Int64, strict=False)
    check = text.str.slice(9, 2).cast(pl.Int64, strict=False)
    return text.str.contains(r"^\d{11}$") & (
        ((97 - first9 % 97) == check) | ((97 - (first9 + 2_000_000_000) % 97) == check)
    )


def mask_insz_expr(name: str) -> pl.Expr:
    """``850101*****``: the birth-date part only, never the counter or check digits."""
    return pl.col(name).cast(pl.String).str.slice(0, 6).str.replace_all(r"\D", "?") + pl.lit("*****")


def _column_check(col: Column, dtype: pl.DataType) -> tuple[pl.Expr, list[pl.Expr]]:
    name = col.name
    present = _present(name)
    problems: list[pl.Expr] = []
    if col.required:
        problems.append(_problem(name, ~present, "required value is missing", show_value=False))

    if col.kind == "insz":
        value = _text(name)
        problems.append(
            pl.when(present & ~_text(name).str.contains(r"^\d{11}$"))
            .then(pl.lit(f"{name}: INSZ must be 11 digits"))
            .when(present & ~insz_valid_expr(name))
            .then(pl.lit(f"{name}: INSZ check digits do not match (mod 97)"))
        )
    elif col.kind in ("str",):
        value = _text(name)
    elif col.kind == "code":
        value = _text(name)
        problems.append(
            _problem(name, present & ~value.is_in(list(col.codes)), f"unknown code, expected one of {'/'.join(col.codes)}")
        )
    elif col.kind == "postcode":
        value = _text(name)
        problems.append(_problem(name, present & ~value.str.contains(r"^[1-9]\d{3}$"), "postcode must be 4 digits"))
    elif col.kind == "date":
        if dtype == pl.Date:
            value = pl.col(name)
        elif dtype == pl.Datetime or isinstance(dtype, pl.Datetime):
            value = pl.col(name).dt.date()
        else:
            value = _text(name).str.to_date("%Y-%m-%d", strict=False)
            problems.append(
                _problem(
                    name,
                    present & (~_text(name).str.contains(_DATE_RE) | value.is_null()),
                    "not a valid date, expected YYYY-MM-DD",
                )
            )
        problems.append(
            _problem(
                name,
                value.is_not_null() & ((value < MIN_DATE) | (value > MAX_DATE)),
                f"date outside the plausible range {MIN_DATE}..{MAX_DATE}",
            )
        )
    elif col.kind == "month":
        text = _text(name)
        value = (text + "-01").str.to_date("%Y-%m-%d", strict=False)
        problems.append(_problem(name, present & ~text.str.contains(_MONTH_RE), "not a valid month, expected YYYY-MM"))
        problems.append(
            _problem(name, value.is_not_null() & ((value < MIN_DATE) | (value > MAX_DATE)), "month outside the plausible range")
        )
    elif col.kind in ("int", "decimal"):
        if dtype.is_numeric():
            value = pl.col(name).cast(pl.Float64 if col.kind == "decimal" else pl.Int64, strict=False)
        else:
            text = _text(name)
            pattern = _INT_RE if col.kind == "int" else _DECIMAL_RE
            value = text.cast(pl.Float64 if col.kind == "decimal" else pl.Int64, strict=False)
            hint = "a whole number" if col.kind == "int" else "a number with '.' as decimal separator"
            problems.append(_problem(name, present & ~text.str.contains(pattern), f"not {hint}"))
        if col.kind == "decimal":
            value = value.round(2)
        if col.min_value is not None:
            problems.append(_problem(name, value.is_not_null() & (value < col.min_value), f"must be >= {col.min_value:g}"))
        if col.max_value is not None:
            problems.append(_problem(name, value.is_not_null() & (value > col.max_value), f"must be <= {col.max_value:g}"))
    elif col.kind == "bool":
        if dtype == pl.Boolean:
            value = pl.col(name)
        else:
            text = _text(name).str.to_lowercase()
            value = pl.when(text.is_in(["true", "1"])).then(True).when(text.is_in(["false", "0"])).then(False)
            problems.append(_problem(name, present & value.is_null(), "not a boolean, expected true/false"))
    else:  # pragma: no cover - the contract only uses the kinds above
        raise ValueError(f"unknown column kind {col.kind}")
    return value.alias(name), problems


def check_rows(df: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Typed columns plus ``_reason`` ("" when the row is acceptable) and ``_columns``."""
    typed: list[pl.Expr] = []
    problems: list[pl.Expr] = []
    for col in source.columns:
        value, col_problems = _column_check(col, df.schema[col.name])
        typed.append(value)
        problems.extend(col_problems)
    checked = df.with_columns(
        pl.concat_str(problems, separator="; ", ignore_nulls=True).alias(REASON_COL),
        *[v.alias(f"__typed_{c.name}") for v, c in zip(typed, source.columns)],
    )
    order_problems = []
    for start, end in source.date_order:
        s, e = pl.col(f"__typed_{start}"), pl.col(f"__typed_{end}")
        order_problems.append(pl.when(s.is_not_null() & e.is_not_null() & (e < s)).then(pl.lit(f"{end} is before {start}")))
    if order_problems:
        checked = checked.with_columns(
            pl.concat_str([pl.col(REASON_COL).replace("", None), *order_problems], separator="; ", ignore_nulls=True).alias(REASON_COL)
        )
    return checked


def validate_source(landing_dir: Path, source: Source) -> SourceValidation:
    """Read every file of the source's landing folder and split rows into accepted and rejected."""
    files = landing_files(landing_dir, source)
    frames: list[pl.DataFrame] = []
    refused: list[FileRefused] = []
    warnings: list[str] = []
    folder = landing_dir / source.name
    if folder.is_dir():
        for other in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() not in SUFFIXES):
            warnings.append(f"{other}: ignored, only .csv and .parquet files are read")
    rows_in = 0
    for path in files:
        try:
            df, file_warnings = read_landing_file(path, source)
        except FileRefused as exc:
            refused.append(exc)
            continue
        warnings.extend(file_warnings)
        rows_in += df.height
        frames.append(check_rows(df, source))
    if not frames:
        empty = _empty_checked(source)
        return SourceValidation(source, files, _accepted(empty, source), _rejected(empty, source), 0, refused, warnings)

    checked = pl.concat(frames, how="diagonal_relaxed")
    checked = _flag_duplicate_keys(checked, source)
    if source.name == "members":
        checked = _flag_unknown_titularis(checked)
    return SourceValidation(
        source, files, _accepted(checked, source), _rejected(checked, source), rows_in, refused, warnings
    )


def _empty_checked(source: Source) -> pl.DataFrame:
    schema = {c.name: pl.String for c in source.columns}
    schema |= {f"__typed_{c.name}": pl.String for c in source.columns}
    schema |= {FILE_COL: pl.String, ROW_COL: pl.Int64, REASON_COL: pl.String}
    return pl.DataFrame(schema=schema)


def _flag_duplicate_keys(checked: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Second and later rows with the same key are rejected, naming where the key was first seen.

    Only rows that are otherwise acceptable take part, so a corrected row can follow a broken one.
    """
    keys = [f"__typed_{k}" for k in source.key]
    ok = pl.col(REASON_COL) == ""
    first = (
        checked.filter(ok)
        .sort([FILE_COL, ROW_COL])
        .with_columns(pl.int_range(pl.len()).over(keys).alias("__occurrence"))
        .with_columns(
            pl.col(FILE_COL).first().over(keys).alias("__first_file"),
            pl.col(ROW_COL).first().over(keys).alias("__first_row"),
        )
        .filter(pl.col("__occurrence") > 0)
        .select(FILE_COL, ROW_COL, "__first_file", "__first_row")
    )
    if first.is_empty():
        return checked
    message = pl.format(
        "duplicate key ({}): first seen in {} row {}",
        pl.lit(", ".join(source.key)),
        pl.col("__first_file"),
        pl.col("__first_row"),
    )
    return (
        checked.join(first, on=[FILE_COL, ROW_COL], how="left")
        .with_columns(
            pl.when(pl.col("__first_file").is_not_null()).then(message).otherwise(pl.col(REASON_COL)).alias(REASON_COL)
        )
        .drop("__first_file", "__first_row")
    )


def _flag_unknown_titularis(checked: pl.DataFrame) -> pl.DataFrame:
    known = checked.filter(pl.col(REASON_COL) == "").select(pl.col("__typed_insz").unique())
    titularis = pl.col("__typed_titularis_insz")
    known_set = known.get_column("__typed_insz")
    return checked.with_columns(
        pl.when((pl.col(REASON_COL) == "") & titularis.is_not_null() & ~titularis.is_in(known_set.implode()))
        .then(pl.lit("titularis_insz: the titularis is not a member in any members file"))
        .otherwise(pl.col(REASON_COL))
        .alias(REASON_COL)
    )


def _accepted(checked: pl.DataFrame, source: Source) -> pl.DataFrame:
    return checked.filter(pl.col(REASON_COL) == "").select(
        *[pl.col(f"__typed_{c.name}").alias(c.name) for c in source.columns], FILE_COL, ROW_COL
    )


def _rejected(checked: pl.DataFrame, source: Source) -> pl.DataFrame:
    """Rejected rows as text, INSZ masked (the loader swaps valid ones for pseudonyms)."""
    columns = []
    for c in source.columns:
        if c.is_insz:
            columns.append(mask_insz_expr(c.name).alias(c.name))
            columns.append(insz_valid_expr(c.name).fill_null(False).alias(f"__valid_{c.name}"))
        else:
            columns.append(pl.col(c.name).cast(pl.String).str.slice(0, 200).alias(c.name))
    return (
        checked.filter(pl.col(REASON_COL) != "")
        .select(
            pl.col(FILE_COL).alias("file"),
            pl.col(ROW_COL).alias("row"),
            pl.col(REASON_COL).alias("reason"),
            *columns,
            *[pl.col(c.name).cast(pl.String).alias(f"__raw_{c.name}") for c in source.columns if c.is_insz],
        )
        .sort(["file", "row"])
    )


def source_by_name(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source '{name}', expected one of {', '.join(SOURCES)}") from None
