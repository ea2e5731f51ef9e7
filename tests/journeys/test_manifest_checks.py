"""Journey: the export manifest states the real outcome of the checks upstream of it (issue 13
point 4). A person covered by two ziekenfondsen trips the warn-level dbt test; the annual report
is still published (a warning does not block) and its manifest.json records the failure."""

from __future__ import annotations

import csv
import json

import polars as pl

DELTAS = ("leden_delta_12m", "titularissen_delta_12m", "vt_leden_delta_12m")
WARN_TEST = "assert_membership_no_person_in_several_ziekenfondsen"


def add_second_ziekenfonds(landing) -> None:
    """A titularis of SOL_ANT who is also affiliated with SOL_BRA from 1 June 2023, as a second
    landing file of members would carry by mistake."""
    members = pl.read_parquet(landing / "members" / "members_SOL_ANT.parquet")
    person = (
        members.filter(
            (pl.col("member_type") == "TITULARIS")
            & pl.col("affiliation_end").is_null()
            & (pl.col("affiliation_start") < pl.date(2023, 1, 1))
        )
        .sort("affiliation_start")
        .head(1)
    )
    assert person.height == 1
    person.with_columns(ziekenfonds_code=pl.lit("SOL_BRA"), affiliation_start=pl.date(2023, 6, 1)).write_csv(
        landing / "members" / "members_second_fund_2023.csv", separator=";", date_format="%Y-%m-%d", null_value=""
    )


def test_manifest_records_a_failed_warn_check(demo_copy):
    home = demo_copy.mutwh_home
    add_second_ziekenfonds(home / "landing")

    # the UI's annual_report job for one year, launched as the 15 January schedule would
    done = demo_copy.run(".venv/bin/mutwh run --job annual_report --partition 2023", timeout=900)
    assert f"CHECK WARNING marts/fct_membership_year / {WARN_TEST}" in done.stderr
    run_id = done.stdout.split("annual_report run ", 1)[1].split()[0]

    manifest = json.loads((home / "exports" / "2023" / "annual_report" / "manifest.json").read_text())
    checks = {(c["asset"], c["check"]): c for c in manifest["checks"]}
    warn = checks[("marts/fct_membership_year", WARN_TEST)]
    assert warn["passed"] is False and warn["severity"] == "WARN" and warn["run_id"] == run_id, warn
    assert manifest["checks_passed"] is False and manifest["checks_failed"] >= 1
    reconcile = checks[("raw/members", "rows_reconcile")]
    assert reconcile["passed"] is True and reconcile["severity"] == "ERROR" and reconcile["run_id"] == run_id
    # only checks upstream of the annual report: none of the DMW marts
    assert not any(asset.startswith("marts/fct_dmw") for asset, _ in checks)
    # the job of one year computes with every loaded year (point 2): 2023's deltas use 2022
    with (home / "exports" / "2023" / "annual_report" / "key_figures.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and all(row[d] != "" for row in rows for d in DELTAS)
