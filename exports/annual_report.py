"""Annual-report export (SPEC §6): ``annual_report/key_figures.csv``, ``finance.csv`` and
``staff_fte.csv`` for one reporting year, read from the marts of the membership and finance
domains. Formatting only: the KPIs (SPEC §5) are computed once, in dbt.

``annual_report.xlsx`` starts with the sheet Kerncijfers (the jaarverslag's key-figures page) and
shows, next to the CSV columns, the year before and the relative changes of
``fct_membership_year_change`` and ``fct_finance_year_change`` (workbook-only columns, issue 17).

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

from exports.labels import LANDSBOND_NAME, LANDSBOND_TOTAL, load_names
from exports.tables import ExportColumn, ExportSpec, ExportTable, csv_names, fetch_rows, select_list


def _count_with_change(measure: str) -> tuple[ExportColumn, ...]:
    """A count on 31/12 and its difference over 12 months (CSV, SPEC §6) with, for the workbook only,
    the year before and the relative change of fct_membership_year_change, as the jaarverslag prints
    "+26 818 (+0,8 %)"."""
    return (
        ExportColumn(measure, "count"),
        ExportColumn(f"{measure}_previous_year", "count", in_csv=False),
        ExportColumn(f"{measure}_delta_12m", "delta"),
        ExportColumn(f"{measure}_change_share", "delta_share", in_csv=False),
    )


KEY_FIGURES_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("ziekenfonds_code", "text"),
    *_count_with_change("leden"),
    *_count_with_change("titularissen"),
    *_count_with_change("vt_leden"),
    ExportColumn("vt_share", "share"),
    ExportColumn("market_share_leden", "share"),
    ExportColumn("market_share_titularissen", "share"),
    ExportColumn("zorgkas_leden", "count"),
    ExportColumn("zorgkas_active_dossiers", "int"),
)
# The columns of fct_membership_year in key_figures.csv (SPEC §6): the key figures, also the columns the
# membership dashboards read (dashboards/membership.py).
MEMBERSHIP_YEAR_COLUMNS = csv_names(KEY_FIGURES_COLUMNS)
FINANCE_COLUMNS = (
    ExportColumn("entity", "text"),
    ExportColumn("rubric", "text"),
    ExportColumn("year", "int"),
    ExportColumn("amount_eur", "eur"),
    ExportColumn("previous_year_amount_eur", "eur"),
    ExportColumn("change_eur", "delta_eur", in_csv=False),
    ExportColumn("change_share", "delta_share", in_csv=False),
)
STAFF_FTE_COLUMNS = (
    ExportColumn("department", "text"),
    ExportColumn("fte", "decimal"),
)
KERNCIJFERS_COLUMNS = (
    ExportColumn("kerncijfer", "text", in_csv=False),
    ExportColumn("value", "int", in_csv=False),
    ExportColumn("previous_year", "int", in_csv=False),
    ExportColumn("delta_12m", "delta", in_csv=False),
    ExportColumn("change_share", "delta_share", in_csv=False),
    ExportColumn("share", "share", in_csv=False),
    ExportColumn("share_of", "text", in_csv=False),
)


def _key_figure_rows(con, year: int) -> list[dict]:
    return fetch_rows(
        con,
        f"""
        select {select_list(KEY_FIGURES_COLUMNS[:2], "m.")}, {select_list(KEY_FIGURES_COLUMNS[2:])},
            m.national_totals_status, m.leden_in_several_ziekenfondsen
        from marts.fct_membership_year as m
        left join marts.fct_membership_year_change as c
            on m.year = c.year and m.ziekenfonds_code = c.ziekenfonds_code
        where m.year = ?
        order by case when m.ziekenfonds_code = '{LANDSBOND_TOTAL}' then 1 else 0 end, m.ziekenfonds_code
        """,
        [year],
    )


def _key_figure_notes(rows: list[dict], year: int) -> list[str]:
    notes = [
        f"{LANDSBOND_NAME} (laatste rij, code {LANDSBOND_TOTAL} in key_figures.csv) = de som van zijn ziekenfondsen, "
        "behalve de zorgkascijfers: die tellen ook de zorgkasleden (en hun dossiers) die op 31/12 geen lid zijn. "
        f"Toestand op 31/12/{year}; verschil op 12 maanden = toestand op 31/12/{year} min die op 31/12/{year - 1}.",
    ]
    total = next((r for r in rows if r["ziekenfonds_code"] == LANDSBOND_TOTAL), None)
    if total is not None:
        status = total["national_totals_status"]
        if status is None:
            notes.append(f"Geen nationale totalen voor {year} in seed national_insured_totals: marktaandelen leeg.")
        elif status != "published":
            notes.append(
                f"De marktaandelen gebruiken nationale totalen met status '{status}' (seed national_insured_totals), "
                "geen gepubliceerde nationale cijfers."
            )
        if total["leden_in_several_ziekenfondsen"]:
            notes.append(
                f"Personen gedekt door twee ziekenfondsen op 31/12/{year} (gegevensfout): "
                f"{total['leden_in_several_ziekenfondsen']}; elk telt één keer, in de laatste aansluiting."
            )
        if total["leden_delta_12m"] is None:
            notes.append(f"{year - 1} is niet geladen: de verschillen op 12 maanden zijn leeg.")
    return notes


def key_figures(con, year: int) -> ExportTable:
    rows = _key_figure_rows(con, year)
    return ExportTable("key_figures", KEY_FIGURES_COLUMNS, rows, notes=_key_figure_notes(rows, year))


def kerncijfers(con, year: int) -> ExportTable:
    """The first sheet of annual_report.xlsx, laid out as the jaarverslag's key-figures page ("Op 31
    december 2023 telde Solidaris ... 3 309 773 leden (+26 818 op 12 maanden tijd), 28,6 %
    marktaandeel"): the landsbond's figures with the year before and the change, then the leden per
    ziekenfonds. Workbook only (no CSV): the same figures are in key_figures.csv."""
    rows = _key_figure_rows(con, year)
    total = next((r for r in rows if r["ziekenfonds_code"] == LANDSBOND_TOTAL), None)
    names = load_names(con)["ziekenfonds_code"]

    def line(label, row, measure, share=None, share_of=None, delta=None, change=None, bold=False):
        return {
            "kerncijfer": label,
            "value": row[measure],
            "previous_year": row.get(f"{measure}_previous_year", None),
            "delta_12m": row[delta or f"{measure}_delta_12m"],
            "change_share": row[change or f"{measure}_change_share"],
            "share": row[share] if share else None,
            "share_of": share_of if share and row[share] is not None else None,
            "_bold": bold,
        }

    out: list[dict] = []
    if total is not None:
        changes = fetch_rows(
            con,
            "select zorgkas_leden_previous_year, zorgkas_leden_delta_12m, zorgkas_leden_change_share,"
            " zorgkas_active_dossiers_previous_year, zorgkas_active_dossiers_delta_12m,"
            " zorgkas_active_dossiers_change_share"
            " from marts.fct_membership_year_change where year = ? and ziekenfonds_code = ?",
            [year, LANDSBOND_TOTAL],
        )
        total = dict(total, **(changes[0] if changes else {}))
        out += [
            {"_heading": f"{LANDSBOND_NAME} op 31 december {year}"},
            line("Titularissen", total, "titularissen", "market_share_titularissen", "marktaandeel", bold=True),
            line("Leden", total, "leden", "market_share_leden", "marktaandeel", bold=True),
            line("Leden met verhoogde tegemoetkoming (VT)", total, "vt_leden", "vt_share", "van de leden", bold=True),
            {"_heading": f"Zorgkas (eind {year})"},
            line("Leden van de zorgkas", total, "zorgkas_leden"),
            line("Actieve dossiers", total, "zorgkas_active_dossiers"),
        ]
    out.append({"_heading": "Leden per ziekenfonds"})
    for row in rows:
        if row["ziekenfonds_code"] != LANDSBOND_TOTAL:
            name = names.get(row["ziekenfonds_code"], row["ziekenfonds_code"])
            out.append(line(name, row, "leden", "market_share_leden", "marktaandeel"))
    notes = [
        "Zoals de kerncijfers van het jaarverslag: toestand op 31 december, verschil op 12 maanden en "
        f"verandering ten opzichte van 31/12/{year - 1}. Dezelfde cijfers staan in key_figures.csv (blad Ledencijfers).",
    ]
    if total is not None and total["leden_delta_12m"] is None:
        notes.append(f"{year - 1} is niet geladen: vorig jaar en de verschillen zijn leeg.")
    return ExportTable(
        "kerncijfers",
        KERNCIJFERS_COLUMNS,
        out,
        notes=notes,
        csv=False,
        period=f"toestand op 31/12/{year}",
        fit_one_page=True,
    )


def finance(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        f"""
        select {select_list(FINANCE_COLUMNS[:5], "f.")}, c.change_eur, c.change_share
        from marts.fct_finance_year as f
        left join marts.fct_finance_year_change as c
            on f.entity = c.entity and f.rubric = c.rubric and f.year = c.year
        where f.year = ?
        order by f.entity, f.rubric
        """,
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
    notes = ["Totaal = de som van de diensten erboven."]
    for row in rows:
        if row["is_total"] and row["reported_total_fte"] is not None and row["reported_total_fte"] != row["fte"]:
            notes.append(
                f"De bron meldt een totaal van {row['reported_total_fte']:.2f} vte; "
                f"de diensten tellen op tot {row['fte']:.2f} vte, het totaal dat hier staat."
            )
    return ExportTable("staff_fte", STAFF_FTE_COLUMNS, rows, notes=notes)


def tables(con, year: int) -> list[ExportTable]:
    return [kerncijfers(con, year), key_figures(con, year), finance(con, year), staff_fte(con, year)]


EXPORTS = [
    ExportSpec(
        "annual_report",
        tables,
        marts=(
            ("marts", "fct_membership_year"),
            ("marts", "fct_membership_year_change"),
            ("marts", "fct_finance_year"),
            ("marts", "fct_finance_year_change"),
            ("marts", "fct_staff_fte_year"),
        ),
        order=0,
    )
]
