"""What the SPEC fixes, written out literally once for the tests: the columns of every export CSV
(§5b, §6) in their order, and the DMW norm codes (§5) in seed order. The tests compare the product
with these literals on purpose: they pin the contract, so they are not derived from product code.
"""

from __future__ import annotations

# --- annual report (SPEC §6: exports/<year>/annual_report/) --------------------------------------
KEY_FIGURES_HEADER = [
    "year",
    "ziekenfonds_code",
    "leden",
    "leden_delta_12m",
    "titularissen",
    "titularissen_delta_12m",
    "vt_leden",
    "vt_leden_delta_12m",
    "vt_share",
    "market_share_leden",
    "market_share_titularissen",
    "zorgkas_leden",
    "zorgkas_active_dossiers",
]
FINANCE_HEADER = ["entity", "rubric", "year", "amount_eur", "previous_year_amount_eur"]
STAFF_HEADER = ["department", "fte"]

# --- zorgkas inspection (SPEC §6: exports/<year>/inspection/zorgkas_*.csv) -----------------------
SCORES_HEADER = ["year", "zorgkas_code", "indicator", "weight", "population", "compliant", "score"]
RESPONSABILISERING_HEADER = [
    "year",
    "zorgkas_code",
    "global_score",
    "pot_eur",
    "withheld_eur",
    "received_eur",
    "net_eur",
]
FAILING_HEADER = ["year", "zorgkas_code", "indicator", "row_id", "person_pseudonym", "reason"]
PRODUCTION_HEADER = [
    "year",
    "zorgkas_code",
    "members",
    "dossiers_zzb",
    "dossiers_zoz",
    "dossiers_bob",
    "werkingsmiddelen_eur",
    "cost_per_member_eur",
    "cost_per_dossier_eur",
    "reserves_eur",
    "origin",
]

# --- DMW inspection (SPEC §6: exports/<year>/inspection/dmw_*.csv) -------------------------------
DMW_NORMS_HEADER = ["year", "dmw_code", "landsbond_code", "norm_code", "required", "achieved", "met"]
DMW_MONTHLY_HEADER = ["year", "month", "dmw_code", "norm_code", "achieved_ytd", "pro_rata_required", "on_track"]
DMW_STAFF_SAMPLE_HEADER = ["year", "dmw_code", "staff_id", "role", "reason_selected"]
DMW_FINDINGS_HEADER = ["year", "dmw_code", "norm_code", "record_id", "person_pseudonym", "record_date", "finding"]
DMW_REPORTED_VS_COMPUTED_HEADER = [
    "year",
    "dmw_code",
    "norm_code",
    "reported_value",
    "computed_value",
    "difference",
    "tolerance",
    "above_tolerance",
    "source",
]

# --- DMW erkenningsnormen (SPEC §5), in the order of the seed dmw_norms --------------------------
# The activity norms first: the ones the plain-SQL baseline of `make bench` computes too.
DMW_ACTIVITY_NORM_CODES = (
    "USERS_REACHED",
    "USERS_BEGELEIDING",
    "USERS_ERGO",
    "USERS_HANDICAP_DEMENTIA",
    "ZORGBEHOEFTE_SHARE",
    "PROACTIVE_TARGET_GROUPS",
    "PROACTIVE_FOLLOW_UP_SHARE",
    "HOUSING_ADVICE",
    "AID_TYPES",
    "PERSONAL_ALARMS",
)
DMW_NORM_CODES = (
    *DMW_ACTIVITY_NORM_CODES,
    "ALARM_PRICE_MAX",
    "ALARM_NO_DEPOSIT",
    "ALARM_REDUCTION_OFFERED",
    "STAFF_DEMENTIA_TRAINING",
    "BEGELEIDING_ACTIVE_CONSULTATION",
    "HOUSING_ADVICE_PRACTICE",
    "ALARM_PLACEMENT_COST_MAX",
    "ALARM_REDUCTION_ENTITLED",
    "STAFF_QUALIFICATION",
)

# --- non-take-up (SPEC §5b: exports/<year>/non_take_up/) -----------------------------------------
VT_TAKE_UP_HEADER = [
    "year",
    "ziekenfonds_code",
    "indicator",
    "candidates",
    "mailed",
    "reminders",
    "mailed_with_vt",
    "converted_12m",
    "conversion_rate",
    "not_mailed_candidates",
    "follow_up_complete",
]
RENEWAL_STAGES = (
    "auto_june",
    "automatic",
    "without_contact",
    "letters_sent",
    "renewed_by_year_end",
    "without_right_at_year_end",
    "without_right_final",
)
RIGHT_RENEWAL_HEADER = [
    "right_year",
    "ziekenfonds_code",
    "population",
    *RENEWAL_STAGES,
    *(f"{s}_share" for s in RENEWAL_STAGES),
]
MAILING_LIST_HEADER = ["pseudonym", "ziekenfonds_code", "indicators", "last_sent_on", "is_reminder_due"]
