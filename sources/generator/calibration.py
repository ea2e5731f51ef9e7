"""Every calibration number of the synthetic landing zone that is NOT a published figure.

ASSUMPTION: the values below are working assumptions chosen so that the generated data look like
a Belgian landsbond of Solidaris' size and feed every KPI of SPEC §5 with plausible values. They
are not quotations of regulation or of annual reports. Published figures (leden per ziekenfonds,
key figures, zorgkas dossiers, DMW VTE, finance, staff, premiums) are read at run time from
``sources/reference/`` by ``reference.py`` and are deliberately not repeated here.
"""

from __future__ import annotations

from . import reference

# --- population --------------------------------------------------------------------------------

# Age pyramid (persons per 5-year band 0-4, 5-9, ..., 100-104), shaped like Belgium around 2021;
# spread uniformly within each band. Only the shape matters.
AGE_BAND_WEIGHTS = (
    620,
    660,
    670,
    640,
    650,
    720,
    750,
    760,
    750,
    760,
    800,
    820,
    740,
    640,
    560,
    400,
    300,
    200,
    80,
    20,
    3,
)
MAX_AGE = 105
SEX_SHARES = {"M": 0.4899, "F": 0.51, "X": 0.0001}

# Dependent children become titularis at the latest on this birthday.
CHILD_DEPENDANT_AGE_LIMIT = 25
# Relative propensity to be titularis by age (exact counts come from the targets): children are
# dependants, young adults become titularis when they start working, a minority of adults are
# dependent partners.
TITULARIS_PROPENSITY = ((0, 0.0), (16, 0.02), (18, 0.15), (21, 0.5), (25, 3.0), (65, 3.0), (80, 4.0))
# Probability that an arriving person is titularis, same age breakpoints.
ARRIVAL_TITULARIS_PROBABILITY = ((0, 0.0), (16, 0.01), (18, 0.2), (21, 0.6), (25, 0.88), (65, 0.92))
# Relative propensity to have verhoogde tegemoetkoming by age (pensioners and children of VT
# households more often).
VT_PROPENSITY = ((0, 1.0), (18, 0.8), (25, 0.75), (50, 0.9), (65, 1.5), (80, 2.0))
VT_YEARLY_END_PROBABILITY = 0.08
VT_HISTORY_YEARS = 15  # VT periods running at the first year-end started at most this long ago
ARRIVAL_VT_PROBABILITY = 0.3

# Yearly exits: mortality q(age) = min(cap, a * exp(b * age)) (Gompertz) plus departures to
# other landsbonden; switches between ziekenfondsen of the landsbond; births.
MORTALITY_A = 2.0e-5
MORTALITY_B = 0.1
MORTALITY_CAP = 0.6
YOUNG_ADULT_AGES = (18, 40)
DEPARTURE_RATE_YOUNG_ADULT = 0.012
DEPARTURE_RATE_OTHER = 0.006
SWITCH_RATE = 0.004
BIRTH_RATE = 0.0095
# Arriving persons are mostly young adults: multiplier on the pyramid per age breakpoint.
ARRIVAL_AGE_FACTOR = ((0, 0.6), (15, 1.6), (45, 0.7), (65, 0.3))

# Flemish residents (zorgkas affiliation): all members of ANT/LIM/OVL/WVL and this share of SOL_BRA
# (Flemish Brabant, Brussels opt-ins). Switches stay within the same language region.
BRABANT_FLEMISH_SHARE = 0.07
FLEMISH_ZIEKENFONDSEN = ("SOL_ANT", "SOL_LIM", "SOL_OVL", "SOL_WVL")
ZORGKAS_AFFILIATION_AGE = 25
ZORGKAS_SCHEME_START = (2001, 10, 1)  # Vlaamse zorgverzekering
OTHER_ZORGKAS_SHARE = 0.045  # members affiliated with 180/280/480/580 instead of 380
OTHER_ZORGKASSEN = ("180", "280", "480", "580")

# Current affiliation periods of adults started at most this many years before the first year;
# most children are affiliated (as dependant) within weeks of their birth.
MAX_PERIOD_HISTORY_YEARS = 35
CHILD_SINCE_BIRTH_SHARE = 0.85
NEWBORN_AFFILIATION_LAG_DAYS = (0, 45)
# Who changes member type when the titularis count must move: dependants aged 18-24 start
# working, older dependent partners less often; titularissen of these ages become dependent partners.
DEPENDANT_TO_TITULARIS_PROPENSITY = ((0, 0.0), (18, 1.0), (25, 0.3))
PARTNER_AGES = (25, 80)
# A dependant's titularis: a parent this many years older, or a partner of about the same age.
PARENT_AGE_GAP_YEARS = (22, 40)
PARTNER_AGE_GAP_SD_YEARS = 3

# Default profile: relative noise on the published year-end figures (the solidaris profile is exact).
DEFAULT_PROFILE_NOISE = 0.004

# Postcode ranges (first, last) per ziekenfonds; SOL_BRA differs for Flemish residents.
POSTCODE_RANGES = {
    "SOL_ANT": ((2000, 2990),),
    "SOL_LIM": ((3500, 3990),),
    "SOL_OVL": ((9000, 9990),),
    "SOL_WVL": ((8000, 8990),),
    "SOL_BRA": ((1000, 1210), (1300, 1490)),
    "SOL_BRA_FLEMISH": ((1500, 1990), (3000, 3470)),
    "SOL_WAL": ((4000, 5990), (6000, 6590), (7000, 7970)),
    "MSL_LUX": ((6600, 6990),),
}

# --- contributions -----------------------------------------------------------------------------

# Premium invitations: days of year (1 = 1 January); clean invitations all before 1 May.
PREMIUM_INVITATION_MAIN_WINDOW = (5, 90)  # January-March
PREMIUM_INVITATION_APRIL_WINDOW = (91, 120)
PREMIUM_INVITATION_APRIL_SHARE = 0.06
PREMIUM_UNPAID_SHARE = 0.03
AANVULLENDE_MONTHLY_EUR_2021 = 10.60  # per titularis, indexed below
AANVULLENDE_YEARLY_INDEXATION = 0.02
AANVULLENDE_UNPAID_SHARE = 0.02
AANVULLENDE_INVITATION_WINDOW = (2, 16)  # days of January
PAYMENT_DELAY_DAYS = (3, 60)

# --- zorgkas dossiers --------------------------------------------------------------------------

POSITIVE_SHARE = {"ZZB": 0.92, "ZOZ": 0.85, "BOB": 0.92}
HERZIENING_SHARE = 0.15
ZZB_RESIDENTIEEL_SHARE = 0.45
DECISION_DELAY_DAYS = (14, 70)  # "decided some weeks after received_on"
ZZB_START_OFFSET_MONTHS = {"THUIS": 3, "RESIDENTIEEL": 1}  # default parameters of indicator I3
ZZB_MAX_VALIDITY_MONTHS = 60  # default parameter of indicator I4
ZZB_FINITE_RIGHT_SHARE = 0.2
ZZB_FINITE_RIGHT_MONTHS = (24, 60)
ZOZ_FINITE_RIGHT_SHARE = 0.3
ZOZ_FINITE_RIGHT_MONTHS = (12, 36)
# Monthly amounts in EUR (2021 level, indexed yearly).
ZZB_MONTHLY_EUR_2021 = 130.0
ZOZ_MONTHLY_EUR_2021 = (70.0, 140.0, 210.0, 280.0, 350.0, 430.0, 520.0, 615.0)
BOB_MONTHLY_EUR_2021 = 300.0
BUDGET_YEARLY_INDEXATION = 0.02
# Regular payments are made on these days of the month (never after the last day).
PAYMENT_DAY_OF_MONTH = (18, 28)
BACK_PAYMENT_DELAY_DAYS = (1, 30)  # after decided_on (indicator I6 allows 30)
# Dossiers decided before the first generated year that are still active: how far back they go,
# and which share of a year's positive decisions is active on its 31/12.
HISTORY_YEARS = 8
NEW_RIGHTS_ACTIVE_AT_YEAR_END = 0.85
# Relative age weights of applicants per pillar, age breakpoints as above.
DOSSIER_AGE_WEIGHTS = {
    "ZZB": ((25, 0.3), (50, 0.6), (65, 2.0), (75, 5.0), (85, 10.0)),
    "ZOZ": ((25, 0.0), (65, 2.0), (75, 4.0), (85, 6.0)),
    "BOB": ((25, 1.0), (65, 0.3)),
}
MUTATIONS_PER_BUDGET_HOLDER_YEAR = 0.2
TRANSMISSION_DELAY_DAYS = (0, 30)  # indicator I2 allows 30

# --- erkende DMW -------------------------------------------------------------------------------

# DMW volumes shrink 10x less than members with the scale (but never beyond full size), so that a
# demo landing zone still has a few hundred registrations per DMW and year.
DMW_MIN_FACTOR = 0.1
DMW_SCALE_BOOST = 10.0

# Norm parameters this generator assumes for the per-VTE erkenningsnormen (the regulation's
# numbers are not in the reference documents); counted volumes are generated NORM_MARGIN above
# them, the other per-VTE norms are met through the shares below (at full scale).
ASSUMED_NORM_PER_VTE = reference.dmw_norms_per_vte()  # from the dmw_norms seed, not a second copy
NORM_MARGIN = 1.08
USERS_PER_VTE = ASSUMED_NORM_PER_VTE["USERS_REACHED"] * NORM_MARGIN
EXTRA_REGISTRATIONS_PER_USER = 0.3  # Poisson mean on top of the first registration
TYPEMODULE_SHARES = {
    "DIRECTE_HULP": 0.46,
    "TRAJECTBEGELEIDING": 0.22,
    "PSYCHOSOCIAAL_VERLIES": 0.08,
    "ZORGBEGELEIDING_COMPLEX": 0.12,
    "ERGOTHERAPEUTISCH": 0.12,
}
HANDICAP_SHARE = 0.18
DEMENTIA_SHARES = {"NONE": 0.86, "SUSPECTED": 0.08, "DIAGNOSED": 0.06}
ZORGBEHOEFTE_SHARE = 0.62
ACTIVE_CONSULTATION_SHARE = 0.8  # directe hulp only: every begeleiding has active consultation (004 §2.3.2)
DMW_USER_AGE_WEIGHTS = ((0, 0.3), (18, 0.6), (65, 1.5), (80, 2.5))

PROACTIVE_ACTIONS_PER_VTE = 25
PROACTIVE_TARGET_GROUPS = (
    "NIEUWE_VT_RECHTHEBBENDEN",
    "MANTELZORGERS",
    "ALLEENSTAANDE_80PLUSSERS",
    "LANGDURIG_ARBEIDSONGESCHIKTEN",
    "NIEUWE_ZORGBUDGETHOUDERS",
    "PERSONEN_MET_DEMENTIE",
    "ONTSLAG_UIT_ZIEKENHUIS",
    "RECENT_VERWEDUWDEN",
    "CHRONISCH_ZIEKEN",
    "ONDERBENUTTING_RECHTEN",
)
PROACTIVE_GROUPS_PER_DMW_YEAR = (6, 8)
PROACTIVE_FOLLOW_UP_SHARE = 0.27
CHANNEL_SHARES = {"BRIEF": 0.35, "TELEFOON": 0.35, "HUISBEZOEK": 0.15, "BEELDBELLEN": 0.05, "EMAIL": 0.10}

HOUSING_ADVICE_PER_VTE = ASSUMED_NORM_PER_VTE["HOUSING_ADVICE"] * NORM_MARGIN
HOUSING_KIND_SHARES = {"WONINGAANPASSING": 0.6, "TECHNOLOGIE": 0.25, "BEGELEIDING_TECHNOLOGIE": 0.15}
# for advice on technology; a WONINGAANPASSING advice has a home visit by an ergotherapeut (004 §2.3.5)
HOUSING_HOME_VISIT_SHARE = 0.7
HOUSING_ERGOTHERAPEUT_SHARE = 0.7

AID_LOANS_PER_VTE = 40
MIN_AID_LOANS_PER_DMW_YEAR = 30
AID_TYPES = (
    "ROLSTOEL",
    "ELEKTRISCHE_ROLSTOEL",
    "ROLLATOR",
    "LOOPREK",
    "KRUKKEN",
    "WANDELSTOK",
    "HOOG_LAAG_BED",
    "ANTIDECUBITUSMATRAS",
    "TILLIFT",
    "STA_OP_STOEL",
    "TOILETSTOEL",
    "DOUCHESTOEL",
    "BADLIFT",
    "TOILETVERHOGER",
    "BEDTAFEL",
    "PAPEGAAI",
    "RUGSTEUN",
    "TRANSFERPLANK",
    "DRAAISCHIJF",
    "GRIJPTANG",
    "SCOOTMOBIEL",
    "OPRIJPLATEN",
    "BEDHEKKEN",
    "INCONTINENTIEMATERIAAL",
    "VERSTELBARE_ZETEL",
    "DOUCHEBRANCARD",
)
MIN_AID_TYPES_WITH_ADVICE = 22  # norm: at least 20
AID_ADVICE_SHARE = 0.8

ALARMS_ACTIVE_PER_VTE = ASSUMED_NORM_PER_VTE["PERSONAL_ALARMS"] * NORM_MARGIN
ALARM_YEARLY_TERMINATION = 0.15
ALARM_STOCK_MAX_AGE_YEARS = 6  # running contracts at the start began at most this long ago
ALARM_VAST_SHARE = 0.75
ALARM_MONTHLY_EUR = {"VAST": 24.90, "MOBIEL": 27.49}  # both within the 27.49 EUR maximum
ALARM_REDUCED_MONTHLY_EUR = 12.50
ALARM_REDUCED_SHARE = 0.15
ALARM_AUTOMATIC_REDUCTION_DMW = ("DMW_SOL_ANT",)  # elsewhere users apply for the reduction
ALARM_PLACEMENT_COST_EUR = (0.0, 45.0)
ALARM_DEPOSIT_DEFECT_EUR = 50.0
# Checks of the Zorginspectie report (004 §2.2.2, §2.3.1, §2.3.2, §2.3.5, §2.3.7): in the default
# (non-clean) mode one DMW misses each check every year, by these few records, so that the demo shows
# every check met by the other DMW and not met by one.
ALARM_PLACEMENT_COST_DEFECT_EUR = 95.0  # above the 60.00 EUR working maximum of seed dmw_alarm_placement_cost_max
CONSULTATION_MISSES = 2  # begeleiding registrations without active consultation
HOUSING_PRACTICE_MISSES = 2  # WONINGAANPASSING advices: one without home visit, one by a maatschappelijk werker
ENTITLED_WITHOUT_REDUCTION = 1  # contracts of VT holders started in the year without reduced contribution
CROSS_DMW_USERS_PER_YEAR = 3  # users of one DMW also registered (directe hulp) at another DMW of the landsbond
STAFF_QUALIFICATIONS = {  # recognised codes of seed dmw_recognised_qualifications, by role
    "LEIDINGGEVENDE": ("MASTER_SOCIAAL_WERK",),
    "MAATSCHAPPELIJK_WERKER": ("BACHELOR_SOCIAAL_WERK", "BACHELOR_SOCIAAL_WERK", "BACHELOR_SOCIAAL_AGOGISCH_WERK"),
    "ERGOTHERAPEUT": ("BACHELOR_ERGOTHERAPIE",),
    "ANDERE": ("",),  # administrative staff: no qualification registered
}
UNRECOGNISED_QUALIFICATION = "BACHELOR_TOEGEPASTE_PSYCHOLOGIE"

STAFF_VTE_PER_PERSON = 0.85
STAFF_FTE_OPTIONS = (1.0, 0.8, 0.5)
STAFF_FTE_WEIGHTS = (0.6, 0.25, 0.15)
STAFF_ROLE_SHARES = {"MAATSCHAPPELIJK_WERKER": 0.74, "ERGOTHERAPEUT": 0.14, "ANDERE": 0.12}
STAFF_LEADER_SHARE = 0.05  # at least one leidinggevende per DMW
STAFF_FIRST_HIRE_YEAR = 1998
STAFF_YEARLY_TURNOVER = 0.06
STAFF_REPLACEMENT_DELAY_DAYS = (15, 90)
DEMENTIA_TRAINING_DELAY_DAYS = (30, 700)  # norm: within 24 months of hiring

# --- non-take-up (SPEC §5b) ---------------------------------------------------------------------
# The published volumes and rates (mailed per year, conversion, renewal funnel) are read from
# key_facts_other.csv by reference.non_take_up_figures(); below only what seed 002 does not say.

MAILING_WEEKDAY = 1  # the weekly batch leaves on Tuesday (Monday = 0)
MAILING_MIN_AGE = 18  # letters go to adults; a child's VT follows the household
# Days from the letter to the start of VT for converted members: "weeks to months".
CONVERSION_DELAY_MIN_DAYS = 14
CONVERSION_DELAY_GAMMA = (2.0, 45.0)  # shape, scale: mean about 100 days after the minimum
# Share of a year's letters (besides those to members who convert or already have VT) that are
# reminders: members mailed 53 weeks earlier and still without VT. The rest are first letters.
REMINDER_SHARE_OF_LETTERS = 0.35
SECOND_LETTER_SHARE = 0.01  # a second letter within the year for another indicator
SECOND_LETTER_DELAY_WEEKS = (2, 8)
MAILED_WITH_VT_SHARE = 0.004  # data-quality defect: the selection missed a running VT
# Relative propensity per indicator by age at the letter (breakpoints in years).
INDICATOR_AGE_WEIGHTS = {
    "WEDUWE": ((18, 0.02), (45, 0.1), (65, 0.6), (80, 1.2)),
    "INVALIDE": ((18, 0.3), (30, 0.8), (50, 1.2), (65, 0.0)),
    "GEPENSIONEERDE": ((18, 0.0), (60, 0.4), (65, 2.0)),
    "LANGDURIG_WERKLOOS": ((18, 0.6), (30, 0.7), (55, 0.4), (65, 0.0)),
    "EENOUDERGEZIN": ((18, 0.5), (30, 0.8), (50, 0.2), (60, 0.0)),
    "RESIDENT_VERMINDERING": ((18, 0.15), (65, 0.1)),
}
INDICATOR_LEAD_DAYS = (14, 1500)  # the situation was known this long before the first letter
INDICATOR_END_SHARE = 0.15  # situations of mailed members that end later (new job, new partner)
INDICATOR_END_DAYS_AFTER_LAST_LETTER = (30, 700)
VT_MEMBERS_WITH_INDICATOR_SHARE = 0.5  # members with VT who also have a known indicator
# New situations of the last weeks of each year, not mailed yet: the year-end mailing list.
LATE_CANDIDATES_SHARE_OF_MAILED = 0.05
LATE_CANDIDATE_WEEKS = 8

# Renewal of the right: of the 3 points between the June run (91 %) and "without contact" (94 %),
# the share renewed by a later automatic run before any manual review (the rest: provincial review).
AUTO_LATER_SHARE_OF_REVIEWED = 1 / 3
AUTO_JUNE_DAYS = ((6, 1), (6, 30))
AUTO_LATER_DAYS = ((7, 1), (8, 31))
PROVINCIAL_REVIEW_DAYS = ((9, 1), (10, 31))
RENEWAL_LETTER_DAYS = ((11, 2), (11, 20))
AFTER_LETTER_MIN_DAYS = 3  # decided at the earliest this long after the letter, by 31/12

# --- published tables for years without publication ---------------------------------------------

FINANCE_YEARLY_GROWTH = 0.02
STAFF_YEARLY_GROWTH = 0.01

# --- defects -----------------------------------------------------------------------------------

REJECTABLE_RATE = 0.001  # per defect kind and row
MIN_REJECTABLE_PER_KIND = 3  # per source, whatever the scale
CORRECTIONS_VALID_ROWS = 5
CORRECTIONS_DEFECT_ROWS = 3  # per text-level defect kind
OVERLAP_SHARE_OF_SWITCHES = 0.02
MIN_OVERLAPS = 3
OVERLAP_DAYS_AFTER_YEAR_END = (1, 45)
LATE_INVITATION_SHARE = 0.01
LATE_INVITATION_DAYS_AFTER_APRIL = (0, 150)
LATE_TRANSMISSION_SHARE = 0.02
# A transmission backlog in the first generated year puts I2 below the 0.95 working norm, so the
# demo's responsabilisering has a withholding to show (the other years stay above the norm).
LATE_TRANSMISSION_SHARE_FIRST_YEAR = 0.07
LATE_TRANSMISSION_DAYS = (31, 90)
INCORRECT_TRANSMISSION_SHARE = 0.01
WRONG_RIGHT_START_SHARE = 0.02
VALIDITY_TOO_LONG_SHARE = 0.01
VALIDITY_TOO_LONG_EXTRA_MONTHS = (1, 12)
PAYMENT_OUTSIDE_RIGHT_SHARE = 0.002  # of a year's ZZB payments
LATE_PAYMENT_SHARE = 0.004
LATE_PAYMENT_DAYS_AFTER_MONTH = (5, 40)
LATE_BACK_PAYMENT_DAYS = (31, 60)
TOO_FEW_TARGET_GROUPS = 4  # a DMW that misses the norm of 5
LATE_TRAINING_DELAY_DAYS = (800, 1500)  # beyond the 24 months of the norm
