"""Hand-written rows of the raw tables (keyed by raw column name, as create_raw_warehouse takes
them): the lineage columns the ingestion adds, and builders for the rows several test modules
write, with the values they never vary as defaults."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sources.contract import SOURCES, raw_schema


def lineage(n: int, file: str, **values) -> dict:
    """A raw row: ``values`` plus the lineage columns (landing file, row number in it)."""
    return {**values, "_source_file": file, "_source_row": n}


def raw_rows(source: str, rows: list[dict]) -> list[dict]:
    """Complete rows for raw.<source>: optional columns null, lineage columns filled in."""
    names = [name for name, _ in raw_schema(SOURCES[source])]
    return [
        {name: row.get(name) for name in names} | {"_source_file": f"{source}.csv", "_source_row": n + 2}
        for n, row in enumerate(rows)
    ]


def member(person: str, ziekenfonds: str, member_type: str, start: date, end: date | None = None, **other) -> dict:
    """raw.members: an affiliation period of ``person``; born 1 January 1970, F, 2000 unless ``other`` says."""
    return {
        "person_pseudonym": person,
        "birth_date": date(1970, 1, 1),
        "sex": "F",
        "postcode": "2000",
        "ziekenfonds_code": ziekenfonds,
        "member_type": member_type,
        "affiliation_start": start,
        "affiliation_end": end,
    } | other


def dossier(
    dossier_id: str,
    person: str,
    decision: str,
    right_start: date | None,
    right_end: date | None,
    received_on: date,
    decided_on: date,
    **other,
) -> dict:
    """raw.zorgkas_dossiers: an application (AANVRAAG) at home (THUIS) for the zorgbudget (ZZB) of
    the own zorgkas 380, unless ``other`` says otherwise."""
    return {
        "dossier_id": dossier_id,
        "person_pseudonym": person,
        "zorgkas_code": "380",
        "pillar": "ZZB",
        "kind": "AANVRAAG",
        "residence": "THUIS",
        "received_on": received_on,
        "decided_on": decided_on,
        "decision": decision,
        "right_start": right_start,
        "right_end": right_end,
    } | other


def payment(payment_id: str, dossier_id: str, for_month: date, paid_on: date, amount: str) -> dict:
    """raw.zorgkas_payments: one monthly payment of a dossier."""
    return {
        "payment_id": payment_id,
        "dossier_id": dossier_id,
        "for_month": for_month,
        "paid_on": paid_on,
        "amount": Decimal(amount),
    }
