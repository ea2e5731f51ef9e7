"""The three non-take-up landing sources of SPEC §5b: contract, ingestion, quarantine, `mutwh
validate`, Dagster wiring, and the generator's timing rules and calibration at scale 0.01.

Generated files are read back with DuckDB, independently of the generator's code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import REPO, ensure_dbt_manifest, write_csv
from support.landing import KEY, ingest, quarantine

from sources.contract import RENEWAL_OUTCOMES, SOURCES, VT_INDICATORS, raw_schema
from sources.generator import generate
from sources.insz import make_insz, pseudonymise

ANNA = make_insz("580312101", False)
BERT = make_insz("610704203", False)
CHRIS = make_insz("730101301", False)
YEARS = [2021, 2022, 2023]
REFERENCE = REPO / "sources" / "reference" / "key_facts_other.csv"


def renewal(insz=ANNA, right_year=2023, outcome="AUTO_JUNE", decided_on="2022-06-14", letter_sent_on=None) -> dict:
    return {
        "insz": insz,
        "right_year": right_year,
        "outcome": outcome,
        "decided_on": decided_on,
        "letter_sent_on": letter_sent_on,
    }


# --- contract and ingestion ---------------------------------------------------------------------


def test_raw_tables_have_the_spec_columns():
    assert [c for c, _ in raw_schema(SOURCES["member_indicators"])] == [
        "person_pseudonym",
        "indicator",
        "start_date",
        "end_date",
        "_source_file",
        "_source_row",
    ]
    assert [c for c, _ in raw_schema(SOURCES["vt_mailings"])] == [
        "mailing_id",
        "person_pseudonym",
        "sent_on",
        "indicator",
        "is_reminder",
        "_source_file",
        "_source_row",
    ]
    assert raw_schema(SOURCES["right_renewals"]) == [
        ("person_pseudonym", "varchar"),
        ("right_year", "integer"),
        ("outcome", "varchar"),
        ("decided_on", "date"),
        ("letter_sent_on", "date"),
        ("_source_file", "varchar"),
        ("_source_row", "bigint"),
    ]
    assert SOURCES["vt_mailings"].key == ("mailing_id",)
    assert SOURCES["right_renewals"].key == ("insz", "right_year")


RENEWAL_DEFECTS = [
    (
        renewal(BERT, outcome="AUTO_JUNE", decided_on=None),
        "decided_on: required value is missing (only empty when outcome is NO_RIGHT)",
    ),
    (
        renewal(BERT, outcome="NO_RIGHT", decided_on="2022-12-01", letter_sent_on="2022-11-10"),
        "decided_on: must be empty when outcome is NO_RIGHT",
    ),
    (
        renewal(BERT, outcome="AFTER_LETTER", decided_on="2022-11-01", letter_sent_on="2022-11-10"),
        "decided_on is before letter_sent_on",
    ),
    (renewal(BERT, outcome="AUTO_JULY"), "outcome: unknown code, expected one of AUTO_JUNE/"),
    (renewal(BERT, right_year="2O23"), "right_year: not a whole number"),
    (renewal(ANNA[:-2] + "00"), "insz: INSZ check digits do not match (mod 97)"),
    (renewal(ANNA), "duplicate key (insz, right_year): first seen in right_renewals/renewals_2023.csv row 1"),
]


def test_renewal_rules_quarantine_each_bad_row_with_one_reason(home):
    good = [
        renewal(ANNA),
        renewal(CHRIS, outcome="NO_RIGHT", decided_on=None, letter_sent_on="2022-11-10"),
        renewal(
            CHRIS, right_year=2024, outcome="REGULARISED_LATE", decided_on="2024-03-02", letter_sent_on="2023-11-09"
        ),
    ]
    write_csv(home / "landing", "right_renewals", "renewals_2023.csv", good)
    write_csv(home / "landing", "right_renewals", "renewals_late.csv", [row for row, _ in RENEWAL_DEFECTS])

    result = ingest(home, "right_renewals")

    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (10, 3, 7)
    assert result.reconciles
    rejected = quarantine(home, "right_renewals").sort(pl.col("row").cast(pl.Int64))
    assert rejected["file"].unique().to_list() == ["right_renewals/renewals_late.csv"]
    for (_, reason), got in zip(RENEWAL_DEFECTS, rejected["reason"].to_list()):
        assert got.startswith(reason), got
        assert "; " not in got, got
    assert "insz" in rejected.columns and rejected["insz"][5] == ANNA[:6] + "*****"
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        rows = con.execute("""select person_pseudonym, right_year, outcome, decided_on, letter_sent_on
            from raw.right_renewals order by _source_row""").fetchall()
    assert [r[0] for r in rows] == [pseudonymise(ANNA, KEY), pseudonymise(CHRIS, KEY), pseudonymise(CHRIS, KEY)]
    assert [(r[1], r[2], str(r[3]), str(r[4])) for r in rows] == [
        (2023, "AUTO_JUNE", "2022-06-14", "None"),
        (2023, "NO_RIGHT", "None", "2022-11-10"),
        (2024, "REGULARISED_LATE", "2024-03-02", "2023-11-09"),
    ]


def test_mailings_and_indicators_are_validated(home):
    mail = {"mailing_id": "M1", "insz": ANNA, "sent_on": "2023-03-07", "indicator": "WEDUWE", "is_reminder": "false"}
    write_csv(
        home / "landing",
        "vt_mailings",
        "mailings_2023.csv",
        [
            mail,
            mail | {"mailing_id": "M2", "insz": BERT, "is_reminder": "true"},
            mail | {"insz": BERT},
            mail | {"mailing_id": "M3", "indicator": "WEDUWNAAR"},
            mail | {"mailing_id": "M4", "is_reminder": "ja"},
            mail | {"mailing_id": "M5", "sent_on": "2023-02-30"},
        ],
    )
    write_csv(
        home / "landing",
        "member_indicators",
        "indicators.csv",
        [
            {"insz": ANNA, "indicator": "WEDUWE", "start_date": "2019-05-01", "end_date": None},
            {"insz": ANNA, "indicator": "GEPENSIONEERDE", "start_date": "2023-01-01", "end_date": "2022-12-31"},
            {"insz": ANNA, "indicator": "WEDUWE", "start_date": "2019-05-01", "end_date": "2024-01-01"},
        ],
    )

    mailings, indicators = ingest(home, "vt_mailings"), ingest(home, "member_indicators")

    assert (mailings.rows_loaded, mailings.rows_quarantined) == (2, 4)
    assert [r.split(" (")[0] for r in quarantine(home, "vt_mailings").sort(pl.col("row").cast(pl.Int64))["reason"]] == [
        "duplicate key",  # the reason goes on: (mailing_id): first seen in ... row 1
        "indicator: unknown code, expected one of " + "/".join(VT_INDICATORS),
        "is_reminder: not a boolean, expected true/false",
        "sent_on: not a valid date, expected YYYY-MM-DD",
    ]
    assert (indicators.rows_loaded, indicators.rows_quarantined) == (1, 2)
    assert quarantine(home, "member_indicators")["reason"].to_list() == [
        "end_date is before start_date",
        "duplicate key (insz, indicator, start_date): first seen in member_indicators/indicators.csv row 1",
    ]
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        assert con.execute("select mailing_id, is_reminder from raw.vt_mailings order by 1").fetchall() == [
            ("M1", False),
            ("M2", True),
        ]


def test_mutwh_validate_reports_a_renewal_rule(home):
    write_csv(
        home / "landing",
        "right_renewals",
        "renewals_2023.csv",
        [renewal(), renewal(BERT, outcome="PROVINCIAL_REVIEW", decided_on=None)],
    )
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "validate", str(home / "landing")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr  # rows are rejected, no file is refused
    assert (
        "right_renewals/renewals_2023.csv:2: decided_on: required value is missing "
        "(only empty when outcome is NO_RIGHT)"
    ) in result.stdout
    assert "right_renewals: 1 file(s), 2 rows, 1 valid, 1 rejected, 0 file(s) refused" in result.stderr
    assert BERT not in result.stdout + result.stderr


def test_dagster_ingests_the_three_sources_with_their_checks():
    import dagster as dg

    ensure_dbt_manifest()
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    ingest_job = defs.resolve_job_def("ingest")
    annual = defs.resolve_job_def("annual_report")
    for name in ("member_indicators", "vt_mailings", "right_renewals"):
        key = dg.AssetKey(["raw", name])
        assert dg.AssetKey(["landing", name]) in graph.get(key).parent_keys
        checks = {k.name for k in graph.asset_check_keys if k.asset_key == key}
        assert {"rows_reconcile", "gx_suite"} <= checks, name
        assert key in ingest_job.asset_layer.selected_asset_keys
        assert key in annual.asset_layer.selected_asset_keys


# --- generator ----------------------------------------------------------------------------------


def published(figure: str) -> float:
    rows = pl.read_csv(REFERENCE).filter(pl.col("source").str.starts_with("002_") & (pl.col("figure") == figure))
    assert rows.height == 1, figure
    return float(rows["value"][0])


@pytest.fixture(scope="module")
def zones(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for name, clean in (("clean", True), ("default", False)):
        out[name] = tmp_path_factory.mktemp(name)
        generate(out[name], YEARS, scale=0.01, seed=5, clean=clean, progress=False)
    return out


def con_for(zone: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in ("members", "vt_periods", "member_indicators", "vt_mailings", "right_renewals"):
        con.execute(f"create view {name} as select * from read_parquet('{zone}/{name}/*.parquet')")
    return con


def test_generated_mailings_follow_the_timing_rules(zones):
    con = con_for(zones["clean"])
    # weekly batches on a Tuesday, every week of every year
    assert con.execute("select distinct dayname(sent_on) from vt_mailings").fetchall() == [("Tuesday",)]
    weeks = dict(con.execute("select year(sent_on), count(distinct sent_on) from vt_mailings group by 1").fetchall())
    assert weeks == {2021: 52, 2022: 52, 2023: 52}
    # every letter goes to a member on that day, for an indicator period covering it
    assert con.execute("""select count(*) from vt_mailings l where not exists (select 1 from members m
        where m.insz = l.insz and m.affiliation_start <= l.sent_on
        and (m.affiliation_end is null or m.affiliation_end >= l.sent_on))""").fetchone() == (0,)
    assert con.execute("""select count(*) from vt_mailings l where not exists (select 1 from member_indicators i
        where i.insz = l.insz and i.indicator = l.indicator and i.start_date <= l.sent_on
        and (i.end_date is null or i.end_date >= l.sent_on))""").fetchone() == (0,)
    # clean data: nobody has VT on the day of the letter
    assert con.execute("""select count(*) from vt_mailings l join vt_periods v using (insz)
        where v.start_date <= l.sent_on and (v.end_date is null or v.end_date >= l.sent_on)""").fetchone() == (0,)
    # VT starts two weeks to a year after the letter, weeks to months on average
    delays = con.execute("""with first as (select year(sent_on) y, insz, min(sent_on) sent from vt_mailings group by all)
        select v.start_date - f.sent from first f join vt_periods v on v.insz = f.insz
        and v.start_date > f.sent and v.start_date <= f.sent + 365""").fetchall()
    delays = [d for (d,) in delays]
    assert min(delays) >= 14 and max(delays) <= 365 and 60 <= sum(delays) / len(delays) <= 180
    # a reminder follows a letter of 53 weeks earlier (from the second year on), and its member
    # got no VT in between
    assert (
        con.execute("""select count(*) from vt_mailings r where r.is_reminder and year(r.sent_on) > 2021
        and not exists (select 1 from vt_mailings l where l.insz = r.insz and l.sent_on = r.sent_on - 371)""").fetchone()
        == (0,)
    )
    assert (
        con.execute("select count(*) from vt_mailings where is_reminder and year(sent_on) = 2022").fetchone()[0] > 100
    )
    # a few members get two letters in one year, for two indicators
    assert (
        con.execute("""select count(*) from (select insz from vt_mailings group by insz, year(sent_on)
        having count(*) = 2 and count(distinct indicator) = 2)""").fetchone()[0]
        >= 3
    )


def test_generated_conversion_rate_and_volume(zones):
    con = con_for(zones["clean"])
    rows = con.execute("""with first as (select year(sent_on) y, insz, min(sent_on) sent from vt_mailings group by all)
        select y, count(*), count(*) filter (where exists (select 1 from vt_periods v where v.insz = f.insz
            and v.start_date > f.sent and v.start_date <= f.sent + 365))
        from first f group by y order by y""").fetchall()
    mailed = round(published("members mailed per year (about)") * 0.01)
    rate = published("mailed members who have VT within a year")
    for year, n, converted in rows:
        assert abs(n - mailed) <= 0.01 * mailed, year
        assert abs(converted / n - rate) <= 0.005, (year, converted / n)


def test_generated_renewals_follow_the_funnel_and_the_calendar(zones):
    con = con_for(zones["clean"])
    for year in YEARS:
        population = con.execute(f"""select count(distinct insz) from members where affiliation_start <= DATE '{year - 1}-12-31'
            and (affiliation_end is null or affiliation_end >= DATE '{year - 1}-12-31')""").fetchone()[0]
        shares = con.execute(f"""select count(*), count(distinct insz),
            avg((outcome = 'AUTO_JUNE')::int), avg((outcome in ('AUTO_JUNE', 'AUTO_LATER', 'PROVINCIAL_REVIEW'))::int),
            avg((letter_sent_on is not null)::int), avg((outcome in ('REGULARISED_LATE', 'NO_RIGHT'))::int),
            avg((outcome = 'NO_RIGHT')::int)
            from right_renewals where right_year = {year}""").fetchone()
        assert shares[0] == shares[1] == population, year
        for value, figure in zip(
            shares[2:],
            (
                "members whose right is extended automatically in June (about)",
                "members extended without contacting them, after the manual checks",
                "members contacted by letter in November",
                "members without right at year end (about)",
                "members finally without right to reimbursement (about)",
            ),
        ):
            assert abs(value - published(figure)) <= 0.005, (year, figure, value)
    calendar = con.execute("""select outcome, min(decided_on - make_date(right_year - 1, 1, 1)),
        max(decided_on - make_date(right_year - 1, 1, 1)), count(letter_sent_on), count(*),
        bool_and(letter_sent_on is null or month(letter_sent_on) = 11 and year(letter_sent_on) = right_year - 1),
        bool_and(decided_on >= letter_sent_on or decided_on is null or letter_sent_on is null)
        from right_renewals group by 1""").fetchall()
    by_outcome = {row[0]: row[1:] for row in calendar}
    assert set(by_outcome) == set(RENEWAL_OUTCOMES)

    def months(outcome):
        first, last = by_outcome[outcome][:2]
        return first, last

    assert months("AUTO_JUNE")[0] >= 151 and months("AUTO_JUNE")[1] <= 181  # June (of a leap year at most)
    assert months("AUTO_LATER")[0] >= 181 and months("AUTO_LATER")[1] <= 243  # July-August
    assert months("PROVINCIAL_REVIEW")[0] >= 243 and months("PROVINCIAL_REVIEW")[1] <= 304  # September-October
    assert months("AFTER_LETTER")[0] >= 304 and months("AFTER_LETTER")[1] <= 365  # November-December
    assert months("REGULARISED_LATE")[0] >= 365 and months("REGULARISED_LATE")[1] <= 731  # the right year
    assert by_outcome["NO_RIGHT"][:2] == (None, None)
    for outcome, (_, _, letters, rows, in_november, after_letter) in by_outcome.items():
        written = outcome in ("AFTER_LETTER", "REGULARISED_LATE", "NO_RIGHT")
        assert letters == (rows if written else 0), outcome
        assert in_november and after_letter, outcome


def test_generated_defects_reach_quarantine(zones, home):
    import shutil

    for name in ("member_indicators", "vt_mailings", "right_renewals"):
        shutil.copytree(zones["default"] / name, home / "landing" / name)
    defects = json.loads((zones["default"] / "_generator_manifest.json").read_text())["defects"]
    assert defects["vt_mailings"]["mailed_with_vt"] >= 1
    assert defects["right_renewals"]["null_against_code"] >= 3
    for name in ("member_indicators", "vt_mailings", "right_renewals"):
        result = ingest(home, name)
        rejectable = sum(n for kind, n in defects[name].items() if kind != "mailed_with_vt")
        assert result.reconciles and result.rows_quarantined == rejectable, name
    reasons = quarantine(home, "right_renewals")["reason"]
    for fragment in (
        "must be empty when outcome is NO_RIGHT",
        "required value is missing (only empty when",
        "duplicate key (insz, right_year)",
        "decided_on is before letter_sent_on",
        "outcome: unknown code",
        "not a valid date",
    ):
        assert reasons.str.contains(fragment, literal=True).sum() >= 1, fragment


def test_landing_sensor_starts_ingestion_of_a_new_renewal_file(home):
    import dagster as dg

    ensure_dbt_manifest()
    from orchestration.defs.automation.sensors import landing_sensor

    write_csv(home / "landing", "right_renewals", "renewals_2023.csv", [renewal()])
    write_csv(home / "landing", "vt_mailings", "mailings_2023.csv", [])
    request = landing_sensor(dg.build_sensor_context(cursor=None, instance=dg.DagsterInstance.ephemeral()))
    assert isinstance(request, dg.RunRequest)
    assert request.asset_selection == [dg.AssetKey(["raw", "right_renewals"]), dg.AssetKey(["raw", "vt_mailings"])]
