"""Inspection tables of the DMW erkenningsnormen (SPEC §6, folder ``inspection``): the yearly norm
table, the month-by-month monitoring, the staff-file sample and two informative tables; and, for the
further checks of the Zorginspectie report (004), the lists of records that do not comply, the
alarm-invoice and proactive-action samples and the reported figures next to the computed ones.

The tables read the DMW marts and never recompute a KPI (STYLE.md); what happens here is column
selection, ordering, number formatting and the notes that say where a figure rests on an
assumption.

Small cells (SPEC §6): ``dmw_norms`` and ``dmw_norms_monthly`` are at the grain of a whole erkende
DMW (or of the landsbond), so their counts are not suppressed - a month's year-to-date count is
still a count over the whole DMW, not a finer population. ``dmw_users_by_module`` is finer (one
typemodule of a DMW) and replaces person counts below 5 by ``<5``. The finding lists and samples are
lists of records (pseudonyms and record ids for the file review, never INSZ), not counts: nothing to
suppress; ``dmw_reported_vs_computed`` is at the grain of a whole DMW.

``required``, ``achieved``, ``achieved_ytd`` and ``pro_rata_required`` mix counts, fractions and
euros in one column, so they are written as exact decimal text (up to six decimals, no trailing
zeros: ``812``, ``0.4999``, ``27.49``): the ``decimal`` kind of exports.tables rounds to two
decimals, which would print a share of 0.4999 that is not met as ``0.50``.
"""

from __future__ import annotations

from exports.tables import ExportColumn, ExportSpec, ExportTable, fetch_rows, year_rows

NORM_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("dmw_code"),
    ExportColumn("landsbond_code"),
    ExportColumn("norm_code"),
    ExportColumn("required", "number"),
    ExportColumn("achieved", "number"),
    ExportColumn("met", "bool"),
)
MONTHLY_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("month", "int"),
    ExportColumn("dmw_code"),
    ExportColumn("norm_code"),
    ExportColumn("achieved_ytd", "number"),
    ExportColumn("pro_rata_required", "number"),
    ExportColumn("on_track", "bool"),
)
SAMPLE_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("dmw_code"),
    ExportColumn("staff_id"),
    ExportColumn("role"),
    ExportColumn("reason_selected"),
)
MODULE_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("dmw_code"),
    ExportColumn("typemodule"),
    ExportColumn("users", "count"),
    ExportColumn("users_handicap_dementia", "count"),
)
ALARM_COLUMNS = (
    ExportColumn("year", "int"),
    ExportColumn("dmw_code"),
    ExportColumn("contracts_active", "int"),
    ExportColumn("contracts_with_deposit", "int"),
    ExportColumn("contracts_reduced", "int"),
    ExportColumn("contracts_reduction_automatic", "int"),
    ExportColumn("reduction_automatic_share", "share"),
)

# The record lists and the comparison carry their workbook headers (fallbacks of seed export_labels).
_YEAR_DMW = (ExportColumn("year", "int", "Jaar"), ExportColumn("dmw_code", "text", "DMW"))
_NORM = ExportColumn("norm_code", "text", "Norm")
_PSEUDONYM = ExportColumn("person_pseudonym", "text", "Pseudoniem")


def _sample_columns(record_id: ExportColumn, *details: ExportColumn) -> tuple[ExportColumn, ...]:
    """Columns of a sample of a DMW's records (004 §1.2.4.2): its rank in the draw, the record and
    its holder, what the inspector checks in it, and why it was drawn."""
    return (
        *_YEAR_DMW,
        ExportColumn("sample_rank", "int", "Volgorde"),
        record_id,
        _PSEUDONYM,
        *details,
        ExportColumn("reason_selected", "text", "Reden in steekproef"),
    )


FINDING_COLUMNS = (
    *_YEAR_DMW,
    _NORM,
    ExportColumn("record_id", "text", "Dossier"),
    _PSEUDONYM,
    ExportColumn("record_date", "text", "Datum"),
    ExportColumn("finding", "text", "Vaststelling"),
)
STAFF_FINDING_COLUMNS = tuple(c for c in FINDING_COLUMNS if c.name != "person_pseudonym")
INVOICE_SAMPLE_COLUMNS = _sample_columns(
    ExportColumn("contract_id", "text", "Contract"),
    ExportColumn("device_type", "text", "Type toestel"),
    ExportColumn("monthly_contribution", "eur", "Gebruikersbijdrage per maand"),
    ExportColumn("reduced_contribution", "bool", "Verminderde bijdrage"),
    ExportColumn("placement_cost", "eur", "Plaatsingskost"),
    ExportColumn("deposit", "eur", "Waarborg"),
)
ACTION_SAMPLE_COLUMNS = _sample_columns(
    ExportColumn("action_id", "text", "Actie"),
    ExportColumn("target_group", "text", "Doelgroep"),
    ExportColumn("action_date", "text", "Datum"),
    ExportColumn("channel", "text", "Kanaal"),
    ExportColumn("follow_up", "bool", "Vervolgactie"),
)
REPORTED_COLUMNS = (
    *_YEAR_DMW,
    _NORM,
    ExportColumn("reported_value", "number", "Gerapporteerd (jaarverslag)"),
    ExportColumn("computed_value", "number", "Berekend (registratie)"),
    ExportColumn("difference", "number", "Verschil"),
    ExportColumn("tolerance", "number", "Tolerantie"),
    ExportColumn("above_tolerance", "bool", "Boven tolerantie"),
    ExportColumn("source", "text", "Bron"),
)

# The lists of records that fail a further inspection check (fct_dmw_inspection_findings): file
# stem (also the sheet name, at most 31 characters), columns and the note that says what is listed
# and from which section of 004. Which norm a list holds is seed dmw_norms.findings_export.
FINDING_LISTS = (
    (
        "dmw_no_active_consultation",
        FINDING_COLUMNS,
        "Begeleiding registrations (TRAJECTBEGELEIDING, PSYCHOSOCIAAL_VERLIES, ZORGBEGELEIDING_COMPLEX, "
        "ERGOTHERAPEUTISCH) without active consultation with the other care providers: 004 §2.3.2 expects it in "
        "every begeleiding dossier. Norm BEGELEIDING_ACTIVE_CONSULTATION in dmw_norms.",
    ),
    (
        "dmw_housing_advice_findings",
        FINDING_COLUMNS,
        "WONINGAANPASSING housing advices given without home visit or not by an ergotherapeut (004 §2.3.5; the "
        "ergotherapeut condition is a working assumption, seed dmw_norms). Norm HOUSING_ADVICE_PRACTICE.",
    ),
    (
        "dmw_placement_cost_above_max",
        FINDING_COLUMNS,
        "Personal alarm contracts started in the year with a placement cost above the yearly maximum (004 §2.3.7, "
        "N09). 004 prints no amount: the maximum of seed dmw_alarm_placement_cost_max is a working assumption.",
    ),
    (
        "dmw_vt_without_reduction",
        FINDING_COLUMNS,
        "Personal alarm contracts active in the year whose holder had verhoogde tegemoetkoming on the start date "
        "but no reduced contribution (004 §2.3.7 N07, recommendation R01). VT as the test of limited financial "
        "capacity is a working assumption.",
    ),
    (
        "dmw_staff_qualification",
        STAFF_FINDING_COLUMNS,
        "Staff with a guidance task hired since 2020-01-01, employed on 31 December, whose qualification is not in "
        "seed dmw_recognised_qualifications or not registered (004 §2.2.2, N11; the list is a working assumption; "
        "a dmw_staff file without the optional column qualification registers none).",
    ),
)

# The samples of seed dmw_inspection_activity_sampling (004 §1.2.4.2): file stem, mart, columns, the
# seed's subject and what is drawn; the note adds the seed's rules.
ACTIVITY_SAMPLES = (
    (
        "dmw_alarm_invoice_sample",
        "fct_dmw_alarm_invoice_sample",
        INVOICE_SAMPLE_COLUMNS,
        "ALARM_INVOICE",
        "Reproducible random sample of personal-alarm user invoices per erkende DMW (004 §1.2.4.2), contracts "
        "active in the year, the reduced ones first where the DMW has them, ordered by md5(seed|rule|year|"
        "contract_id) as the staff sample",
    ),
    (
        "dmw_proactive_sample",
        "fct_dmw_proactive_action_sample",
        ACTION_SAMPLE_COLUMNS,
        "PROACTIVE_ACTION",
        "Reproducible random sample of proactive actions per erkende DMW, spread over the target groups (one "
        "action of every group in turn), to check against the DMW's policy (004 §2.3.3: nine actions were "
        "checked; the size per DMW is a working assumption)",
    ),
)

MARTS = (
    ("marts", "fct_dmw_norm_year"),
    ("marts", "fct_dmw_norm_month"),
    ("marts", "fct_dmw_staff_sample"),
    ("marts", "fct_dmw_users_by_module_year"),
    ("marts", "fct_dmw_personal_alarm_year"),
    ("marts", "fct_dmw_inspection_findings"),
    ("marts", "fct_dmw_alarm_invoice_sample"),
    ("marts", "fct_dmw_proactive_action_sample"),
    ("marts", "fct_dmw_reported_vs_computed"),
)


# Landsbond roll-up rows (dmw_code LB_<code>) after the DMW rows, norms in the order of seed
# dmw_norms (column sort_order, which users edit); a code the seed does not know comes last.
def _norm_sort(table: str) -> str:
    return (
        f"coalesce((select n.sort_order from reference.dmw_norms as n where n.norm_code = {table}.norm_code),"
        " 1000000), norm_code"
    )


ROLLUP_NOTES = [
    "dmw_code LB_<landsbond_code> (e.g. LB_300) is the landsbond: users counted once however many of its DMW "
    "helped them (004 §2.3.1 'unieke gebruikers'), other counts summed over its erkende DMW, shares recomputed "
    "from the landsbond's numerators and denominators, distinct "
    "counts (target groups, aid types) distinct across its DMW; ALARM_PRICE_MAX and ALARM_REDUCTION_OFFERED "
    "take its worst DMW.",
    "met = false with an empty achieved: not measurable (a share whose denominator is 0, e.g. no proactive "
    "actions or no staff in scope; no alarm contract carrying a price) - SPEC §5.",
    "Counts are at the grain of a whole DMW or landsbond and are not suppressed (SPEC §6).",
]


def assumption_notes(con, year: int) -> list[str]:
    """Where the year's requirements rest on assumptions, norms not yet applicable, requirements unknown."""
    notes = []
    assumed = fetch_rows(
        con,
        "select norm_code, min(assumption_note) as assumption_note from marts.fct_dmw_norm_year"
        f" where year = ? and is_assumption group by norm_code order by {_norm_sort('fct_dmw_norm_year')}",
        [year],
    )
    for row in assumed:
        notes.append(
            f"{row['norm_code']} rests on an assumption - {(row['assumption_note'] or '').strip().rstrip(';')}"
        )
    not_applicable = fetch_rows(
        con,
        "select norm_code from marts.fct_dmw_norm_year"
        f" where year = ? and not is_applicable group by norm_code order by {_norm_sort('fct_dmw_norm_year')}",
        [year],
    )
    if not_applicable:
        codes = ", ".join(r["norm_code"] for r in not_applicable)
        notes.append(
            f"Not yet an erkenningsnorm in {year} (tasks taken over from the regionale dienstencentra from "
            f"2023-01-01, 004 §1.1): {codes}. Shown for information."
        )
    missing = fetch_rows(
        con,
        "select norm_code, required_missing_reason from marts.fct_dmw_norm_year"
        " where year = ? and required_missing_reason is not null"
        f" group by norm_code, required_missing_reason order by {_norm_sort('fct_dmw_norm_year')}",
        [year],
    )
    for row in missing:
        notes.append(f"REQUIREMENT UNKNOWN {row['norm_code']}: {row['required_missing_reason']} (met = false).")
    return notes


def _mart_table(
    con, year: int, name: str, columns, mart: str, order_by: str, notes: list[str], **options
) -> ExportTable:
    """Table ``name``: ``columns`` of the year's rows of ``marts.<mart>`` in ``order_by`` order."""
    rows = year_rows(con, columns, f"marts.{mart}", year, order_by)
    return ExportTable(name, columns, rows, notes=notes, **options)


# The DMW rows, then the landsbond roll-up rows, each landsbond's DMW together.
_ROLLUP_ORDER = "is_landsbond_total, landsbond_code, dmw_code"


def dmw_norms(con, year: int) -> ExportTable:
    order = f"{_ROLLUP_ORDER}, {_norm_sort('fct_dmw_norm_year')}"
    notes = ROLLUP_NOTES + assumption_notes(con, year)
    return _mart_table(con, year, "dmw_norms", NORM_COLUMNS, "fct_dmw_norm_year", order, notes)


def dmw_norms_monthly(con, year: int) -> ExportTable:
    order = f"{_ROLLUP_ORDER}, {_norm_sort('fct_dmw_norm_month')}, month"
    notes = [
        "Cumulative from 1 January to the end of the month, for the months that have elapsed in the data.",
        "pro_rata_required = required x month / 12 (months, not days) for the per-vte and count norms; shares "
        "(ZORGBEHOEFTE_SHARE, PROACTIVE_FOLLOW_UP_SHARE, STAFF_DEMENTIA_TRAINING), ALARM_PRICE_MAX and the "
        "yes/no alarm rules are compared with the full requirement every month. STAFF_DEMENTIA_TRAINING is "
        "the state on the month's last day.",
        "PERSONAL_ALARMS counts contracts active on any day so far, so it starts the year high; the year "
        "figure (dmw_norms) is what the norm judges.",
        "Year-to-date counts of a whole DMW are not suppressed (SPEC §6: grain of a whole DMW).",
    ]
    notes += assumption_notes(con, year)
    return _mart_table(con, year, "dmw_norms_monthly", MONTHLY_COLUMNS, "fct_dmw_norm_month", order, notes)


def _sampling_rules(con, seed: str, subject: str | None = None) -> str:
    """The rules of a sampling seed as its reason_selected texts say them (sizes included), so the
    note follows the seed a user edits."""
    where = " where subject = ?" if subject else ""
    rows = fetch_rows(
        con,
        f"select reason_selected from reference.{seed}{where} order by rule_code",
        [subject] if subject else [],
    )
    return "; ".join(r["reason_selected"] for r in rows)


def dmw_staff_sample(con, year: int) -> ExportTable:
    notes = [
        "Reproducible random sample of staff files per erkende DMW following the rule of Zorginspectie "
        f"(004 §1.2.4.2), seed dmw_inspection_sampling: {_sampling_rules(con, 'dmw_inspection_sampling')}. Staff "
        f"employed on 31/12/{year}, ordered by md5(seed|rule|year|staff_id).",
    ]
    order = "dmw_code, rule_code, sample_rank"
    return _mart_table(con, year, "dmw_staff_sample", SAMPLE_COLUMNS, "fct_dmw_staff_sample", order, notes)


def dmw_users_by_module(con, year: int) -> ExportTable:
    notes = [
        "Users per typemodule (a user in two modules counts in both), with those with a handicap or "
        "(suspected) dementia: the figures 004 §2.3.2 found no landsbond could give. Finer than a whole DMW: "
        "counts below 5 are shown as <5 (SPEC §6).",
    ]
    mart, order = "fct_dmw_users_by_module_year", f"{_ROLLUP_ORDER}, typemodule"
    return _mart_table(con, year, "dmw_users_by_module", MODULE_COLUMNS, mart, order, notes, suppress_small_counts=True)


def dmw_personal_alarms(con, year: int) -> ExportTable:
    notes = [
        "Informative, not a norm: the share of reduced contributions granted automatically. Zorginspectie found "
        "DMW where users had to apply for the reduction themselves and recommends an automatic grant (004 §3, "
        "R01). Contract counts, not persons.",
    ]
    mart = "fct_dmw_personal_alarm_year"
    return _mart_table(con, year, "dmw_personal_alarms", ALARM_COLUMNS, mart, _ROLLUP_ORDER, notes)


def finding_lists(con, year: int) -> list[ExportTable]:
    out = []
    for name, columns, note in FINDING_LISTS:
        rows = year_rows(
            con,
            FINDING_COLUMNS,
            "marts.fct_dmw_inspection_findings",
            year,
            "landsbond_code, dmw_code, record_date, record_id",
            where="norm_code in (select n.norm_code from reference.dmw_norms as n where n.findings_export = ?)",
            params=[name],
        )
        notes = [
            note,
            "Pseudonyms and record ids of the landing files only (never INSZ): look the file up by "
            "its id in the registration system. An empty list: every record complies.",
        ]
        out.append(ExportTable(name, columns, rows, notes=notes))
    return out


def activity_samples(con, year: int) -> list[ExportTable]:
    out = []
    for name, mart, columns, subject, drawn in ACTIVITY_SAMPLES:
        rules = _sampling_rules(con, "dmw_inspection_activity_sampling", subject)
        notes = [f"{drawn}; seed dmw_inspection_activity_sampling: {rules}."]
        order = "landsbond_code, dmw_code, rule_code, sample_rank"
        out.append(_mart_table(con, year, name, columns, mart, order, notes))
    return out


def dmw_reported_vs_computed(con, year: int) -> ExportTable:
    notes = [
        "The figures the DMW reported in its jaarverslag (seed dmw_reported_figures, typed by the DMW) next to "
        "the figure computed from the registration data (dmw_norms.achieved): 004 §2.3.2 and §2.3.5 found "
        "jaarverslagen that did not match the registration system. difference = reported - computed; "
        "above_tolerance when |difference| exceeds the tolerance of seed dmw_reported_tolerance (a working "
        "assumption) or nothing was computed for that DMW, year and norm. Shares are fractions (0.62, not 62).",
    ]
    mart = "fct_dmw_reported_vs_computed"
    order = f"dmw_code, {_norm_sort(mart)}"
    return _mart_table(con, year, "dmw_reported_vs_computed", REPORTED_COLUMNS, mart, order, notes)


def tables(con, year: int) -> list[ExportTable]:
    """The DMW tables of ``exports/<year>/inspection/`` (sheets of ``inspection.xlsx``)."""
    return [
        dmw_norms(con, year),
        dmw_norms_monthly(con, year),
        dmw_staff_sample(con, year),
        dmw_users_by_module(con, year),
        dmw_personal_alarms(con, year),
        *finding_lists(con, year),
        *activity_samples(con, year),
        dmw_reported_vs_computed(con, year),
    ]


EXPORTS = [ExportSpec("inspection", tables, marts=MARTS, order=20)]
