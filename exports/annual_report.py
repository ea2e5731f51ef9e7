"""Annual-report export (SPEC §6): ``annual_report/key_figures.csv``, ``finance.csv`` and
``staff_fte.csv`` for one reporting year, read from the marts of the membership and finance
domains. Formatting only: the KPIs (SPEC §5) are computed once, in dbt.

Row order is fixed so that re-running the same inputs gives byte-identical files:
- key_figures: the ziekenfondsen in code order, then the landsbond total ``ALL`` as the last row
  (as a total is printed under its parts);
- finance: by entity, then rubric;
- staff_fte: the departments by name, then the total row (``Totaal``) last.

Small-cell suppression (SPEC §6: person counts below 5 at a grain finer than a whole DMW or
ziekenfonds) does not apply here: key figures are per ziekenfonds or for the whole landsbond, and
finance and staff contain no person counts. The tables therefore keep ``suppress_small_counts``
off.
"""

from __future__ import annotations

from exports.tables import ExportColumn, ExportSpec, ExportTable, fetch_rows

KEY_FIGURES_COLUMNS = (
    ExportColumn("year", "text"),
    ExportColumn("ziekenfonds_code", "text"),
    ExportColumn("leden", "count"),
    ExportColumn("leden_delta_12m", "int"),
    ExportColumn("titularissen", "count"),
    ExportColumn("titularissen_delta_12m", "int"),
    ExportColumn("vt_leden", "count"),
    ExportColumn("vt_leden_delta_12m", "int"),
    ExportColumn("vt_share", "share"),
    ExportColumn("market_share_leden", "share"),
    ExportColumn("market_share_titularissen", "share"),
    ExportColumn("zorgkas_leden", "count"),
    ExportColumn("zorgkas_active_dossiers", "int"),
)
FINANCE_COLUMNS = (
    ExportColumn("entity", "text"),
    ExportColumn("rubric", "text"),
    ExportColumn("year", "text"),
    ExportColumn("amount_eur", "eur"),
    ExportColumn("previous_year_amount_eur", "eur"),
)
STAFF_FTE_COLUMNS = (
    ExportColumn("department", "text"),
    ExportColumn("fte", "decimal"),
)
LANDSBOND_TOTAL = "ALL"


def _columns(columns: tuple[ExportColumn, ...]) -> str:
    return ", ".join(c.name for c in columns)


def key_figures(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        f"""
        select {_columns(KEY_FIGURES_COLUMNS)}, national_totals_status, leden_in_several_ziekenfondsen
        from marts.fct_membership_year
        where year = ?
        order by case when ziekenfonds_code = '{LANDSBOND_TOTAL}' then 1 else 0 end, ziekenfonds_code
        """,
        [year],
    )
    notes = [
        f"{LANDSBOND_TOTAL} (last row) = the landsbond: the sum of its ziekenfondsen, except that its zorgkas "
        "figures also count zorgkas members (and their dossiers) who are no lid on 31/12. "
        f"Stocks on 31/12/{year}."
    ]
    total = next((r for r in rows if r["ziekenfonds_code"] == LANDSBOND_TOTAL), None)
    if total is not None:
        status = total["national_totals_status"]
        if status is None:
            notes.append(f"No national totals for {year} in seed national_insured_totals: market shares left empty.")
        elif status != "published":
            notes.append(
                f"Market shares use national totals with status '{status}' (seed national_insured_totals), "
                "not published national figures."
            )
        if total["leden_in_several_ziekenfondsen"]:
            notes.append(
                f"Persons covered by two ziekenfondsen on 31/12/{year} (data error): "
                f"{total['leden_in_several_ziekenfondsen']}; each is counted once, in the latest affiliation."
            )
        if total["leden_delta_12m"] is None:
            notes.append(f"{year - 1} is not loaded: the 12-month changes are left empty.")
    return ExportTable("key_figures", KEY_FIGURES_COLUMNS, rows, notes=notes)


def finance(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        f"select {_columns(FINANCE_COLUMNS)} from marts.fct_finance_year where year = ? order by entity, rubric",
        [year],
    )
    return ExportTable("finance", FINANCE_COLUMNS, rows)


def staff_fte(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        """
        select department, fte, is_total, reported_total_fte
        from marts.fct_staff_fte_year
        where year = ?
        order by case when is_total then 1 else 0 end, department
        """,
        [year],
    )
    notes = ["Totaal = the sum of the departments above it."]
    for row in rows:
        if row["is_total"] and row["reported_total_fte"] is not None and row["reported_total_fte"] != row["fte"]:
            notes.append(
                f"The source reports a total of {row['reported_total_fte']:.2f} vte; "
                f"its departments sum to {row['fte']:.2f} vte, the total shown here."
            )
    return ExportTable("staff_fte", STAFF_FTE_COLUMNS, rows, notes=notes)


def tables(con, year: int) -> list[ExportTable]:
    return [key_figures(con, year), finance(con, year), staff_fte(con, year)]


EXPORTS = [
    ExportSpec(
        "annual_report",
        tables,
        marts=(("marts", "fct_membership_year"), ("marts", "fct_finance_year"), ("marts", "fct_staff_fte_year")),
        order=0,
    )
]
