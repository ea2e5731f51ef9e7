"""Dashboards (SPEC §7) from a fixture warehouse: self-contained, Dutch, dated, deterministic, and a
page that says "nog geen gegevens" instead of an error when a mart is not there yet."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest
from conftest import REPO

from dashboards import palette
from dashboards.pages import DASHBOARDS, INDEX, REQUIRED_COLUMNS, build_page, render_all, render_dashboard
from dashboards.render import BuildInfo

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
RENEWAL_STAGES = (
    "auto_june",
    "automatic",
    "without_contact",
    "letters_sent",
    "renewed_by_year_end",
    "without_right_at_year_end",
    "without_right_final",
)
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


def _zorgkas_rows() -> tuple[list[dict], list[dict], list[dict], list[dict]]:
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


def _seed_rows(path: str, table: str) -> list[dict]:
    """The rows of a committed dbt seed, with the columns the fixture table declares."""
    with (REPO / "dbt_project" / "seeds" / path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    types = TYPES[table]
    return [{c: (int(r[c]) if types[c] == "integer" else r[c] or None) for c in types} for r in rows]


def fixture_tables() -> dict[str, list[dict]]:
    indicators, scores, resp, failing = _zorgkas_rows()
    dmw_year, dmw_month = _dmw_rows()
    renewals, take_up = _non_take_up_rows()
    return {
        "reference.ziekenfondsen": [{"ziekenfonds_code": c, "name": n} for c, (n, _, _) in ZIEKENFONDSEN.items()],
        "reference.zorgkassen": [{"zorgkas_code": c, "name": n, "is_own": c == "380"} for c, n in ZORGKASSEN.items()],
        "reference.erkende_dmw": [{"dmw_code": c, "name": n} for c, n in DMW.items()],
        # The seeds the pages take labels, order and units from, as committed (their one home).
        "reference.dmw_norms": _seed_rows("dmw/dmw_norms.csv", "reference.dmw_norms"),
        "reference.zorgkas_indicator_weights": _seed_rows(
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


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return write_fixture_warehouse(tmp_path_factory.mktemp("fixture") / "warehouse.duckdb")


@pytest.fixture(scope="module")
def rendered(warehouse, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dashboards")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        render_all(con, folder, INFO)
    return folder


# -- tests --------------------------------------------------------------------------------------

DUTCH = {
    "membership": [
        "Leden per ziekenfonds",
        "Titularissen",
        "Marktaandeel",
        "Zorgkasleden",
        "Solidaris Antwerpen",
        "toestand op 31 december, 2021–2023",
    ],
    "vt_share": [
        "verhoogde tegemoetkoming",
        "Verhoogde tegemoetkoming per ziekenfonds in 2023",
        "Landsbond (totaal)",
        "Mutualité Socialiste du Luxembourg",
    ],
    "zorgkas_scorecard": [
        "Indicator",
        "Gewicht",
        "Globale score",
        "Responsabilisering",
        "afgeleid uit gepubliceerde cijfers",
        "380 Socialistische zorgkas",
        "Rapporteringsjaar 2023",
        "onder de norm",
        "Productie per zorgkas",
        "eigen zorgkas",
    ],
    "dmw_norms": [
        "Erkenningsnormen",
        "behaald",
        "niet behaald",
        "Vereist",
        "pro-rata",
        "Bereikte gebruikers",
        "DMW van Solidaris Antwerpen",
        "november 2023",
    ],
    "non_take_up": [
        "Verlenging van het recht",
        "Automatisch in juni",
        "Gepubliceerd (seed 002 §16)",
        "Weduwe of weduwnaar",
        "2023 (voorlopig)",
        "gepubliceerd: 15 %",
        "Kandidaten nog niet aangeschreven",
        "Solidaris Antwerpen",
    ],
}


@pytest.mark.parametrize("name", [d.name for d in DASHBOARDS])
def test_page_is_self_contained_dutch_and_dated(rendered, name):
    page = (rendered / f"{name}.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nl">' in page
    # plotly.js is inline: no script is loaded from anywhere, the bundle itself is in the file.
    assert not re.search(r"<script[^>]*\bsrc=", page), "a script is loaded from outside the file"
    assert "<link" not in page
    assert page.count("window.PlotlyConfig") == 1 and len(page) > 3_000_000
    assert "Plotly.newPlot" in page
    for label in DUTCH[name]:
        assert label in page, f"{name}: missing {label!r}"
    assert RUN_ID in page
    assert "15/01/2024 om 06:03 (Brussel)" in page  # the data's build time, in Brussels time
    assert "Nog geen gegevens" not in page
    assert 'href="index.html"' in page


def test_every_chart_names_its_data_date_and_run(rendered):
    for d in DASHBOARDS:
        page = (rendered / d.filename).read_text(encoding="utf-8")
        sections = page.count("<section id=")
        assert sections >= 3
        assert page.count('<p class="meta">Gegevens: ') == sections
        assert page.count(f"Dagster-run <code>{RUN_ID}</code>") == sections + 1  # each chart and the header


def test_index_links_every_dashboard(rendered):
    index = (rendered / INDEX).read_text(encoding="utf-8")
    for d in DASHBOARDS:
        assert f'href="{d.filename}"' in index and d.title in index
        assert (rendered / d.filename).exists()
    assert RUN_ID in index


def test_rendering_twice_gives_identical_bytes(warehouse, rendered, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        render_all(con, tmp_path, INFO)
    for d in [*DASHBOARDS]:
        assert (tmp_path / d.filename).read_bytes() == (rendered / d.filename).read_bytes(), d.name
    assert (tmp_path / INDEX).read_bytes() == (rendered / INDEX).read_bytes()


def test_another_run_changes_only_the_run_id(warehouse, rendered):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        other = render_dashboard("membership", con, BuildInfo("another-run", BUILT_AT))
    assert other.replace("another-run", RUN_ID) == (rendered / "membership.html").read_text(encoding="utf-8")


def test_colours_are_the_same_on_every_chart(warehouse):
    """A ziekenfonds and a zorgkas keep one colour across pages (dashboards/palette.py)."""
    by_name = {
        "Solidaris Antwerpen": palette.ziekenfonds_colour("SOL_ANT"),
        "Solidaris Wallonie": palette.ziekenfonds_colour("SOL_WAL"),
        "380 Socialistische zorgkas": palette.zorgkas_colour("380"),
        "180 CM zorgkas": palette.zorgkas_colour("180"),
    }
    seen = {name: set() for name in by_name}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for d in DASHBOARDS:
            for chart in build_page(d.name, con).charts:
                for trace in chart.figure.data if chart.figure else ():
                    if trace.name in by_name:
                        colour = trace.marker.color if trace.type == "bar" else trace.line.color
                        seen[trace.name].add(colour)
    assert seen == {name: {colour} for name, colour in by_name.items()}
    assert len(set(palette.ZIEKENFONDS.values())) == len(palette.ZIEKENFONDS)
    assert len(set(palette.ZORGKAS.values())) == len(palette.ZORGKAS)


def test_empty_warehouse_gives_no_data_pages(tmp_path):
    empty = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(empty)).close()
    with duckdb.connect(str(empty), read_only=True) as con:
        written = render_all(con, tmp_path / "dashboards", INFO)
    assert len(written) == len(DASHBOARDS) + 1
    for d in DASHBOARDS:
        page = (tmp_path / "dashboards" / d.filename).read_text(encoding="utf-8")
        assert "Nog geen gegevens" in page
        assert "bestaat nog niet in het warehouse" in page
        assert "Plotly.newPlot" not in page and RUN_ID in page


def test_one_missing_mart_leaves_the_other_charts(tmp_path):
    path = write_fixture_warehouse(
        tmp_path / "warehouse.duckdb", skip=("marts.fct_zorgkas_responsabilisering_year", "marts.fct_dmw_norm_month")
    )
    with duckdb.connect(str(path), read_only=True) as con:
        scorecard = render_dashboard("zorgkas_scorecard", con, INFO)
        norms = render_dashboard("dmw_norms", con, INFO)
    assert "Nog geen gegevens: de tabel marts.fct_zorgkas_responsabilisering_year bestaat nog niet" in scorecard
    assert "afgeleid uit gepubliceerde cijfers" in scorecard  # the note stays
    assert scorecard.count("Plotly.newPlot") == 2
    # the matrix and the three inspection tables (other marts) stay; the two monthly charts go
    assert "marts.fct_dmw_norm_month bestaat nog niet" in norms and norms.count("Plotly.newPlot") == 4


def test_a_missing_column_is_named_not_a_crash(tmp_path):
    path = write_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.sql("alter table marts.fct_membership_year drop column vt_share")
        con.sql("delete from marts.fct_dmw_norm_year")
    with duckdb.connect(str(path), read_only=True) as con:
        vt = render_dashboard("vt_share", con, INFO)
        norms = render_dashboard("dmw_norms", con, INFO)
    assert "de tabel marts.fct_membership_year mist de kolom(men) vt_share" in vt
    assert "de tabel marts.fct_dmw_norm_year is nog leeg" in norms


def test_responsabilisering_per_basis_and_indicator_norms(tmp_path):
    """The real marts carry more than the minimum: a basis (computed / published_replay) per row of
    the responsabilisering and a norm per indicator. Each basis gets its own view, never summed."""
    path = write_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.sql("alter table marts.fct_zorgkas_responsabilisering_year add column basis varchar default 'computed'")
        con.sql(
            "insert into marts.fct_zorgkas_responsabilisering_year select year, zorgkas_code, global_score, "
            "pot_eur, 0, 0, 0, 'published_replay' from marts.fct_zorgkas_responsabilisering_year"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        charts = build_page("zorgkas_scorecard", con).charts
    indicator, _, resp, _ = (c.figure for c in charts)
    assert any(t.name == "Norm (minimumscore)" and set(t.y) == {0.95} for t in indicator.data)
    bars = [t for t in resp.data if t.type == "bar"]
    assert len(bars) == 2 * len(ZORGKASSEN) and sum(1 for t in bars if t.visible) == len(ZORGKASSEN)
    labels = [b.label for b in resp.layout.updatemenus[0].buttons]
    assert labels == ["berekend uit de indicatorscores", "gepubliceerde uitkomst herhaald"]


def test_scorecard_flags_below_norm_indicators_with_their_failing_rows(warehouse):
    """Issue 17: below-norm bars are hatched, outlined in red and marked ✗ (with a legend entry);
    the list under the chart gives each one's failing rows, three most frequent reasons and the
    workbook sheet; the hover adds what the bar does not show instead of repeating its label."""
    indicator_names = [r["short_name_nl"] for r in _seed_rows("zorgkas/zorgkas_indicator_weights.csv", WEIGHTS_SEED)]

    with duckdb.connect(str(warehouse), read_only=True) as con:
        indicator, global_score, _, production = build_page("zorgkas_scorecard", con).charts
    bars = [t for t in indicator.figure.data if t.type == "bar" and t.x != (None,)]
    hatched = {
        (t.hovertemplate.split(" · ")[-1][:4], t.name, x)
        for t in bars
        for x, shape in zip(t.x, t.marker.pattern.shape)
        if shape == "x"
    }
    assert hatched == {("2022", "180 CM zorgkas", "I4"), ("2023", "380 Socialistische zorgkas", "I5")}
    for t in bars:
        for x, shape, text, width in zip(t.x, t.marker.pattern.shape, t.text, t.marker.line.width):
            assert (text == "✗") == (shape == "x") == (width == 3), (t.name, x)
    assert [t.name for t in indicator.figure.data if t.x == (None,)] == ["✗ Onder de norm (gearceerd, rood omrand)"]

    # 380 I5 in 2023: population - compliant failing payments, two causes (dates left out)
    row = next(r for r in _zorgkas_rows()[0] if (r["year"], r["zorgkas_code"], r["indicator"]) == (2023, "380", "I5"))
    missed = row["population"] - row["compliant"]
    first = sum(1 for n in range(missed) if n % 3)
    assert f'data-zorgkas="380" data-indicator="I5" data-failing="{missed}"' in indicator.html
    assert f"<strong>{missed} niet-conforme betalingen</strong>" in indicator.html
    assert f"“payment for …, before the right starts on …” ({first}×)" in indicator.html
    assert "werkblad <code>zorgkas_failing_rows</code> van <code>exports/2023/inspection/inspection.xlsx</code>" in (
        indicator.html
    )
    assert indicator.html.count('data-status="below-norm"') == 2
    hover = next(t for t in bars if t.name == "380 Socialistische zorgkas" and t.visible)
    i5 = hover.customdata[list(hover.x).index("I5")]
    assert "✗" in i5[2] and "onder de norm van 95 %" in i5[2] and "werkblad zorgkas_failing_rows" in i5[4]
    texts = " ".join(str(c) for t in indicator.figure.data for c in (t.customdata or ()))
    assert indicator_names and not [d for d in indicator_names if d in texts], "the hover repeats the tick label"

    # global score: the axis starts at 90 % (not at the lowest score), the norm is drawn, failing years get ✗
    low, high = global_score.figure.layout.yaxis.range
    assert low == 0.90 and high > 1.0
    assert [shape.y0 for shape in global_score.figure.layout.shapes] == [0.95]
    crosses = {
        (t.name, x)
        for t in global_score.figure.data
        if t.x != (None,)
        for x, symbol in zip(t.x, t.marker.symbol)
        if symbol == "x"
    }
    assert crosses == {("180 CM zorgkas", "2022"), ("380 Socialistische zorgkas", "2023")}

    assert production.figure is None and production.html.count('<tr class="own" data-own="true"') == 3
    assert "berekend uit de aangeleverde gegevens; werkingsmiddelen gepubliceerd" in production.html
    assert "1,0 % van de gepubliceerde van 2020" in production.note


def test_the_own_zorgkas_is_read_from_the_seed_not_a_literal(tmp_path):
    """Make 180 the own zorgkas in reference.zorgkassen: the thick line and the membership page's
    zorgkas colour follow the seed."""
    path = write_fixture_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as con:
        con.sql("update reference.zorgkassen set is_own = (zorgkas_code = '180')")
    with duckdb.connect(str(path), read_only=True) as con:
        global_score = build_page("zorgkas_scorecard", con).charts[1].figure
        membership = build_page("membership", con).charts[-1].figure
    widths = {t.name: t.line.width for t in global_score.data if t.x != (None,)}
    assert widths["180 CM zorgkas"] == 4 and widths["380 Socialistische zorgkas"] == 2
    assert {t.marker.color for t in membership.data} == {palette.zorgkas_colour("180")}


def test_dashboard_columns_exist_in_the_mart_contracts():
    """The columns read here are documented in the marts' yml (for the marts that exist already)."""
    import yaml

    documented: dict[str, set[str]] = {}
    for yml in (REPO / "dbt_project" / "models" / "marts").glob("*/*.yml"):
        for model in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("models", []):
            documented[f"marts.{model['name']}"] = {c["name"] for c in model.get("columns", [])}
    checked = 0
    for table, columns in REQUIRED_COLUMNS.items():
        if table in documented:
            assert set(columns) <= documented[table], f"{table}: {sorted(set(columns) - documented[table])}"
            checked += 1
    assert checked == len(REQUIRED_COLUMNS), "a mart read by the dashboards has no yml (renamed?)"


# -- the Dagster assets -----------------------------------------------------------------------------


def test_dashboard_assets_render_into_mutwh_home(home):
    from orchestration.defs.publish.dashboards import dashboard_assets
    from orchestration.resources import WarehouseResource

    write_fixture_warehouse(home / "warehouse.duckdb")
    keys = {key for a in dashboard_assets for key in a.keys}
    assert keys == {dg.AssetKey(["dashboards", d.name]) for d in DASHBOARDS} | {dg.AssetKey(["dashboards", "index"])}
    for asset in dashboard_assets:
        spec = next(iter(asset.specs))
        assert spec.group_name == "dashboards"
        if spec.key.path[1] != "index":
            assert asset.op.pool == "warehouse"
            assert any(dep.asset_key.path[0] == "marts" for dep in spec.deps)
    result = dg.materialize(
        dashboard_assets,
        resources={"warehouse": WarehouseResource(home=str(home))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    folder = home / "dashboards"
    assert sorted(p.name for p in folder.iterdir()) == sorted([INDEX, *(d.filename for d in DASHBOARDS)])
    membership = (folder / "membership.html").read_text(encoding="utf-8")
    assert result.run_id in membership
    metadata = {e.asset_key.path[1]: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert metadata["membership"]["path"].value == str(folder / "membership.html")
    assert metadata["index"]["path"].value == str(folder / INDEX)
