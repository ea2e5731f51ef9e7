"""Non-take-up export (SPEC §5b, §6): ``exports/<year>/non_take_up/`` with ``vt_take_up.csv``,
``right_renewal.csv``, ``vt_mailing_list.csv`` and ``non_take_up.xlsx``, read from the marts of
the non_take_up domain. Formatting only: the KPIs are computed once, in dbt.

Small cells (SPEC §6: person counts below 5 at a grain finer than a whole ziekenfonds):
- ``vt_take_up``: a row of one indicator (within a ziekenfonds, or within the landsbond) is a part
  of a ziekenfonds's population, so its counts below 5 become ``<5``, and so does its
  conversion_rate when converted_12m or mailed is suppressed (the rate would give the number back).
  The ``ALL``-indicator rows are whole ziekenfondsen (or the landsbond) and are not suppressed.
- ``right_renewal``: every row is a whole ziekenfonds or the landsbond: not suppressed.
- ``vt_mailing_list``: a list of pseudonyms, itself personal data; the rule does not apply, and the
  notes say so.

Row order is fixed (ziekenfondsen in code order, then ``ALL``; indicators in the seed's order, then
``ALL``) so that the same inputs give byte-identical files.
"""

from __future__ import annotations

from exports.labels import LANDSBOND_NAME, LANDSBOND_TOTAL
from exports.tables import SMALL_CELL_THRESHOLD, SUPPRESSED, ExportColumn, ExportSpec, ExportTable, fetch_rows

ALL_INDICATORS_NAME = "Alle indicatoren"

TAKE_UP_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("ziekenfonds_code", "text"),
    ExportColumn("ziekenfonds_name", "text", in_csv=False),
    ExportColumn("indicator", "text"),
    ExportColumn("indicator_name", "text", in_csv=False),
    ExportColumn("candidates", "count"),
    ExportColumn("mailed", "count"),
    ExportColumn("reminders", "count"),
    ExportColumn("mailed_with_vt", "count"),
    ExportColumn("converted_12m", "count"),
    ExportColumn("conversion_rate", "share"),
    ExportColumn("not_mailed_candidates", "count"),
    ExportColumn("follow_up_complete", "bool"),
)
TAKE_UP_COUNTS = ("candidates", "mailed", "reminders", "mailed_with_vt", "converted_12m", "not_mailed_candidates")

# Cumulative steps; the Dutch headers are in seed export_labels (exports/labels.py).
STAGES = (
    "auto_june",
    "automatic",
    "without_contact",
    "letters_sent",
    "renewed_by_year_end",
    "without_right_at_year_end",
    "without_right_final",
)
RENEWAL_COLUMNS = (
    ExportColumn("right_year", "int"),
    ExportColumn("ziekenfonds_code", "text"),
    ExportColumn("ziekenfonds_name", "text", in_csv=False),
    ExportColumn("population", "int"),
    *(ExportColumn(stage, "int") for stage in STAGES),
    *(ExportColumn(f"{stage}_share", "share") for stage in STAGES),
)

MAILING_LIST_COLUMNS = (
    ExportColumn("pseudonym", "text"),
    ExportColumn("ziekenfonds_code", "text"),
    ExportColumn("ziekenfonds_name", "text", in_csv=False),
    ExportColumn("indicators", "text"),
    ExportColumn("last_sent_on", "text"),
    ExportColumn("is_reminder_due", "bool"),
)

MARTS = (
    ("marts", "fct_vt_take_up_year"),
    ("marts", "fct_right_renewal_year"),
    ("marts", "fct_vt_mailing_list"),
    ("reference", "ziekenfondsen"),
    ("reference", "vt_indicators"),
)

_ZIEKENFONDS_NAME = (
    f"case when m.ziekenfonds_code = '{LANDSBOND_TOTAL}' then '{LANDSBOND_NAME}'"
    " else coalesce(z.name, m.ziekenfonds_code) end as ziekenfonds_name"
)
_ZIEKENFONDS_JOIN = "left join reference.ziekenfondsen as z on m.ziekenfonds_code = z.ziekenfonds_code"
_ZIEKENFONDS_ORDER = f"case when m.ziekenfonds_code = '{LANDSBOND_TOTAL}' then 1 else 0 end, m.ziekenfonds_code"


def suppress_take_up_row(row: dict) -> dict:
    """Counts below 5 of a one-indicator row become ``<5``; the rate goes with its numbers."""
    if row["indicator"] == LANDSBOND_TOTAL:
        return row
    row = dict(row)
    for name in TAKE_UP_COUNTS:
        value = row[name]
        if value is not None and 0 < value < SMALL_CELL_THRESHOLD:
            row[name] = SUPPRESSED
    if SUPPRESSED in (row["converted_12m"], row["mailed"]) and row["conversion_rate"] is not None:
        row["conversion_rate"] = SUPPRESSED
    return row


def vt_take_up(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        f"""
        select m.year, m.ziekenfonds_code, {_ZIEKENFONDS_NAME}, m.indicator,
            case when m.indicator = '{LANDSBOND_TOTAL}' then '{ALL_INDICATORS_NAME}'
                else coalesce(i.name_nl, m.indicator) end as indicator_name,
            m.candidates, m.mailed, m.reminders, m.mailed_with_vt, m.converted_12m, m.conversion_rate,
            m.not_mailed_candidates, m.follow_up_complete, m.follow_up_ends_on, m.mailed_without_ziekenfonds
        from marts.fct_vt_take_up_year as m
        {_ZIEKENFONDS_JOIN}
        left join reference.vt_indicators as i on m.indicator = i.indicator
        where m.year = ?
        order by {_ZIEKENFONDS_ORDER},
            case when m.indicator = '{LANDSBOND_TOTAL}' then 1 else 0 end, i.sort_order, m.indicator
        """,
        [year],
    )
    notes = [
        f"Kandidaten: leden op 31/12/{year} zonder verhoogde tegemoetkoming (VT) met een indicator op die datum; "
        "wie meerdere indicatoren heeft, telt in elke indicator en één keer in 'Alle indicatoren'.",
        f"Aangeschreven: leden met een brief in {year}, bij de indicator van hun eerste brief van het jaar en het "
        "ziekenfonds op de dag van die brief. VT binnen 12 maanden: een VT-periode die begint binnen 365 dagen na "
        "die brief; wie op de dag van de brief al VT had, telt niet mee (Aangeschreven met VT).",
        "Cellen onder 5 personen in de rijen per indicator worden getoond als <5 (SPEC §6), en dan ook de "
        "omzettingsgraad; rijen 'Alle indicatoren' zijn een volledig ziekenfonds en worden niet afgeschermd.",
    ]
    total = next(
        (r for r in rows if r["ziekenfonds_code"] == LANDSBOND_TOTAL and r["indicator"] == LANDSBOND_TOTAL), None
    )
    if total is not None and not total["follow_up_complete"]:
        notes.insert(
            0,
            (
                f"VOORLOPIG: de 365 dagen na de brieven van {year} lopen tot {total['follow_up_ends_on']}, na het "
                "laatste geladen jaar. 'VT binnen 12 maanden' en de omzettingsgraad zijn voorlopig "
                "(follow_up_complete = false)."
            ),
        )
    if total is not None and total["mailed_without_ziekenfonds"]:
        notes.append(
            f"{total['mailed_without_ziekenfonds']} aangeschreven personen waren op de dag van hun brief bij geen "
            "ziekenfonds aangesloten: ze tellen alleen mee in de rijen van de landsbond."
        )
    return ExportTable("vt_take_up", TAKE_UP_COLUMNS, [suppress_take_up_row(r) for r in rows], notes=notes)


def right_renewal(con, year: int) -> ExportTable:
    stage_columns = ", ".join(f"m.{stage}, m.{stage}_share" for stage in STAGES)
    rows = fetch_rows(
        con,
        f"""
        select m.right_year, m.ziekenfonds_code, {_ZIEKENFONDS_NAME}, m.population, {stage_columns},
            m.outcome_date_conflicts, m.population_without_ziekenfonds
        from marts.fct_right_renewal_year as m
        {_ZIEKENFONDS_JOIN}
        where m.right_year = ?
        order by {_ZIEKENFONDS_ORDER}
        """,
        [year],
    )
    notes = [
        f"Verlenging van het recht op terugbetaling voor {year}, per ziekenfonds op 31/12/{year - 1}. De stappen "
        "zijn cumulatief: automatisch in juni, + later automatisch, + provinciale controle zonder contact, + na de "
        f"brief van november (tot 31/12/{year - 1}); aandelen zijn van de te verlengen personen.",
        "Elke rij is een volledig ziekenfonds of de landsbond: geen afscherming van kleine aantallen (SPEC §6).",
    ]
    total = next((r for r in rows if r["ziekenfonds_code"] == LANDSBOND_TOTAL), None)
    if total is not None and total["outcome_date_conflicts"]:
        notes.append(
            f"{total['outcome_date_conflicts']} verlengingen hebben een beslissingsdatum die niet bij hun uitkomst past "
            f"(bv. AFTER_LETTER beslist na 31/12/{year - 1}): de uitkomst bepaalt de stap; de datum is te controleren."
        )
    if total is not None and total["population_without_ziekenfonds"]:
        notes.append(
            f"{total['population_without_ziekenfonds']} personen waren op 31/12/{year - 1} bij geen ziekenfonds "
            "aangesloten: ze tellen alleen mee in de rij van de landsbond."
        )
    return ExportTable("right_renewal", RENEWAL_COLUMNS, rows, notes=notes)


def vt_mailing_list(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        f"""
        select m.pseudonym, m.ziekenfonds_code, {_ZIEKENFONDS_NAME}, m.indicators, m.last_sent_on, m.is_reminder_due
        from marts.fct_vt_mailing_list as m
        {_ZIEKENFONDS_JOIN}
        where m.reference_year = ?
        order by m.ziekenfonds_code, m.pseudonym
        """,
        [year],
    )
    notes = [
        "PERSOONSGEGEVENS: deze lijst bevat pseudoniemen van leden, geen telling. Alleen voor de verzending van "
        "de VT-brief; het operationele systeem, dat de sleutel heeft, zet ze om naar adressen. Niet verspreiden, "
        "nooit in dashboards; de regel van kleine aantallen (SPEC §6) is niet van toepassing.",
        f"Kandidaten op 31/12/{year} die een brief moeten krijgen: nooit aangeschreven, of de laatste brief meer "
        "dan 365 dagen voor 31/12 (Herinnering = al eerder aangeschreven).",
    ]
    latest = fetch_rows(con, "select max(reference_year) as year from marts.fct_vt_mailing_list")
    if not rows and latest and latest[0]["year"] is not None and latest[0]["year"] != year:
        notes.append(f"De lijst wordt alleen gemaakt voor het laatste geladen jaar ({latest[0]['year']}).")
    return ExportTable("vt_mailing_list", MAILING_LIST_COLUMNS, rows, notes=notes)


def tables(con, year: int) -> list[ExportTable]:
    """The tables of ``exports/<year>/non_take_up/`` (sheets of ``non_take_up.xlsx``)."""
    return [vt_take_up(con, year), right_renewal(con, year), vt_mailing_list(con, year)]


EXPORTS = [ExportSpec("non_take_up", tables, marts=MARTS, order=0)]
