"""Reading the marts for the dashboards: only columns that the marts publish, never a KPI formula.

A mart that does not exist yet (not built, or a model still being written), misses a column or is
empty is not an error for a dashboard: the read returns the reason, and the page says "nog geen
gegevens" with that reason instead of failing the run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import polars as pl
import polars.selectors as cs

from exports.labels import LANDSBOND_DMW_PREFIX, LANDSBOND_TOTAL


@dataclass(frozen=True)
class MartRead:
    table: str
    frame: pl.DataFrame | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.frame is not None

    def has(self, column: str) -> bool:
        return self.frame is not None and column in self.frame.columns


def model_names(*tables: str) -> tuple[str, ...]:
    """``marts.fct_x`` → ``fct_x``: the dbt models of the marts a dashboard reads."""
    return tuple(table.partition(".")[2] for table in tables)


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, _, name = table.partition(".")
    rows = con.sql(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position",
        params=[schema, name],
    ).fetchall()
    return [r[0] for r in rows]


def read_mart(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: tuple[str, ...],
    optional: tuple[str, ...] = (),
    order_by: tuple[str, ...] = (),
) -> MartRead:
    """``columns`` must exist; ``optional`` ones are read when the mart has them. Decimals become
    floats (Plotly needs numbers); rows are ordered so that the HTML is the same on every run."""
    available = table_columns(con, table)
    if not available:
        return MartRead(table, None, f"de tabel {table} bestaat nog niet in het warehouse")
    missing = [c for c in columns if c not in available]
    if missing:
        return MartRead(table, None, f"de tabel {table} mist de kolom(men) {', '.join(missing)}")
    selected = [*columns, *(c for c in optional if c in available)]
    quoted = ", ".join(f'"{c}"' for c in selected)
    order = f" order by {', '.join(order_by)}" if order_by else ""
    frame = con.sql(f"select {quoted} from {table}{order}").pl()
    frame = frame.with_columns(cs.decimal().cast(pl.Float64))
    if frame.height == 0:
        return MartRead(table, None, f"de tabel {table} is nog leeg")
    return MartRead(table, frame)


@dataclass(frozen=True)
class Dmw:
    name: str
    landsbond_code: str | None = None
    ziekenfonds_code: str | None = None


@dataclass(frozen=True)
class Norm:
    """A norm of seed dmw_norms as the page shows it: Dutch name, display unit (from its kind), the
    004 section and the export that lists its failing records (empty when none)."""

    name: str
    unit: str = "count"
    section: str = ""
    findings_export: str = ""


# Display unit of a norm by its kind in seed dmw_norms (PER_VTE, COUNT and BOOLEAN are counts).
KIND_UNITS = {"SHARE": "share", "MAX_EUR": "eur"}


@dataclass(frozen=True)
class Reference:
    """Names from the reference seeds; a missing seed falls back to the codes."""

    ziekenfondsen: dict[str, str] = field(default_factory=dict)
    zorgkassen: dict[str, str] = field(default_factory=dict)
    dmw: dict[str, Dmw] = field(default_factory=dict)
    landsbonden: dict[str, str] = field(default_factory=dict)
    own_zorgkas: str | None = None  # seed zorgkassen.is_own, highlighted on every page
    norms: dict[str, Norm] = field(default_factory=dict)  # seed dmw_norms, in its sort_order
    indicators: dict[str, str] = field(default_factory=dict)  # seed zorgkas_indicator_weights.short_name_nl
    indicator_records: dict[str, str] = field(default_factory=dict)  # and .records_nl: what its population counts

    def ziekenfonds_name(self, code: str) -> str:
        if code == LANDSBOND_TOTAL:
            return "Landsbond (totaal)"
        return self.ziekenfondsen.get(code, code)

    def zorgkas_name(self, code: str) -> str:
        name = self.zorgkassen.get(code)
        return f"{code} {name}" if name else f"Zorgkas {code}"

    def dmw_name(self, code: str) -> str:
        if code.startswith(LANDSBOND_DMW_PREFIX):
            landsbond = code.removeprefix(LANDSBOND_DMW_PREFIX)
            name = self.landsbonden.get(landsbond)
            return f"{name} (totaal landsbond {landsbond})" if name else f"Landsbond {landsbond} (totaal)"
        return self.dmw[code].name if code in self.dmw else code

    def dmw_info(self, code: str) -> Dmw:
        return self.dmw.get(code, Dmw(code))

    def norm(self, code: str) -> Norm:
        return self.norms.get(code, Norm(code))

    def norm_order(self, codes) -> list[str]:
        """Distinct codes in the seed's sort_order; codes the seed does not know last, by code."""
        known = list(self.norms)
        return sorted(set(codes), key=lambda c: (known.index(c) if c in known else len(known), c))


def _pairs(con: duckdb.DuckDBPyConnection, table: str, key: str, value: str) -> dict[str, str]:
    read = read_mart(con, table, (key, value), order_by=(key,))
    if not read.ok:
        return {}
    return {str(k): str(v) for k, v in read.frame.select(key, value).iter_rows()}


def read_reference(con: duckdb.DuckDBPyConnection) -> Reference:
    dmw: dict[str, Dmw] = {}
    read = read_mart(
        con,
        "reference.erkende_dmw",
        ("dmw_code", "name"),
        ("landsbond_code", "ziekenfonds_code"),
        order_by=("dmw_code",),
    )
    if read.ok:
        for row in read.frame.iter_rows(named=True):
            dmw[row["dmw_code"]] = Dmw(row["name"], row.get("landsbond_code"), row.get("ziekenfonds_code"))
    own = read_mart(con, "reference.zorgkassen", ("zorgkas_code", "is_own"), order_by=("zorgkas_code",))
    own_zorgkas = (
        next((code for code, is_own in own.frame.select("zorgkas_code", "is_own").iter_rows() if is_own), None)
        if own.ok
        else None
    )
    norms = read_mart(
        con,
        "reference.dmw_norms",
        ("norm_code", "name_nl", "kind"),
        ("section", "findings_export"),
        order_by=("sort_order", "norm_code"),
    )
    return Reference(
        own_zorgkas=own_zorgkas,
        norms={
            row["norm_code"]: Norm(
                row["name_nl"],
                KIND_UNITS.get(row["kind"], "count"),
                row.get("section") or "",
                row.get("findings_export") or "",
            )
            for row in norms.frame.iter_rows(named=True)
        }
        if norms.ok
        else {},
        indicators=_pairs(con, "reference.zorgkas_indicator_weights", "indicator", "short_name_nl"),
        indicator_records=_pairs(con, "reference.zorgkas_indicator_weights", "indicator", "records_nl"),
        ziekenfondsen=_pairs(con, "reference.ziekenfondsen", "ziekenfonds_code", "name"),
        zorgkassen=_pairs(con, "reference.zorgkassen", "zorgkas_code", "name"),
        dmw=dmw,
        landsbonden=_pairs(con, "reference.landsbonden", "landsbond_code", "short_name"),
    )
