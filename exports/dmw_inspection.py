"""Inspection tables of the DMW erkenningsnormen (SPEC §6, folder ``inspection``): the yearly norm
table, the month-by-month monitoring, the staff-file sample and two informative tables.

The tables read the DMW marts and never recompute a KPI (STYLE.md); what happens here is column
selection, ordering, number formatting and the notes that say where a figure rests on an
assumption.

Small cells (SPEC §6): ``dmw_norms`` and ``dmw_norms_monthly`` are at the grain of a whole erkende
DMW (or of the landsbond), so their counts are not suppressed - a month's year-to-date count is
still a count over the whole DMW, not a finer population. ``dmw_users_by_module`` is finer (one
typemodule of a DMW) and replaces person counts below 5 by ``<5``.

``required``, ``achieved``, ``achieved_ytd`` and ``pro_rata_required`` mix counts, fractions and
euros in one column, so they are written as exact decimal text (up to six decimals, no trailing
zeros: ``812``, ``0.4999``, ``27.49``): the ``decimal`` kind of exports.tables rounds to two
decimals, which would print a share of 0.4999 that is not met as ``0.50``.
"""

from __future__ import annotations


from exports.tables import ExportColumn, ExportSpec, ExportTable, fetch_rows

# Presentation order of the norms: the order of the SPEC §5 table.
NORM_ORDER = (
    "USERS_REACHED", "USERS_BEGELEIDING", "USERS_ERGO", "USERS_HANDICAP_DEMENTIA", "ZORGBEHOEFTE_SHARE",
    "PROACTIVE_TARGET_GROUPS", "PROACTIVE_FOLLOW_UP_SHARE", "HOUSING_ADVICE", "AID_TYPES", "PERSONAL_ALARMS",
    "ALARM_PRICE_MAX", "ALARM_NO_DEPOSIT", "ALARM_REDUCTION_OFFERED", "STAFF_DEMENTIA_TRAINING",
)

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

MARTS = (
    ("marts", "fct_dmw_norm_year"),
    ("marts", "fct_dmw_norm_month"),
    ("marts", "fct_dmw_staff_sample"),
    ("marts", "fct_dmw_users_by_module_year"),
    ("marts", "fct_dmw_personal_alarm_year"),
)

# Landsbond roll-up rows (dmw_code LB_<code>) after the DMW rows, norms in SPEC order.
_NORM_RANK = " ".join(f"when '{code}' then {rank}" for rank, code in enumerate(NORM_ORDER))
_NORM_SORT = f"case norm_code {_NORM_RANK} else {len(NORM_ORDER)} end, norm_code"


ROLLUP_NOTES = [
    "dmw_code LB_<landsbond_code> (e.g. LB_300) is the landsbond: counts summed over its erkende DMW "
    "(a user counted once per DMW), shares recomputed from summed numerators and denominators, distinct "
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
        f" where year = ? and is_assumption group by norm_code order by {_NORM_SORT}",
        [year],
    )
    for row in assumed:
        notes.append(f"{row['norm_code']} rests on an assumption - {(row['assumption_note'] or '').strip().rstrip(';')}")
    not_applicable = fetch_rows(
        con,
        "select norm_code from marts.fct_dmw_norm_year"
        f" where year = ? and not is_applicable group by norm_code order by {_NORM_SORT}",
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
        f" group by norm_code, required_missing_reason order by {_NORM_SORT}",
        [year],
    )
    for row in missing:
        notes.append(f"REQUIREMENT UNKNOWN {row['norm_code']}: {row['required_missing_reason']} (met = false).")
    return notes


def dmw_norms(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        "select year, dmw_code, landsbond_code, norm_code, required, achieved, met"
        " from marts.fct_dmw_norm_year where year = ?"
        f" order by is_landsbond_total, landsbond_code, dmw_code, {_NORM_SORT}",
        [year],
    )
    return ExportTable("dmw_norms", NORM_COLUMNS, rows, notes=ROLLUP_NOTES + assumption_notes(con, year))


def dmw_norms_monthly(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        "select year, month, dmw_code, norm_code, achieved_ytd, pro_rata_required, on_track"
        " from marts.fct_dmw_norm_month where year = ?"
        f" order by is_landsbond_total, landsbond_code, dmw_code, {_NORM_SORT}, month",
        [year],
    )
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
    return ExportTable("dmw_norms_monthly", MONTHLY_COLUMNS, rows, notes=notes + assumption_notes(con, year))


def dmw_staff_sample(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        "select year, dmw_code, staff_id, role, reason_selected from marts.fct_dmw_staff_sample"
        " where year = ? order by dmw_code, rule_code, sample_rank",
        [year],
    )
    notes = [
        "Reproducible random sample of staff files per erkende DMW following the rule of Zorginspectie "
        "(004 §1.2.4.2): 3 leidinggevenden; 5 files of staff with a guidance task hired since 2020-01-01 for a "
        "DMW up to 100 vte, 10 above; 3 staff hired since 2023-01-01 for the dementia training proof. Staff "
        f"employed on 31/12/{year}, ordered by md5(seed|rule|year|staff_id) (seed dmw_inspection_sampling).",
    ]
    return ExportTable("dmw_staff_sample", SAMPLE_COLUMNS, rows, notes=notes)


def dmw_users_by_module(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        "select year, dmw_code, typemodule, users, users_handicap_dementia from marts.fct_dmw_users_by_module_year"
        " where year = ? order by is_landsbond_total, landsbond_code, dmw_code, typemodule",
        [year],
    )
    notes = [
        "Users per typemodule (a user in two modules counts in both), with those with a handicap or "
        "(suspected) dementia: the figures 004 §2.3.2 found no landsbond could give. Finer than a whole DMW: "
        "counts below 5 are shown as <5 (SPEC §6).",
    ]
    return ExportTable("dmw_users_by_module", MODULE_COLUMNS, rows, suppress_small_counts=True, notes=notes)


def dmw_personal_alarms(con, year: int) -> ExportTable:
    rows = fetch_rows(
        con,
        "select year, dmw_code, contracts_active, contracts_with_deposit, contracts_reduced,"
        " contracts_reduction_automatic, reduction_automatic_share from marts.fct_dmw_personal_alarm_year"
        " where year = ? order by is_landsbond_total, landsbond_code, dmw_code",
        [year],
    )
    notes = [
        "Informative, not a norm: the share of reduced contributions granted automatically. Zorginspectie found "
        "DMW where users had to apply for the reduction themselves and recommends an automatic grant (004 §3, "
        "R01). Contract counts, not persons.",
    ]
    return ExportTable("dmw_personal_alarms", ALARM_COLUMNS, rows, notes=notes)


def tables(con, year: int) -> list[ExportTable]:
    """The DMW tables of ``exports/<year>/inspection/`` (sheets of ``inspection.xlsx``)."""
    return [
        dmw_norms(con, year),
        dmw_norms_monthly(con, year),
        dmw_staff_sample(con, year),
        dmw_users_by_module(con, year),
        dmw_personal_alarms(con, year),
    ]


EXPORTS = [ExportSpec("inspection", tables, marts=MARTS, order=20)]
