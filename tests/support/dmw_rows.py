"""A few hand-written raw DMW rows (2024, one DMW active, the other four of the landsbond idle) with
hand-computed norm figures in test_dmw_norms; reused by the DMW export and inspection tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from support.dbt_run import pseudonym

OWN_DMW = ("DMW_SOL_ANT", "DMW_SOL_BRA", "DMW_SOL_LIM", "DMW_SOL_OVL", "DMW_SOL_WVL")

USER_A, USER_B = pseudonym("dmw-user-a"), pseudonym("dmw-user-b")


def _row(n: int, file: str, **values) -> dict:
    return {**values, "_source_file": file, "_source_row": n}


# 2024 at DMW_SOL_ANT only: the other four DMW of the landsbond have no activity at all.
DMW_RAW_ROWS: dict[str, list[dict]] = {
    "dmw_registrations": [
        # user A: two registrations (directe hulp, then trajectbegeleiding) -> one user
        _row(
            2,
            "registrations_2024-03.csv",
            registration_id="R1",
            dmw_code="DMW_SOL_ANT",
            person_pseudonym=USER_A,
            registered_on=date(2024, 3, 5),
            typemodule="DIRECTE_HULP",
            handicap=False,
            dementia="NONE",
            zorgbehoefte=False,
            active_consultation=False,
        ),
        _row(
            3,
            "registrations_2024-05.csv",
            registration_id="R2",
            dmw_code="DMW_SOL_ANT",
            person_pseudonym=USER_A,
            registered_on=date(2024, 5, 2),
            typemodule="TRAJECTBEGELEIDING",
            handicap=False,
            dementia="NONE",
            zorgbehoefte=False,
            active_consultation=True,
        ),
        # user B: ergo with zorgbehoefte -> zorgbehoefte share 1 / 2 = exactly 0.50
        _row(
            2,
            "registrations_2024-06.csv",
            registration_id="R3",
            dmw_code="DMW_SOL_ANT",
            person_pseudonym=USER_B,
            registered_on=date(2024, 6, 20),
            typemodule="ERGOTHERAPEUTISCH",
            handicap=True,
            dementia="NONE",
            zorgbehoefte=True,
            active_consultation=True,
        ),
    ],
    "dmw_proactive_actions": [
        _row(
            n,
            "proactive_2024.csv",
            action_id=f"A{n}",
            dmw_code="DMW_SOL_ANT",
            person_pseudonym=USER_A,
            target_group=group,
            action_date=date(2024, 2, n),
            channel="BRIEF",
            follow_up=(n == 1),
        )
        for n, group in enumerate(["Mantelzorgers", "Alleenstaanden", "VT", "Rouw", "Mantelzorgers"], start=1)
    ],
    "dmw_personal_alarms": [
        # active on one day of 2024 only
        _row(
            2,
            "alarms.csv",
            contract_id="C1",
            dmw_code="DMW_SOL_ANT",
            person_pseudonym=USER_B,
            device_type="VAST",
            start_date=date(2022, 4, 1),
            end_date=date(2024, 1, 1),
            monthly_contribution=Decimal("27.49"),
            reduced_contribution=False,
            reduction_automatic=False,
            placement_cost=Decimal("0"),
            deposit=Decimal("0"),
        ),
    ],
    "dmw_staff": [
        _row(
            2,
            "staff.csv",
            staff_id="ST1",
            dmw_code="DMW_SOL_ANT",
            role="MAATSCHAPPELIJK_WERKER",
            fte=Decimal("1.0"),
            hired_on=date(2021, 3, 15),
            left_on=None,
            dementia_training_on=date(2023, 3, 15),
        ),
        _row(
            3,
            "staff.csv",
            staff_id="ST2",
            dmw_code="DMW_SOL_ANT",
            role="LEIDINGGEVENDE",
            fte=Decimal("1.0"),
            hired_on=date(2015, 1, 1),
            left_on=None,
            dementia_training_on=None,
        ),
    ],
}
