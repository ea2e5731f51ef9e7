"""Rejectable defects: rows that ingestion must quarantine (SPEC §4), injected at a small rate.

Every defect mutates one clean row (or appends an exact copy of one, for duplicates), so that each
defective row has exactly one reason to be rejected and the counts recorded in the manifest can be
re-counted from the files. Text-level defects that Parquet cannot carry (``2023-02-30``,
``85O101...``) go to one small CSV corrections file per source (see ``Corrections``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from sources.contract import SOURCES, Source
from sources.insz import check_digits

from . import calibration as cal
from .population import nobody_insz
from .util import rng_for

# (column, unknown value) alternatives per source for the ``unknown_code`` defect.
UNKNOWN_CODES = {
    "members": (("ziekenfonds_code", "SOL_XXX"),),
    "zorgkas_affiliations": (("zorgkas_code", "999"),),
    "contributions": (("scheme", "ZORGKASPREMIE"),),
    "zorgkas_dossiers": (("zorgkas_code", "999"),),
    "zorgkas_mutations": (("zorgkas_code", "999"),),
    "dmw_registrations": (("dmw_code", "DMW_UNKNOWN"), ("typemodule", "TRAJECTBEGELEDING")),
    "dmw_proactive_actions": (("dmw_code", "DMW_UNKNOWN"),),
    "dmw_housing_advice": (("dmw_code", "DMW_UNKNOWN"),),
    "dmw_aid_loans": (("dmw_code", "DMW_UNKNOWN"),),
    "dmw_personal_alarms": (("dmw_code", "DMW_UNKNOWN"),),
    "dmw_staff": (("dmw_code", "DMW_UNKNOWN"),),
    "member_indicators": (("indicator", "WEDUWNAAR"),),
    "vt_mailings": (("indicator", "GEPENSIONNEERDE"),),
    "right_renewals": (("outcome", "AUTO_JULY"),),
}
AMOUNT_COLUMNS = {
    "contributions": "amount_due",
    "zorgkas_payments": "amount",
    "dmw_personal_alarms": "monthly_contribution",
}
IMPOSSIBLE_YEARS = (1880, 2099)


def date_columns(source: Source) -> list[str]:
    return [c.name for c in source.columns if c.kind == "date"]


def order_pair(source: Source) -> tuple[str, str] | None:
    """The (start, end) pair used for ``end_before_start``: the last one whose start is required."""
    pairs = [p for p in source.date_order if source.column(p[0]).required] or list(source.date_order)
    return pairs[-1] if pairs else None


def defect_kinds(source: Source) -> list[str]:
    """Rejectable defect kinds that make sense for a source's columns."""
    kinds = []
    if "insz" in source.column_names:
        kinds += ["bad_insz_checksum", "malformed_insz"]
    if date_columns(source):
        kinds.append("impossible_date")
    if order_pair(source):
        kinds.append("end_before_start")
    if source.name in UNKNOWN_CODES:
        kinds.append("unknown_code")
    if source.name in AMOUNT_COLUMNS:
        kinds.append("negative_amount")
    if "titularis_insz" in source.column_names:
        kinds.append("unknown_titularis")
    if source.null_when:
        kinds.append("null_against_code")
    return kinds + ["duplicate_row"]


def replace_values(table: pa.Table, column: str, rows: np.ndarray, values: list) -> pa.Table:
    """``table`` with ``column[rows] = values`` (vectorised take over an appended array)."""
    pos = table.schema.get_field_index(column)
    old = table.column(pos).combine_chunks()
    index = np.arange(len(old))
    index[rows] = len(old) + np.arange(len(rows))
    new = pa.concat_arrays([old, pa.array(values, type=old.type)]).take(pa.array(index))
    return table.set_column(pos, table.schema.field(pos), new)


def wrong_check_digits(value: str) -> str:
    """The same INSZ with check digits that match neither century reading."""
    valid = {check_digits(value[:9], False), check_digits(value[:9], True)}
    wrong = next(c for c in range((int(value[9:]) + 1) % 97, 200) if c % 97 not in valid) % 97
    return f"{value[:9]}{wrong:02d}"


def malformed(value: str, variant: int) -> str:
    """Wrong length (too short, too long) or a letter for a digit."""
    return (value[:10], value + "7", value[:2] + "O" + value[3:])[variant % 3]


def with_year(value: date | None, year: int, fallback: date) -> date:
    base = value or fallback
    return date(year, base.month, min(base.day, 28))


class DefectInjector:
    """Injects the rejectable defects of one source batch by batch, and counts them.

    Each kind hits ``REJECTABLE_RATE`` of the rows, and the first batches are topped up until
    every kind has at least ``MIN_REJECTABLE_PER_KIND`` rows, whatever the scale.
    """

    def __init__(self, source_name: str, seed: int):
        self.source = SOURCES[source_name]
        self.kinds = defect_kinds(self.source)
        self.seed = seed
        self.batches = 0
        self.counts: Counter[str] = Counter()

    def apply(self, table: pa.Table, protected: np.ndarray | None = None) -> tuple[pa.Table, np.ndarray, np.ndarray]:
        """Defective version of ``table``, with for every output row the index of the row it came
        from and whether it was touched (mutated, duplicated or a duplicate). ``protected`` rows
        are left alone (e.g. titularissen with dependants, whose loss would orphan other rows)."""
        rng = rng_for(self.seed, "defects", self.source.name, self.batches)
        self.batches += 1
        n = table.num_rows
        touched = np.zeros(n, dtype=bool) if protected is None else np.asarray(protected, dtype=bool).copy()
        for kind in self.kinds:
            if kind == "duplicate_row":
                continue
            rows = self._pick(rng, kind, table, touched)
            touched[rows] = True
            table = getattr(self, f"_{kind}")(table, rows, rng)
        rows = self._pick(rng, "duplicate_row", table, touched)
        touched[rows] = True
        source_rows = np.concatenate([np.arange(n), rows])
        table = pa.concat_tables([table, table.take(pa.array(rows))])
        return table, source_rows, np.concatenate([touched, np.ones(rows.size, dtype=bool)])

    def _pick(self, rng, kind: str, table: pa.Table, touched: np.ndarray) -> np.ndarray:
        eligible = ~touched & self._eligible(kind, table)
        pool = np.flatnonzero(eligible)
        wanted = int(rng.binomial(pool.size, cal.REJECTABLE_RATE)) if pool.size else 0
        wanted = max(wanted, cal.MIN_REJECTABLE_PER_KIND - self.counts[kind])
        # never more than a tenth of a batch, so that small batches stay mostly clean
        wanted = min(wanted, pool.size, max(1, table.num_rows // 10))
        rows = np.sort(rng.choice(pool, size=wanted, replace=False)) if wanted > 0 else np.empty(0, "int64")
        self.counts[kind] += rows.size
        return rows

    def _eligible(self, kind: str, table: pa.Table) -> np.ndarray:
        n = table.num_rows
        if self.source.null_when and kind in ("impossible_date", "end_before_start", "null_against_code"):
            return self._eligible_with_null_rule(kind, table)
        if kind == "end_before_start":
            start = order_pair(self.source)[0]
            return ~np.asarray(table.column(start).is_null().to_numpy(zero_copy_only=False))
        if kind == "unknown_titularis":
            return ~np.asarray(table.column("titularis_insz").is_null().to_numpy(zero_copy_only=False))
        if kind == "negative_amount":
            values = table.column(AMOUNT_COLUMNS[self.source.name]).to_numpy(zero_copy_only=False)
            return np.nan_to_num(values.astype("float64")) > 0
        return np.ones(n, dtype=bool)

    def _eligible_with_null_rule(self, kind: str, table: pa.Table) -> np.ndarray:
        """Where a date column must be empty for some codes (right_renewals.decided_on), a date
        defect only goes to rows that hold the date and no other date of its pair, so that the
        row has exactly one reason to be rejected."""

        def present(column: str) -> np.ndarray:
            return ~np.asarray(table.column(column).is_null().to_numpy(zero_copy_only=False))

        rule = self.source.null_when[0]
        start, end = order_pair(self.source)
        if kind == "impossible_date":
            return present(date_columns(self.source)[0]) & present(end) & ~present(start)
        if kind == "end_before_start":
            return present(start) & present(end)
        codes = np.asarray(table.column(rule.when_column).to_numpy(zero_copy_only=False)).astype(str)
        exempt = np.isin(codes, rule.codes)
        return exempt | (present(rule.column) & ~present(start))

    # -- one method per kind ---------------------------------------------------------------------

    def _bad_insz_checksum(self, table, rows, rng):
        values = table.column("insz").take(pa.array(rows)).to_pylist()
        return replace_values(table, "insz", rows, [wrong_check_digits(v) for v in values])

    def _malformed_insz(self, table, rows, rng):
        values = table.column("insz").take(pa.array(rows)).to_pylist()
        return replace_values(table, "insz", rows, [malformed(v, i) for i, v in enumerate(values)])

    def _impossible_date(self, table, rows, rng):
        """Alternately 1880 in the first (start-like) date column and 2099 in the end column of
        the date pair (or the first column when there is no pair): never also an order error."""
        first = date_columns(self.source)[0]
        pair = order_pair(self.source)
        second = pair[1] if pair else first
        early, late = rows[0::2], rows[1::2]
        fallback = date(2020, 6, 15)
        for column, part, year in ((first, early, IMPOSSIBLE_YEARS[0]), (second, late, IMPOSSIBLE_YEARS[1])):
            if part.size:
                values = table.column(column).take(pa.array(part)).to_pylist()
                table = replace_values(table, column, part, [with_year(v, year, fallback) for v in values])
        return table

    def _end_before_start(self, table, rows, rng):
        start, end = order_pair(self.source)
        starts = table.column(start).take(pa.array(rows)).to_pylist()
        gaps = rng.integers(1, 366, rows.size)
        return replace_values(table, end, rows, [s - timedelta(days=int(g)) for s, g in zip(starts, gaps)])

    def _unknown_code(self, table, rows, rng):
        options = UNKNOWN_CODES[self.source.name]
        for i, (column, value) in enumerate(options):
            part = rows[i :: len(options)]
            if part.size:
                table = replace_values(table, column, part, [value] * part.size)
        return table

    def _negative_amount(self, table, rows, rng):
        column = AMOUNT_COLUMNS[self.source.name]
        values = table.column(column).take(pa.array(rows)).to_pylist()
        return replace_values(table, column, rows, [-v for v in values])

    def _null_against_code(self, table, rows, rng):
        """A date where the code says there is none (right_renewals: a NO_RIGHT row with a decision
        date, 20 days after its letter), or none where it is required."""
        rule = self.source.null_when[0]
        start = order_pair(self.source)[0]
        codes = table.column(rule.when_column).take(pa.array(rows)).to_pylist()
        starts = table.column(start).take(pa.array(rows)).to_pylist()
        values = [
            (s or date(2020, 11, 10)) + timedelta(days=20) if code in rule.codes else None
            for code, s in zip(codes, starts)
        ]
        return replace_values(table, rule.column, rows, values)

    def _unknown_titularis(self, table, rows, rng):
        return replace_values(table, "titularis_insz", rows, nobody_insz(rng, rows.size))


def csv_cell(value: object) -> str:
    """One value in the SPEC CSV dialect."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    return value.isoformat() if isinstance(value, date) else str(value)


class Corrections:
    """One manual-upload CSV per source: a few valid rows moved out of the Parquet extract plus
    text-level defects (an impossible calendar date, a letter in an INSZ)."""

    def __init__(self, source_name: str, year: int, seed: int):
        self.source = SOURCES[source_name]
        self.year = year
        self.rng = rng_for(seed, "corrections", source_name)
        self.rows: list[list[str]] | None = None
        self.counts: Counter[str] = Counter()

    @property
    def file_name(self) -> str:
        return f"{self.source.name}_corrections_{self.year}.csv"

    def take(self, table: pa.Table, touched: np.ndarray) -> np.ndarray | None:
        """Move valid rows of ``table`` here and add defective copies of others; returns the mask
        of rows that stay in the batch (None: nothing taken). Only the first sufficiently large
        batch is used."""
        clean = np.flatnonzero(~touched)
        n_defects = 2 * cal.CORRECTIONS_DEFECT_ROWS
        if self.rows is not None or clean.size < 4 * (cal.CORRECTIONS_VALID_ROWS + n_defects):
            return None
        picked = self.rng.choice(clean, size=cal.CORRECTIONS_VALID_ROWS + n_defects, replace=False)
        moved, copied = np.sort(picked[: cal.CORRECTIONS_VALID_ROWS]), picked[cal.CORRECTIONS_VALID_ROWS :]
        names = self.source.column_names
        self.rows = [[csv_cell(v) for v in row.values()] for row in table.take(pa.array(moved)).to_pylist()]
        for i, row in enumerate(table.take(pa.array(copied)).to_pylist()):
            self.rows.append(self._damage([csv_cell(row[c]) for c in names], i))
        keep = np.ones(table.num_rows, dtype=bool)
        keep[moved] = False
        return keep

    def _damage(self, cells: list[str], i: int) -> list[str]:
        """A date that does not exist (YYYY-02-30) or an INSZ with the letter O, with a changed
        identifier so that the row is not also a duplicate key."""
        names = self.source.column_names
        has_insz = "insz" in names
        if i % 2 == 0 or not has_insz:
            keyed_dates = [c for c in self.source.key if c in date_columns(self.source)]
            candidates = keyed_dates or date_columns(self.source)
            column = candidates[0]
            if self.source.null_when:  # a date where the row has one: the row keeps a single reason
                column = next((c for c in candidates if cells[names.index(c)]), column)
            pos = names.index(column)
            cells[pos] = f"{(cells[pos] or '2020')[:4]}-02-30"
            kind = "unparseable_date"
        else:
            pos = names.index("insz")
            cells[pos] = cells[pos][:2] + "O" + cells[pos][3:]
            kind = "malformed_insz"
        key = self.source.key
        if len(key) == 1 and key[0] not in ("insz",):
            cells[names.index(key[0])] += f"-C{i + 1}"
        self.counts[kind] += 1
        return cells

    def write(self, folder) -> str | None:
        """Write the CSV (UTF-8, ';', header, '\\n'); None when no batch was large enough."""
        if self.rows is None:
            return None
        lines = [";".join(self.source.column_names)] + [";".join(r) for r in self.rows]
        (folder / self.file_name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return self.file_name
