"""Hand-written raw DMW rows: builders for one row of each DMW source (the values a test does not
vary are defaults: DMW_SOL_ANT, no handicap or dementia, a letter, ...), and a few rows (2024, one
DMW active, the other four of the landsbond idle) with hand-computed norm figures in test_dmw_norms;
reused by the DMW export and inspection tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from support.dbt_run import pseudonym
from support.raw_rows import lineage

OWN_DMW = ("DMW_SOL_ANT", "DMW_SOL_BRA", "DMW_SOL_LIM", "DMW_SOL_OVL", "DMW_SOL_WVL")

USER_A, USER_B = pseudonym("dmw-user-a"), pseudonym("dmw-user-b")


def registration(
    n: int,
    registration_id: str,
    person: str,
    registered_on: date,
    typemodule: str,
    *,
    dmw_code: str = "DMW_SOL_ANT",
    handicap: bool = False,
    dementia: str = "NONE",
    zorgbehoefte: bool = False,
    active_consultation: bool = False,
) -> dict:
    """raw.dmw_registrations, row ``n`` of the month's file ``registrations_<yyyy-mm>.csv``."""
    return lineage(
        n,
        f"registrations_{registered_on:%Y-%m}.csv",
        registration_id=registration_id,
        dmw_code=dmw_code,
        person_pseudonym=person,
        registered_on=registered_on,
        typemodule=typemodule,
        handicap=handicap,
        dementia=dementia,
        zorgbehoefte=zorgbehoefte,
        active_consultation=active_consultation,
    )


def proactive_action(
    n: int,
    action_id: str,
    person: str,
    target_group: str,
    action_date: date,
    follow_up: bool,
    *,
    file: str = "proactive_2024.csv",
    dmw_code: str = "DMW_SOL_ANT",
    channel: str = "BRIEF",
) -> dict:
    """raw.dmw_proactive_actions, row ``n`` of ``file``."""
    return lineage(
        n,
        file,
        action_id=action_id,
        dmw_code=dmw_code,
        person_pseudonym=person,
        target_group=target_group,
        action_date=action_date,
        channel=channel,
        follow_up=follow_up,
    )


def housing_advice(
    n: int,
    advice_id: str,
    person: str,
    advice_date: date,
    home_visit: bool,
    *,
    dmw_code: str = "DMW_SOL_ANT",
    kind: str = "WONINGAANPASSING",
    advisor_role: str = "ERGOTHERAPEUT",
) -> dict:
    """raw.dmw_housing_advice, row ``n`` of the month's file ``advice_<yyyy-mm>.csv``."""
    return lineage(
        n,
        f"advice_{advice_date:%Y-%m}.csv",
        advice_id=advice_id,
        dmw_code=dmw_code,
        person_pseudonym=person,
        advice_date=advice_date,
        kind=kind,
        home_visit=home_visit,
        advisor_role=advisor_role,
    )


def personal_alarm(
    n: int,
    contract_id: str,
    person: str,
    start_date: date,
    end_date: date | None,
    monthly_contribution: str,
    *,
    reduced_contribution: bool = False,
    placement_cost: str = "0",
    file: str = "alarms.csv",
    dmw_code: str = "DMW_SOL_ANT",
    device_type: str = "VAST",
    reduction_automatic: bool = False,
    deposit: str = "0",
) -> dict:
    """raw.dmw_personal_alarms, row ``n`` of ``file`` (amounts in EUR, as text)."""
    return lineage(
        n,
        file,
        contract_id=contract_id,
        dmw_code=dmw_code,
        person_pseudonym=person,
        device_type=device_type,
        start_date=start_date,
        end_date=end_date,
        monthly_contribution=Decimal(monthly_contribution),
        reduced_contribution=reduced_contribution,
        reduction_automatic=reduction_automatic,
        placement_cost=Decimal(placement_cost),
        deposit=Decimal(deposit),
    )


def staff_member(
    n: int,
    staff_id: str,
    role: str,
    hired_on: date,
    dementia_training_on: date | None,
    *,
    file: str = "staff.csv",
    dmw_code: str = "DMW_SOL_ANT",
    fte: str = "1.0",
    left_on: date | None = None,
    **other,
) -> dict:
    """raw.dmw_staff, row ``n`` of ``file``; ``other``: the optional ``qualification``."""
    return lineage(
        n,
        file,
        staff_id=staff_id,
        dmw_code=dmw_code,
        role=role,
        fte=Decimal(fte),
        hired_on=hired_on,
        left_on=left_on,
        dementia_training_on=dementia_training_on,
        **other,
    )


# 2024 at DMW_SOL_ANT only: the other four DMW of the landsbond have no activity at all.
DMW_RAW_ROWS: dict[str, list[dict]] = {
    "dmw_registrations": [
        # user A: two registrations (directe hulp, then trajectbegeleiding) -> one user
        registration(2, "R1", USER_A, date(2024, 3, 5), "DIRECTE_HULP"),
        registration(3, "R2", USER_A, date(2024, 5, 2), "TRAJECTBEGELEIDING", active_consultation=True),
        # user B: ergo with zorgbehoefte -> zorgbehoefte share 1 / 2 = exactly 0.50
        registration(
            2,
            "R3",
            USER_B,
            date(2024, 6, 20),
            "ERGOTHERAPEUTISCH",
            handicap=True,
            zorgbehoefte=True,
            active_consultation=True,
        ),
    ],
    "dmw_proactive_actions": [
        proactive_action(n, f"A{n}", USER_A, group, date(2024, 2, n), follow_up=(n == 1))
        for n, group in enumerate(["Mantelzorgers", "Alleenstaanden", "VT", "Rouw", "Mantelzorgers"], start=1)
    ],
    "dmw_personal_alarms": [
        # active on one day of 2024 only
        personal_alarm(2, "C1", USER_B, date(2022, 4, 1), date(2024, 1, 1), "27.49"),
    ],
    "dmw_staff": [
        staff_member(2, "ST1", "MAATSCHAPPELIJK_WERKER", date(2021, 3, 15), date(2023, 3, 15)),
        staff_member(3, "ST2", "LEIDINGGEVENDE", date(2015, 1, 1), None),
    ],
}
