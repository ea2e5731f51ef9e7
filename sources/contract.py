"""The landing-zone contract of SPEC §4, as data.

Everything that reads or writes landing files (generator, validator, ingestion, dbt sources) takes
column names, types, allowed codes and keys from here, so the contract is written once.

CSV files: UTF-8 (BOM allowed), ``;`` between values, header row, LF or CRLF line ends, one record
per physical line. A value holding ``;`` or ``"`` may be enclosed in ``"`` with inner quotes
doubled, on its line: no value spans lines (a line breaking this is quarantined with its number,
``sources/loader.py``). Columns of kind ``str`` are free text (``Column.free_text``): scanned for
INSZ at ingestion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ZIEKENFONDSEN = ("SOL_ANT", "SOL_BRA", "SOL_LIM", "SOL_OVL", "SOL_WVL", "SOL_WAL", "MSL_LUX")
ZORGKASSEN = ("180", "280", "380", "480", "580")
OWN_ZORGKAS = "380"
ERKENDE_DMW = (
    "DMW_CM",
    "DMW_LM_PLUS",
    "DMW_LM_MUTPLUS",
    "DMW_LM_OVL",
    "DMW_VNZ",
    "DMW_NZV",
    "DMW_HELAN",
    "DMW_SOL_ANT",
    "DMW_SOL_BRA",
    "DMW_SOL_LIM",
    "DMW_SOL_OVL",
    "DMW_SOL_WVL",
)
OWN_DMW = ("DMW_SOL_ANT", "DMW_SOL_BRA", "DMW_SOL_LIM", "DMW_SOL_OVL", "DMW_SOL_WVL")

# SPEC §5b: social situations that signal a potential VT right, and the outcomes of the yearly
# renewal of the right to reimbursement in the order of the funnel.
VT_INDICATORS = (
    "WEDUWE",
    "INVALIDE",
    "GEPENSIONEERDE",
    "LANGDURIG_WERKLOOS",
    "EENOUDERGEZIN",
    "RESIDENT_VERMINDERING",
)
RENEWAL_OUTCOMES = ("AUTO_JUNE", "AUTO_LATER", "PROVINCIAL_REVIEW", "AFTER_LETTER", "REGULARISED_LATE", "NO_RIGHT")

# Plausibility window for every date in the landing zone: earlier or later dates are typing errors
# (1880, 2099), not history. Birth dates may go back further than affiliation dates.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2050, 12, 31)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # insz | str | code | date | month | int | decimal | bool | postcode
    required: bool = True
    codes: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None

    @property
    def is_insz(self) -> bool:
        return self.kind == "insz"

    @property
    def free_text(self) -> bool:
        """Text without a code list or format (ids, target_group, aid_type, rubric, department):
        scanned at ingestion for INSZ typed into it, which are masked in place (SPEC §4)."""
        return self.kind == "str"


@dataclass(frozen=True)
class NullWhen:
    """``column`` is empty exactly when ``when_column`` holds one of ``codes``: required for every
    other code, and a value is an error for these codes (a row that says both is contradictory)."""

    column: str
    when_column: str
    codes: tuple[str, ...]

    @property
    def message_missing(self) -> str:
        return (
            f"{self.column}: required value is missing (only empty when {self.when_column} is {'/'.join(self.codes)})"
        )

    @property
    def message_present(self) -> str:
        return f"{self.column}: must be empty when {self.when_column} is {'/'.join(self.codes)}"


@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # (start, end) pairs where end, when present, must not be before start
    date_order: tuple[tuple[str, str], ...] = ()
    description: str = ""
    null_when: tuple[NullWhen, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_names(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def insz_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.is_insz]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name, kind, required=True, codes=(), min_value=None, max_value=None) -> Column:
    return Column(name, kind, required, tuple(codes), min_value, max_value)


BOOL = "bool"


def _year(name: str) -> Column:
    return _c(name, "int", min_value=1990, max_value=2050)


def _amount(name: str, required: bool = True) -> Column:
    """An amount in EUR, 0 to 10 000."""
    return _c(name, "decimal", required=required, min_value=0, max_value=10_000)


def _period(start: str, end: str) -> tuple[Column, Column]:
    """A period's first day and, empty while it lasts, its last day."""
    return _c(start, "date"), _c(end, "date", required=False)


# Columns that many sources share.
INSZ = _c("insz", "insz")
ZORGKAS_CODE = _c("zorgkas_code", "code", codes=ZORGKASSEN)
DMW_CODE = _c("dmw_code", "code", codes=ERKENDE_DMW)
SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "members",
            (
                INSZ,
                _c("birth_date", "date"),
                _c("sex", "code", codes=("M", "F", "X")),
                _c("postcode", "postcode"),
                _c("ziekenfonds_code", "code", codes=ZIEKENFONDSEN),
                _c("member_type", "code", codes=("TITULARIS", "PERSOON_TEN_LASTE")),
                _c("titularis_insz", "insz", required=False),
                *_period("affiliation_start", "affiliation_end"),
            ),
            key=("insz", "affiliation_start"),
            date_order=(("birth_date", "affiliation_start"), ("affiliation_start", "affiliation_end")),
            description="one row per affiliation period of a person with a ziekenfonds",
        ),
        Source(
            "vt_periods",
            (INSZ, *_period("start_date", "end_date")),
            key=("insz", "start_date"),
            date_order=(("start_date", "end_date"),),
            description="periods with verhoogde tegemoetkoming",
        ),
        Source(
            "zorgkas_affiliations",
            (
                INSZ,
                ZORGKAS_CODE,
                *_period("start_date", "end_date"),
            ),
            key=("insz", "zorgkas_code", "start_date"),
            date_order=(("start_date", "end_date"),),
            description="zorgkas affiliation periods",
        ),
        Source(
            "contributions",
            (
                _c("contribution_id", "str"),
                INSZ,
                _c("scheme", "code", codes=("ZORGKAS_PREMIE", "AANVULLENDE_VERZEKERING")),
                _year("contribution_year"),
                _amount("amount_due"),
                _c("reduced", BOOL),
                _c("invited_on", "date", required=False),
                _c("paid_on", "date", required=False),
                _amount("amount_paid", required=False),
            ),
            key=("contribution_id",),
            date_order=(("invited_on", "paid_on"),),
            description="zorgkas premiums and aanvullende verzekering contributions",
        ),
        Source(
            "zorgkas_dossiers",
            (
                _c("dossier_id", "str"),
                INSZ,
                ZORGKAS_CODE,
                _c("pillar", "code", codes=("ZZB", "ZOZ", "BOB")),
                _c("kind", "code", codes=("AANVRAAG", "HERZIENING")),
                _c("residence", "code", codes=("THUIS", "RESIDENTIEEL")),
                _c("received_on", "date"),
                _c("decided_on", "date"),
                _c("decision", "code", codes=("POSITIEF", "NEGATIEF")),
                _c("right_start", "date", required=False),
                _c("right_end", "date", required=False),
            ),
            key=("dossier_id",),
            date_order=(("received_on", "decided_on"), ("right_start", "right_end")),
            description="zorgbudget dossiers (ZZB, ZOZ, BOB) with their decision",
        ),
        Source(
            "zorgkas_payments",
            (
                _c("payment_id", "str"),
                _c("dossier_id", "str"),
                _c("for_month", "month"),
                _c("paid_on", "date"),
                _amount("amount"),
            ),
            key=("payment_id",),
            description="monthly zorgbudget payments",
        ),
        Source(
            "zorgkas_mutations",
            (
                _c("mutation_id", "str"),
                INSZ,
                ZORGKAS_CODE,
                _c("mutation_date", "date"),
                _c("transmitted_on", "date", required=False),
                _c("transmission_correct", BOOL),
            ),
            key=("mutation_id",),
            date_order=(("mutation_date", "transmitted_on"),),
            description="mutations of persons with a zorgbudget and their transmission",
        ),
        Source(
            "dmw_registrations",
            (
                _c("registration_id", "str"),
                DMW_CODE,
                INSZ,
                _c("registered_on", "date"),
                _c(
                    "typemodule",
                    "code",
                    codes=(
                        "DIRECTE_HULP",
                        "TRAJECTBEGELEIDING",
                        "PSYCHOSOCIAAL_VERLIES",
                        "ZORGBEGELEIDING_COMPLEX",
                        "ERGOTHERAPEUTISCH",
                    ),
                ),
                _c("handicap", BOOL),
                _c("dementia", "code", codes=("NONE", "SUSPECTED", "DIAGNOSED")),
                _c("zorgbehoefte", BOOL),
                _c("active_consultation", BOOL),
            ),
            key=("registration_id",),
            description="registrations of DMW users",
        ),
        Source(
            "dmw_proactive_actions",
            (
                _c("action_id", "str"),
                DMW_CODE,
                INSZ,
                _c("target_group", "str"),
                _c("action_date", "date"),
                _c("channel", "code", codes=("BRIEF", "TELEFOON", "HUISBEZOEK", "BEELDBELLEN", "EMAIL")),
                _c("follow_up", BOOL),
            ),
            key=("action_id",),
            description="proactive actions towards target groups",
        ),
        Source(
            "dmw_housing_advice",
            (
                _c("advice_id", "str"),
                DMW_CODE,
                INSZ,
                _c("advice_date", "date"),
                _c("kind", "code", codes=("WONINGAANPASSING", "TECHNOLOGIE", "BEGELEIDING_TECHNOLOGIE")),
                _c("home_visit", BOOL),
                _c("advisor_role", "code", codes=("ERGOTHERAPEUT", "MAATSCHAPPELIJK_WERKER")),
            ),
            key=("advice_id",),
            description="housing advice (woonadvies)",
        ),
        Source(
            "dmw_aid_loans",
            (
                _c("loan_id", "str"),
                DMW_CODE,
                INSZ,
                _c("aid_type", "str"),
                _c("loan_date", "date"),
                _c("advice_given", BOOL),
            ),
            key=("loan_id",),
            description="loans of mobility and care aids (hulpmiddelen)",
        ),
        Source(
            "dmw_personal_alarms",
            (
                _c("contract_id", "str"),
                DMW_CODE,
                INSZ,
                _c("device_type", "code", codes=("VAST", "MOBIEL")),
                *_period("start_date", "end_date"),
                _c("monthly_contribution", "decimal", min_value=0, max_value=1_000),
                _c("reduced_contribution", BOOL),
                _c("reduction_automatic", BOOL),
                _amount("placement_cost"),
                _amount("deposit"),
            ),
            key=("contract_id",),
            date_order=(("start_date", "end_date"),),
            description="personal alarm (personenalarm) contracts",
        ),
        Source(
            "dmw_staff",
            (
                _c("staff_id", "str"),
                DMW_CODE,
                _c("role", "code", codes=("LEIDINGGEVENDE", "MAATSCHAPPELIJK_WERKER", "ERGOTHERAPEUT", "ANDERE")),
                _c("fte", "decimal", min_value=0, max_value=1.0),
                *_period("hired_on", "left_on"),
                _c("dementia_training_on", "date", required=False),
                # optional column added for 004 §2.2.2 (N11): files without it stay valid
                _c("qualification", "str", required=False),
            ),
            key=("staff_id",),
            date_order=(("hired_on", "left_on"),),
            description="staff of the erkende DMW",
        ),
        Source(
            "finance_ledger",
            (
                _c("entity", "str"),
                _c("rubric", "str"),
                _year("year"),
                _c("amount_eur", "decimal", min_value=-1e13, max_value=1e13),
            ),
            key=("entity", "rubric", "year"),
            description="audited totals behind the financial tables of the annual report",
        ),
        Source(
            "staff_departments",
            (
                _year("year"),
                _c("department", "str"),
                _c("fte", "decimal", min_value=0, max_value=100_000),
            ),
            key=("year", "department"),
            description="staff (vte) per department",
        ),
        Source(
            "member_indicators",
            (
                INSZ,
                _c("indicator", "code", codes=VT_INDICATORS),
                *_period("start_date", "end_date"),
            ),
            key=("insz", "indicator", "start_date"),
            date_order=(("start_date", "end_date"),),
            description="social situations known to the ziekenfonds that signal a potential VT right (SPEC §5b)",
        ),
        Source(
            "vt_mailings",
            (
                _c("mailing_id", "str"),
                INSZ,
                _c("sent_on", "date"),
                _c("indicator", "code", codes=VT_INDICATORS),
                _c("is_reminder", BOOL),
            ),
            key=("mailing_id",),
            description="proactive VT letters of the weekly mailing, with the indicator printed in the letter (SPEC §5b)",
        ),
        Source(
            "right_renewals",
            (
                INSZ,
                _year("right_year"),
                _c("outcome", "code", codes=RENEWAL_OUTCOMES),
                _c("decided_on", "date", required=False),
                _c("letter_sent_on", "date", required=False),
            ),
            key=("insz", "right_year"),
            # a renewal decided after the November letter is decided on or after the letter
            date_order=(("letter_sent_on", "decided_on"),),
            description="yearly renewal of the right to reimbursement, one row per person and right_year (SPEC §5b)",
            null_when=(NullWhen("decided_on", "outcome", ("NO_RIGHT",)),),
        ),
    )
}

# Person-identifier columns arrive as INSZ and leave ingestion as pseudonyms under this name.
PSEUDONYM_SUFFIX = "_pseudonym"


def raw_column_name(column: Column) -> str:
    """Name of a landing column in the raw schema: INSZ columns become pseudonym columns."""
    if column.is_insz:
        stem = column.name.removesuffix("insz").removesuffix("_")
        return f"{stem or 'person'}{PSEUDONYM_SUFFIX}"
    return column.name


# SQL types of the raw schema (DuckDB and PostgreSQL both accept these names).
RAW_SQL_TYPES = {
    "insz": "varchar",
    "str": "varchar",
    "code": "varchar",
    "postcode": "varchar",
    "date": "date",
    "month": "date",  # first day of the month
    "int": "integer",
    "decimal": "decimal(18, 2)",
    "bool": "boolean",
}
LINEAGE_COLUMNS = (("_source_file", "varchar"), ("_source_row", "bigint"))


def raw_schema(source: Source) -> list[tuple[str, str]]:
    """Columns of ``raw.<source>``: validated, typed, INSZ replaced by pseudonyms, plus lineage."""
    return [(raw_column_name(c), RAW_SQL_TYPES[c.kind]) for c in source.columns] + list(LINEAGE_COLUMNS)
