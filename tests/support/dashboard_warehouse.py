"""The fixture warehouse of the dashboard tests: a DuckDB file with exactly the columns the marts
publish and the reference seeds the pages read, filled with plausible figures for 2021-2023 (and
DMW months of 2024), and the build info the pages are rendered with. Used by test_dashboards,
test_ui_browser and test_dmw_inspection_checks."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from dashboards.render import BuildInfo
from support.spec import RENEWAL_STAGES

REPO = Path(__file__).resolve().parents[2]

RUN_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
BUILT_AT = datetime(2024, 1, 15, 5, 3, tzinfo=UTC)  # 06:03 in Brussels
INFO = BuildInfo(RUN_ID, BUILT_AT)

# -- the fixture warehouse: exactly the columns the marts publish ----------------------------------

ZIEKENFONDSEN = {
    "SOL_ANT": ("Solidaris Antwerpen", 310_000, 0.24),
    "SOL_BRA": ("Solidaris Brabant", 640_000, 0.27),
    "SOL_LIM": ("Solidaris Limburg", 175_000, 0.22),
    "SOL_OVL": ("Solidaris Oost-Vlaanderen", 265_000, 0.23),
    "SOL_WVL": ("Solidaris West-Vlaanderen", 205_000, 0.21),
    "SOL_WAL": ("Solidaris Wallonie", 1_580_000, 0.31),
    "MSL_LUX": ("Mutualité Socialiste du Luxembourg", 150_000, 0.19),
}
ZORGKASSEN = {
    "180": "CM zorgkas",
    "280": "Neutrale zorgkas",
    "380": "Socialistische zorgkas",
    "480": "Liberale zorgkas",
    "580": "Onafhankelijke zorgkas",
}
DMW = {
    "DMW_SOL_ANT": "DMW van Solidaris Antwerpen",
    "DMW_SOL_BRA": "DMW van Solidaris Brabant",
    "DMW_SOL_LIM": "DMW van Solidaris Limburg",
    "DMW_SOL_OVL": "DMW van Solidaris Oost-Vlaanderen",
    "DMW_SOL_WVL": "DMW van Solidaris West-Vlaanderen",
}
NATIONAL = {2021: (11_760_000, 7_310_000), 2022: (11_840_000, 7_350_000), 2023: (11_930_000, 7_390_000)}
WEIGHTS = {"I1": 0.50, "I2": 0.01, "I3": 0.04, "I4": 0.15, "I5": 0.15, "I6": 0.15}
NORMS = {  # norm_code: (kind, parameter per vte or threshold)
    "USERS_REACHED": ("PER_VTE", 150),
    "USERS_BEGELEIDING": ("PER_VTE", 40),
    "USERS_ERGO": ("PER_VTE", 4),
    "USERS_HANDICAP_DEMENTIA": ("PER_VTE", 20),
    "ZORGBEHOEFTE_SHARE": ("SHARE", 0.5),
    "PROACTIVE_TARGET_GROUPS": ("COUNT", 5),
    "PROACTIVE_FOLLOW_UP_SHARE": ("SHARE", 0.2),
    "HOUSING_ADVICE": ("PER_VTE", 6),
    "AID_TYPES": ("COUNT", 20),
    "PERSONAL_ALARMS": ("PER_VTE", 15),
    "ALARM_PRICE_MAX": ("MAX_EUR", 26.5),
    "ALARM_NO_DEPOSIT": ("BOOLEAN", 0),
    "ALARM_REDUCTION_OFFERED": ("BOOLEAN", 1),
    "STAFF_DEMENTIA_TRAINING": ("SHARE", 1.0),
}
MARTS = (
    "fct_membership_year",
    "fct_zorgkas_indicator_year",
    "fct_zorgkas_score_year",
    "fct_zorgkas_responsabilisering_year",
    "fct_zorgkas_failing_rows",
    "fct_zorgkas_production_year",
    "fct_dmw_norm_year",
    "fct_dmw_norm_month",
    "fct_right_renewal_year",
    "fct_vt_take_up_year",
    "fct_dmw_inspection_findings",
    "fct_dmw_personal_alarm_year",
    "fct_dmw_staff_sample",
    "fct_dmw_alarm_invoice_sample",
    "fct_dmw_proactive_action_sample",
    "fct_dmw_reported_vs_computed",
)
VT_INDICATORS = {"WEDUWE": "Weduwe of weduwnaar", "INVALIDE": "Invalide", "GEPENSIONEERDE": "Gepensioneerde"}
PUBLISHED_NON_TAKE_UP = {
    "VT_MAILED_PER_YEAR": 250000,
    "VT_CONVERSION_12M": 0.15,
    "AUTO_JUNE_SHARE": 0.91,
    "WITHOUT_CONTACT_SHARE": 0.94,
    "LETTERS_SENT_SHARE": 0.06,
    "WITHOUT_RIGHT_AT_YEAR_END_SHARE": 0.03,
    "WITHOUT_RIGHT_FINAL_SHARE": 0.008,
}

TYPES = {
    "reference.ziekenfondsen": {"ziekenfonds_code": "varchar", "name": "varchar"},
    "reference.zorgkassen": {"zorgkas_code": "varchar", "name": "varchar", "is_own": "boolean"},
    "reference.erkende_dmw": {"dmw_code": "varchar", "name": "varchar"},
    "reference.dmw_norms": {
        "norm_code": "varchar",
        "name_nl": "varchar",
        "kind": "varchar",
        "section": "varchar",
        "findings_export": "varchar",
        "sort_order": "integer",
    },
    "reference.zorgkas_indicator_weights": {
        "indicator": "varchar",
        "indicator_number": "integer",
        "short_name_nl": "varchar",
        "records_nl": "varchar",
    },
    "marts.fct_membership_year": {
        "year": "integer",
        "ziekenfonds_code": "varchar",
        "leden": "bigint",
        "leden_delta_12m": "bigint",
        "titularissen": "bigint",
        "titularissen_delta_12m": "bigint",
        "vt_leden": "bigint",
        "vt_leden_delta_12m": "bigint",
        "vt_share": "decimal(9,6)",
        "market_share_leden": "decimal(9,6)",
        "market_share_titularissen": "decimal(9,6)",
        "zorgkas_leden": "bigint",
        "zorgkas_active_dossiers": "bigint",
    },
    "marts.fct_zorgkas_indicator_year": {
        "year": "integer",
        "zorgkas_code": "varchar",
        "indicator": "varchar",
        "weight": "decimal(5,4)",
        "population": "bigint",
        "compliant": "bigint",
        "score": "decimal(9,6)",
        "norm": "decimal(9,4)",
        "below_norm": "boolean",
        "empty_population": "boolean",
    },
    "marts.fct_zorgkas_score_year": {
        "year": "integer",
        "zorgkas_code": "varchar",
        "global_score": "decimal(9,6)",
        "indicators_below_norm": "integer",
    },
    "marts.fct_zorgkas_failing_rows": {
        "year": "integer",
        "zorgkas_code": "varchar",
        "indicator": "varchar",
        "row_id": "varchar",
        "reason": "varchar",
    },
    "marts.fct_zorgkas_production_year": {
        "year": "integer",
        "zorgkas_code": "varchar",
        "is_own": "boolean",
        "members": "bigint",
        "dossiers_zzb": "bigint",
        "dossiers_zoz": "bigint",
        "dossiers_bob": "bigint",
        "werkingsmiddelen_eur": "decimal(18,2)",
        "cost_per_member_eur": "decimal(18,2)",
        "cost_per_dossier_eur": "decimal(18,2)",
        "reserves_eur": "decimal(18,2)",
        "origin": "varchar",
    },
    "marts.fct_zorgkas_responsabilisering_year": {
        "year": "integer",
        "zorgkas_code": "varchar",
        "global_score": "decimal(9,6)",
        "pot_eur": "decimal(18,2)",
        "withheld_eur": "decimal(18,2)",
        "received_eur": "decimal(18,2)",
        "net_eur": "decimal(18,2)",
    },
    "marts.fct_dmw_norm_year": {
        "year": "integer",
        "dmw_code": "varchar",
        "landsbond_code": "varchar",
        "norm_code": "varchar",
        "required": "decimal(18,6)",
        "achieved": "decimal(18,6)",
        "met": "boolean",
    },
    "marts.fct_dmw_norm_month": {
        "year": "integer",
        "month": "integer",
        "dmw_code": "varchar",
        "norm_code": "varchar",
        "achieved_ytd": "decimal(18,6)",
        "pro_rata_required": "decimal(18,6)",
        "on_track": "boolean",
    },
    "marts.fct_dmw_inspection_findings": {
        "year": "integer",
        "dmw_code": "varchar",
        "norm_code": "varchar",
        "record_id": "varchar",
    },
    "marts.fct_dmw_personal_alarm_year": {
        "year": "integer",
        "dmw_code": "varchar",
        "reduction_automatic_share": "decimal(18,6)",
    },
    "marts.fct_dmw_staff_sample": {"year": "integer", "dmw_code": "varchar", "staff_id": "varchar"},
    "marts.fct_dmw_alarm_invoice_sample": {
        "year": "integer",
        "dmw_code": "varchar",
        "contract_id": "varchar",
        "reduced_contribution": "boolean",
    },
    "marts.fct_dmw_proactive_action_sample": {
        "year": "integer",
        "dmw_code": "varchar",
        "action_id": "varchar",
        "target_group": "varchar",
    },
    "marts.fct_dmw_reported_vs_computed": {
        "year": "integer",
        "dmw_code": "varchar",
        "norm_code": "varchar",
        "reported_value": "decimal(18,6)",
        "computed_value": "decimal(18,6)",
        "difference": "decimal(18,6)",
        "above_tolerance": "boolean",
    },
    "reference.vt_indicators": {"indicator": "varchar", "name_nl": "varchar", "sort_order": "integer"},
    "reference.non_take_up_published_figures": {"figure_code": "varchar", "value": "decimal(18,6)"},
    "marts.fct_right_renewal_year": {
        "right_year": "integer",
        "ziekenfonds_code": "varchar",
        "population": "bigint",
        **dict.fromkeys(RENEWAL_STAGES, "bigint"),
        **{f"{stage}_share": "decimal(9,6)" for stage in RENEWAL_STAGES},
    },
    "marts.fct_vt_take_up_year": {
        "year": "integer",
        "ziekenfonds_code": "varchar",
        "indicator": "varchar",
        "candidates": "bigint",
        "mailed": "bigint",
        "converted_12m": "bigint",
        "conversion_rate": "decimal(9,6)",
        "not_mailed_candidates": "bigint",
        "follow_up_complete": "boolean",
    },
}


def _membership_rows() -> list[dict]:
    rows, previous = [], {}
    for year in (2021, 2022, 2023):
        step = year - 2021
        per_zf = []
        for index, (code, (_, base, vt)) in enumerate(ZIEKENFONDSEN.items()):
            leden = round(base * (1 + (index % 3 - 1) * 0.004 * step + 0.003 * step))
            titularissen = round(leden * (0.61 + 0.005 * index))
            vt_leden = round(leden * (vt + 0.004 * step))
            flemish = code not in ("SOL_WAL", "MSL_LUX")
            per_zf.append(
                {
                    "year": year,
                    "ziekenfonds_code": code,
                    "leden": leden,
                    "titularissen": titularissen,
                    "vt_leden": vt_leden,
                    "zorgkas_leden": round(leden * 0.78) if flemish else 0,
                    "zorgkas_active_dossiers": round(leden * 0.021) if flemish else 0,
                }
            )
        total = {
            "year": year,
            "ziekenfonds_code": "ALL",
            **{
                k: sum(r[k] for r in per_zf)
                for k in ("leden", "titularissen", "vt_leden", "zorgkas_leden", "zorgkas_active_dossiers")
            },
        }
        total["zorgkas_leden"] += 1_200  # zorgkas members who are no lid on 31/12 count for ALL only
        for row in [*per_zf, total]:
            before = previous.get(row["ziekenfonds_code"])
            for stock in ("leden", "titularissen", "vt_leden"):
                row[f"{stock}_delta_12m"] = row[stock] - before[stock] if before else None
            row["vt_share"] = round(row["vt_leden"] / row["leden"], 6)
            row["market_share_leden"] = round(row["leden"] / NATIONAL[year][0], 6)
            row["market_share_titularissen"] = round(row["titularissen"] / NATIONAL[year][1], 6)
            previous[row["ziekenfonds_code"]] = row
            rows.append(row)
    return rows


# Below the 0.95 norm: CM on I4 in 2022 and the own zorgkas on I5 in 2023 (extra failing rows).
EXTRA_MISSED = {("180", "I4", 2022): 60, ("380", "I5", 2023): 70}
REASONS = {  # two causes per indicator, as the mart words them (dates vary per row)
    "I1": ("invited on {d}, after the deadline 2023-04-30", "not invited (deadline 2023-04-30)"),
    "I2": ("transmitted {n} days after the mutation (maximum 30)", "transmission incorrect"),
    "I3": (
        "right starts {d}, expected 2023-05-01 (received 2023-02-10, THUIS + 3 months)",
        "positive decision without right_start (expected 2023-05-01)",
    ),
    "I4": (
        "right from 2018-01-01 to {d} exceeds the maximum of 60 months (latest end 2022-12-31)",
        "right_end without right_start: validity cannot be measured",
    ),
    "I5": (
        "payment for 2023-03, before the right starts on {d}",
        "payment for 2023-04 on a dossier without a right (decision NEGATIEF)",
    ),
    "I6": (
        "payment for 2023-05 paid on {d}, after the end of the month",
        "back-payment for 2023-01 paid on {d}, more than 30 days after the decision of 2023-02-01",
    ),
}
PRODUCTION = {  # (year, zorgkas): members, zzb, zoz, bob, werkingsmiddelen, reserves, origin
    (2020, "180"): (2_337_458, 89_528, 20_804, 1_570, 7_110_028.63, 9_907_992, "published"),
    (2020, "380"): (928_058, 40_883, 9_653, 888, 3_196_510.33, 1_687_248, "published"),
    (2021, "180"): (None, None, None, None, 7_178_008.26, None, "published"),
    (2021, "380"): (9_321, 402, 113, 12, 3_225_317.25, None, "computed; published: werkingsmiddelen_eur"),
    (2023, "380"): (9_436, 398, 119, 13, None, None, "computed"),
}


def _failing_rows(year: int, code: str, indicator: str, missed: int) -> list[dict]:
    first, second = REASONS[indicator]
    return [
        {
            "year": year,
            "zorgkas_code": code,
            "indicator": indicator,
            "row_id": f"{code}-{indicator}-{year}-{n}",
            "reason": (first if n % 3 else second).format(d=f"{year}-{1 + n % 12:02d}-{1 + n % 28:02d}", n=31 + n),
        }
        for n in range(missed)
    ]


def _production_rows() -> list[dict]:
    rows = []
    for (year, code), (members, zzb, zoz, bob, money, reserves, origin) in PRODUCTION.items():
        dossiers = None if zzb is None else zzb + zoz + bob
        rows.append(
            {
                "year": year,
                "zorgkas_code": code,
                "is_own": code == "380",
                "members": members,
                "dossiers_zzb": zzb,
                "dossiers_zoz": zoz,
                "dossiers_bob": bob,
                "werkingsmiddelen_eur": money,
                "cost_per_member_eur": round(money / members, 2) if money and members else None,
                "cost_per_dossier_eur": round(money / dossiers, 2) if money and dossiers else None,
                "reserves_eur": reserves,
                "origin": origin,
            }
        )
    return rows


def zorgkas_rows() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    indicators, scores, resp, failing = [], [], [], []
    for year in (2021, 2022, 2023):
        subsidies = {"180": 4_980_000, "280": 1_010_000, "380": 1_520_000, "480": 900_000, "580": 1_090_000}
        withheld = {}
        for z_index, code in enumerate(ZORGKASSEN):
            global_score = 0.0
            for i_index, (indicator, weight) in enumerate(WEIGHTS.items()):
                population = 800 + 137 * z_index + 53 * i_index + 11 * (year - 2021)
                missed = (z_index * 7 + i_index * 3 + year) % 23 + EXTRA_MISSED.get((code, indicator, year), 0)
                compliant = population - missed
                score = round(compliant / population, 6)
                global_score += weight * score
                indicators.append(
                    {
                        "year": year,
                        "zorgkas_code": code,
                        "indicator": indicator,
                        "weight": weight,
                        "population": population,
                        "compliant": compliant,
                        "score": score,
                        "norm": 0.95,
                        "below_norm": score < 0.95,
                        "empty_population": False,
                    }
                )
                failing.extend(_failing_rows(year, code, indicator, missed))
            below = sum(r["below_norm"] for r in indicators[-len(WEIGHTS) :])
            scores.append(
                {
                    "year": year,
                    "zorgkas_code": code,
                    "global_score": round(global_score, 6),
                    "indicators_below_norm": below,
                }
            )
            withheld[code] = round(0.20 * subsidies[code] * 0.15, 2) if (code, year) == ("180", 2022) else 0.0
        total_withheld, total_subsidy = sum(withheld.values()), sum(subsidies.values())
        for row in scores[-5:]:
            code = row["zorgkas_code"]
            received = round(total_withheld * subsidies[code] / total_subsidy, 2)
            resp.append(
                {
                    "year": year,
                    "zorgkas_code": code,
                    "global_score": row["global_score"],
                    "pot_eur": round(0.20 * subsidies[code], 2),
                    "withheld_eur": withheld[code],
                    "received_eur": received,
                    "net_eur": round(received - withheld[code], 2),
                }
            )
    return indicators, scores, resp, failing


def _dmw_rows() -> tuple[list[dict], list[dict]]:
    years, months = [], []
    vte = {"DMW_SOL_ANT": 21.5, "DMW_SOL_BRA": 30.0, "DMW_SOL_LIM": 12.3, "DMW_SOL_OVL": 18.0, "DMW_SOL_WVL": 14.2}
    vte["LB_300"] = sum(vte.values())
    for year, last_month in ((2022, 12), (2023, 11)):
        for d_index, code in enumerate(vte):
            for n_index, (norm, (kind, parameter)) in enumerate(NORMS.items()):
                required = parameter * vte[code] if kind == "PER_VTE" else parameter
                pace = 0.8 + ((d_index * 5 + n_index * 3 + year) % 7) * 0.06  # 0.80 .. 1.16 of the requirement
                if kind in ("PER_VTE", "COUNT"):
                    achieved_year = round(required * pace)
                    met = achieved_year >= required
                elif kind == "SHARE":
                    achieved_year = round(min(parameter * pace, 1.0), 6)
                    met = achieved_year >= parameter
                elif kind == "MAX_EUR":
                    achieved_year = round(parameter * (1.1 - pace * 0.15), 2)
                    met = achieved_year <= parameter
                else:
                    achieved_year = parameter if pace > 0.9 else (1 - parameter)
                    met = achieved_year == parameter
                years.append(
                    {
                        "year": year,
                        "dmw_code": code,
                        "landsbond_code": "300",
                        "norm_code": norm,
                        "required": required,
                        "achieved": achieved_year,
                        "met": met,
                    }
                )
                for month in range(1, last_month + 1):
                    if kind in ("PER_VTE", "COUNT"):
                        pro_rata = round(required * month / 12, 6)
                        achieved = round(achieved_year * month / 12 * (0.9 + 0.02 * (month % 4)))
                        on_track = achieved >= pro_rata
                    else:
                        pro_rata, achieved, on_track = required, achieved_year, met
                    months.append(
                        {
                            "year": year,
                            "month": month,
                            "dmw_code": code,
                            "norm_code": norm,
                            "achieved_ytd": achieved,
                            "pro_rata_required": pro_rata,
                            "on_track": on_track,
                        }
                    )
    return years, months


def _dmw_inspection_rows() -> dict[str, list[dict]]:
    """One failing record per further check at DMW_SOL_BRA in 2023, samples for every DMW, and two
    reported figures (one matching, one not)."""
    checks = (
        "BEGELEIDING_ACTIVE_CONSULTATION",
        "HOUSING_ADVICE_PRACTICE",
        "ALARM_PLACEMENT_COST_MAX",
        "ALARM_REDUCTION_ENTITLED",
        "STAFF_QUALIFICATION",
    )
    own = list(DMW)
    return {
        "marts.fct_dmw_inspection_findings": [
            {"year": 2023, "dmw_code": "DMW_SOL_BRA", "norm_code": n, "record_id": f"F{i}"}
            for i, n in enumerate(checks)
        ],
        "marts.fct_dmw_personal_alarm_year": [
            {"year": 2023, "dmw_code": c, "reduction_automatic_share": 0.25 * i} for i, c in enumerate(own)
        ],
        "marts.fct_dmw_staff_sample": [
            {"year": 2023, "dmw_code": c, "staff_id": f"{c}-S{n}"} for c in own for n in range(5)
        ],
        "marts.fct_dmw_alarm_invoice_sample": [
            {"year": 2023, "dmw_code": c, "contract_id": f"{c}-C{n}", "reduced_contribution": n < 3}
            for c in own
            for n in range(6)
        ],
        "marts.fct_dmw_proactive_action_sample": [
            {"year": 2023, "dmw_code": c, "action_id": f"{c}-A{n}", "target_group": f"Doelgroep {n % 5}"}
            for c in own
            for n in range(9)
        ],
        "marts.fct_dmw_reported_vs_computed": [
            {
                "year": 2023,
                "dmw_code": "DMW_SOL_ANT",
                "norm_code": "USERS_REACHED",
                "reported_value": 3300,
                "computed_value": 3300,
                "difference": 0,
                "above_tolerance": False,
            },
            {
                "year": 2023,
                "dmw_code": "DMW_SOL_BRA",
                "norm_code": "HOUSING_ADVICE",
                "reported_value": 410,
                "computed_value": 396,
                "difference": 14,
                "above_tolerance": True,
            },
        ],
    }


def _non_take_up_rows() -> tuple[list[dict], list[dict]]:
    """Renewal funnels near 91/94/6/3/0.8 % and mailing conversions near 15 %, per ziekenfonds."""
    renewals, take_up = [], []
    for year in (2022, 2023):
        per_zf = []
        for index, (code, (_, leden, _)) in enumerate(ZIEKENFONDSEN.items()):
            population = leden
            auto_june = round(population * (0.905 + 0.002 * index))
            automatic = auto_june + round(population * 0.02)
            without_contact = automatic + round(population * 0.012)
            renewed = without_contact + round(population * 0.03)
            per_zf.append(
                {
                    "right_year": year,
                    "ziekenfonds_code": code,
                    "population": population,
                    "auto_june": auto_june,
                    "automatic": automatic,
                    "without_contact": without_contact,
                    "letters_sent": population - without_contact,
                    "renewed_by_year_end": renewed,
                    "without_right_at_year_end": population - renewed,
                    "without_right_final": round(population * 0.008),
                }
            )
        per_zf.append(
            {
                "right_year": year,
                "ziekenfonds_code": "ALL",
                **{k: sum(r[k] for r in per_zf) for k in ("population", *RENEWAL_STAGES)},
            }
        )
        for row in per_zf:
            row.update({f"{stage}_share": round(row[stage] / row["population"], 6) for stage in RENEWAL_STAGES})
            renewals.append(row)
        for code in [*ZIEKENFONDSEN, "ALL"]:
            for i_index, indicator in enumerate([*VT_INDICATORS, "ALL"]):
                mailed = 900 + 130 * i_index + (7 if code == "ALL" else 1) * 10
                converted = round(mailed * (0.13 + 0.01 * i_index))
                take_up.append(
                    {
                        "year": year,
                        "ziekenfonds_code": code,
                        "indicator": indicator,
                        "candidates": mailed * 3,
                        "mailed": mailed,
                        "converted_12m": converted,
                        "conversion_rate": round(converted / mailed, 6),
                        "not_mailed_candidates": mailed // 4,
                        "follow_up_complete": year < 2023,
                    }
                )
    return renewals, take_up


WEIGHTS_SEED = "reference.zorgkas_indicator_weights"


def seed_rows(path: str, table: str) -> list[dict]:
    """The rows of a committed dbt seed, with the columns the fixture table declares."""
    with (REPO / "dbt_project" / "seeds" / path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    types = TYPES[table]
    return [{c: (int(r[c]) if types[c] == "integer" else r[c] or None) for c in types} for r in rows]


def fixture_tables() -> dict[str, list[dict]]:
    indicators, scores, resp, failing = zorgkas_rows()
    dmw_year, dmw_month = _dmw_rows()
    renewals, take_up = _non_take_up_rows()
    return {
        "reference.ziekenfondsen": [{"ziekenfonds_code": c, "name": n} for c, (n, _, _) in ZIEKENFONDSEN.items()],
        "reference.zorgkassen": [{"zorgkas_code": c, "name": n, "is_own": c == "380"} for c, n in ZORGKASSEN.items()],
        "reference.erkende_dmw": [{"dmw_code": c, "name": n} for c, n in DMW.items()],
        # The seeds the pages take labels, order and units from, as committed (their one home).
        "reference.dmw_norms": seed_rows("dmw/dmw_norms.csv", "reference.dmw_norms"),
        "reference.zorgkas_indicator_weights": seed_rows(
            "zorgkas/zorgkas_indicator_weights.csv", "reference.zorgkas_indicator_weights"
        ),
        "marts.fct_membership_year": _membership_rows(),
        "marts.fct_zorgkas_indicator_year": indicators,
        "marts.fct_zorgkas_score_year": scores,
        "marts.fct_zorgkas_responsabilisering_year": resp,
        "marts.fct_zorgkas_failing_rows": failing,
        "marts.fct_zorgkas_production_year": _production_rows(),
        "marts.fct_dmw_norm_year": dmw_year,
        "marts.fct_dmw_norm_month": dmw_month,
        **_dmw_inspection_rows(),
        "reference.vt_indicators": [
            {"indicator": c, "name_nl": n, "sort_order": i} for i, (c, n) in enumerate(VT_INDICATORS.items(), start=1)
        ],
        "reference.non_take_up_published_figures": [
            {"figure_code": c, "value": v} for c, v in PUBLISHED_NON_TAKE_UP.items()
        ],
        "marts.fct_right_renewal_year": renewals,
        "marts.fct_vt_take_up_year": take_up,
    }


def write_fixture_warehouse(path: Path, skip: tuple[str, ...] = ()) -> Path:
    """A DuckDB file with the marts and reference seeds the dashboards read (tables in ``skip``,
    e.g. ``marts.fct_zorgkas_score_year``, are left out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.sql("create schema if not exists marts")
        con.sql("create schema if not exists reference")
        for table, rows in fixture_tables().items():
            if table in skip:
                continue
            types = TYPES[table]
            frame = pl.DataFrame(
                rows,
                schema={
                    c: pl.String
                    if t == "varchar"
                    else pl.Boolean
                    if t == "boolean"
                    else pl.Float64
                    if t.startswith("decimal")
                    else pl.Int64
                    for c, t in types.items()
                },
                orient="row",
            )
            casts = ", ".join(f'cast("{c}" as {t}) as "{c}"' for c, t in types.items())
            con.register("fixture_rows", frame)
            con.sql(f"create or replace table {table} as select {casts} from fixture_rows")
            con.unregister("fixture_rows")
    return path
