"""Small vectorised helpers shared by the generator: random streams, day arithmetic, strings.

Dates are handled as ``int32``/``int64`` days since 1970-01-01 everywhere, because that is what
Arrow's ``date32`` stores: no conversion is needed when a column is written.
"""

from __future__ import annotations

import zlib
from datetime import date

import numpy as np
import pyarrow as pa

EPOCH = date(1970, 1, 1)


def rng_for(seed: int, *labels: object) -> np.random.Generator:
    """An independent random stream per (seed, labels).

    The labels are hashed with CRC-32 (not ``hash()``, which is salted per process), so that every
    source and chunk draws from its own reproducible stream whatever the order of generation.
    """
    key = tuple(zlib.crc32(str(label).encode()) for label in labels)
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


# --- days --------------------------------------------------------------------------------------


def day(y: int, m: int = 1, d: int = 1) -> int:
    """Days since the epoch of one calendar date."""
    return (date(y, m, d) - EPOCH).days


def ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month (1-12) and day (1-31) of an array of day numbers."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    years = months.astype("datetime64[Y]")
    year = years.astype("int64") + 1970
    month = (months - years).astype("int64") + 1
    dom = (d - months).astype("int64") + 1
    return year, month, dom


def month_index(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 (a sortable month number) of an array of day numbers."""
    return np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def month_start(month_idx: np.ndarray) -> np.ndarray:
    """First day of a month number, as day numbers."""
    return np.asarray(month_idx, dtype="int64").astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def month_end(month_idx: np.ndarray) -> np.ndarray:
    """Last day of a month number, as day numbers."""
    return month_start(np.asarray(month_idx, dtype="int64") + 1) - 1


def add_years(days: np.ndarray, years: int | np.ndarray) -> np.ndarray:
    """Same calendar day ``years`` later (29 February becomes 1 March), e.g. a 25th birthday."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    offset = d - months.astype("datetime64[D]")
    moved = (months + np.asarray(years, dtype="int64") * 12).astype("datetime64[D]") + offset
    return moved.astype("int64")


def uniform_days(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A uniform day in [low, high] (inclusive) per element; high < low gives low."""
    low = np.asarray(low, dtype="int64")
    span = np.maximum(np.asarray(high, dtype="int64") - low, 0) + 1
    return low + np.floor(rng.random(low.shape) * span).astype("int64")


# --- weighted choice -----------------------------------------------------------------------------


def choose_weighted(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Positions of exactly ``k`` distinct elements drawn without replacement, with probability
    proportional to ``weights`` (Efraimidis-Spirakis keys), returned sorted.

    Exact counts are what lets the ``solidaris`` profile hit published year-end figures.
    Elements with weight 0 are never drawn; asking for more than there are raises.
    """
    weights = np.asarray(weights, dtype="float64")
    k = int(k)
    if k <= 0:
        return np.empty(0, dtype="int64")
    positive = np.flatnonzero(weights > 0)
    if k > positive.size:
        raise ValueError(f"cannot draw {k} elements from {positive.size} with positive weight")
    keys = np.log(rng.random(positive.size)) / weights[positive]
    top = np.argpartition(-keys, k - 1)[:k]
    return np.sort(positive[top])


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that sum exactly to ``total`` (Hamilton's method;
    ties go to the earlier element, so the result is deterministic)."""
    weights = np.asarray(weights, dtype="float64")
    quota = total * weights / weights.sum()
    base = np.floor(quota).astype("int64")
    remainder = quota - base
    extra = int(total - base.sum())
    order = np.lexsort((np.arange(len(weights)), -remainder))
    base[order[:extra]] += 1
    return base


def round_half_up(x: np.ndarray | float) -> np.ndarray:
    """Rounding that does not depend on banker's rules: 0.5 goes up."""
    return np.floor(np.asarray(x, dtype="float64") + 0.5).astype("int64")


# --- strings -------------------------------------------------------------------------------------


def digit_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digits of non-negative integers, zero-padded to ``width``: an (n, width) uint8 array."""
    values = np.asarray(values, dtype="int64").copy()
    out = np.empty((values.size, width), dtype="uint8")
    for pos in range(width - 1, -1, -1):
        out[:, pos] = values % 10 + 48
        values //= 10
    return out


def text_matrix(text: str, n: int) -> np.ndarray:
    """A constant text repeated on n rows, as an (n, len) uint8 array."""
    row = np.frombuffer(text.encode("ascii"), dtype="uint8")
    return np.broadcast_to(row, (n, row.size))


def strings_from_matrix(matrix: np.ndarray) -> pa.Array:
    """An Arrow string array whose i-th value is row i of a fixed-width ASCII matrix.

    Building the buffers directly avoids creating millions of Python strings.
    """
    matrix = np.ascontiguousarray(matrix, dtype="uint8")
    n, width = matrix.shape
    offsets = (np.arange(n + 1, dtype="int64") * width).astype("int32")
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(matrix.tobytes())])


def join_fixed(*parts: np.ndarray) -> pa.Array:
    """Concatenate fixed-width parts (matrices from ``digit_matrix``/``text_matrix``) into strings."""
    return strings_from_matrix(np.hstack(parts))


def labels(codes: tuple[str, ...] | list[str], index: np.ndarray) -> pa.Array:
    """Arrow strings ``codes[index]`` (plain strings, not a dictionary array)."""
    return pa.array(list(codes), pa.string()).take(pa.array(np.asarray(index, dtype="int64")))


def month_strings(month_idx: np.ndarray) -> pa.Array:
    """``YYYY-MM`` strings of month numbers."""
    month_idx = np.asarray(month_idx, dtype="int64")
    n = month_idx.size
    return join_fixed(digit_matrix(month_idx // 12 + 1970, 4), text_matrix("-", n), digit_matrix(month_idx % 12 + 1, 2))
