"""The dbt project (SPEC §2) parses, seeds and builds on a raw schema shaped by sources.contract.

Each test works in its own MUTWH_HOME under tmp_path, with dbt's target and log paths there too,
so that tests can run in parallel (pytest-xdist) without sharing a DuckDB file or a manifest.
"""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support.dbt_run import (
    DBT_PROJECT_DIR,
    create_raw_warehouse,
    failures,
    load_manifest,
    pseudonym,
    run_dbt,
)
from support.dmw_rows import registration
from support.raw_rows import dossier, lineage, member, payment

from sources.contract import SOURCES, raw_schema

SEEDS = (
    "ziekenfondsen",
    "zorgkassen",
    "landsbonden",
    "erkende_dmw",
    "dmw_vte",
    "national_insured_totals",
)
LINEAGE_RENAMES = {"_source_file": "source_file", "_source_row": "source_row"}


PERSON_A = pseudonym("person-a")
PERSON_B = pseudonym("person-b")

# A few hand-written raw rows (columns of raw_schema, lineage included); other tables stay empty.
RAW_ROWS: dict[str, list[dict]] = {
    "members": [
        lineage(
            n,
            "members_2023.csv",
            **member(
                person, "SOL_ANT", member_type, start, end, birth_date=born, sex=sex, titularis_pseudonym=titularis
            ),
        )
        for n, person, member_type, start, end, born, sex, titularis in (
            (2, PERSON_A, "TITULARIS", date(2010, 1, 1), None, date(1960, 3, 1), "F", None),
            (3, PERSON_B, "PERSOON_TEN_LASTE", date(2012, 7, 9), date(2023, 6, 30), date(2012, 7, 9), "M", PERSON_A),
        )
    ],
    "zorgkas_affiliations": [
        {
            "person_pseudonym": PERSON_A,
            "zorgkas_code": "380",
            "start_date": date(2010, 1, 1),
            "end_date": None,
            "_source_file": "zorgkas_affiliations.csv",
            "_source_row": 2,
        },
    ],
    "zorgkas_dossiers": [
        lineage(
            1,
            "dossiers.parquet",
            **dossier("D1", PERSON_A, "POSITIEF", date(2023, 4, 1), None, date(2023, 1, 10), date(2023, 2, 20)),
        ),
    ],
    "zorgkas_payments": [
        lineage(2, "payments_2023-04.csv", **payment("P1", "D1", date(2023, 4, 1), date(2023, 4, 25), "130.00")),
    ],
    "dmw_registrations": [
        registration(
            2,
            "R1",
            PERSON_A,
            date(2024, 3, 5),
            "ERGOTHERAPEUTISCH",
            dementia="SUSPECTED",
            zorgbehoefte=True,
            active_consultation=True,
        ),
    ],
    "finance_ledger": [
        {
            "entity": "Verplichte Verzekering",
            "rubric": "Beheerskosten",
            "year": 2023,
            "amount_eur": Decimal("331000000.00"),
            "_source_file": "ledger.csv",
            "_source_row": 2,
        },
    ],
}


def staging_models(manifest: dict) -> dict[str, dict]:
    """Source name -> staging model node, found through the model's source dependency."""
    found = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith("stg_"):
            (source_id,) = node["depends_on"]["nodes"]
            found[manifest["sources"][source_id]["name"]] = node
    return found


@pytest.fixture(scope="module")
def built_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("mutwh_home")
    create_raw_warehouse(home, RAW_ROWS)
    seeded = run_dbt(home, "seed")
    assert seeded.success, failures(seeded) or seeded.exception
    built = run_dbt(home, "build")
    assert built.success, failures(built) or built.exception
    assert failures(built) == {}
    return home


@pytest.fixture(scope="module")
def parsed_manifest(tmp_path_factory) -> dict:
    """`dbt parse` as the Makefile runs it: needs only MUTWH_HOME, no warehouse file."""
    home = tmp_path_factory.mktemp("mutwh_parse")
    result = run_dbt(home, "parse")
    assert result.success, result.exception
    assert not (home / "warehouse.duckdb").exists()
    return load_manifest(home)


def test_parse_writes_manifest_with_every_source_and_staging_model(parsed_manifest):
    manifest = parsed_manifest

    assert {s["source_name"] for s in manifest["sources"].values()} == {"raw"}
    assert {s["name"] for s in manifest["sources"].values()} == set(SOURCES)
    assert {s["schema"] for s in manifest["sources"].values()} == {"raw"}
    assert set(staging_models(manifest)) == set(SOURCES)
    seeds = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    assert set(SEEDS) <= seeds  # the foundation's reference seeds; domains add their own


def test_source_and_staging_yml_document_exactly_the_contract_columns(parsed_manifest):
    """The yml follows sources.contract: every raw column documented, lineage renamed in staging."""
    manifest = parsed_manifest
    sources = {s["name"]: s for s in manifest["sources"].values()}
    for name, model in staging_models(manifest).items():
        raw_columns = [column for column, _ in raw_schema(SOURCES[name])]
        assert list(sources[name]["columns"]) == raw_columns, name
        assert list(model["columns"]) == [LINEAGE_RENAMES.get(c, c) for c in raw_columns], name
        undocumented = [
            c["name"] for c in [*sources[name]["columns"].values(), *model["columns"].values()] if not c["description"]
        ]
        assert undocumented == [], name
        assert model["config"]["materialized"] == "view"
        assert model["schema"] == "staging"


def test_staging_views_return_the_raw_rows(built_home):
    manifest = load_manifest(built_home)
    with duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True) as con:
        for name, node in staging_models(manifest).items():
            relation = f"{node['schema']}.{node['alias']}"
            count = con.execute(f"select count(*) from {relation}").fetchone()[0]
            assert count == len(RAW_ROWS.get(name, [])), relation

        columns = [r[0] for r in con.execute("describe staging.stg_zorgkas_payments__payments").fetchall()]
        assert columns == ["payment_id", "dossier_id", "for_month", "paid_on", "amount", "source_file", "source_row"]
        payment = con.execute(
            "select dossier_id, for_month, amount, source_file, source_row from staging.stg_zorgkas_payments__payments"
        ).fetchone()
        assert payment == ("D1", date(2023, 4, 1), Decimal("130.00"), "payments_2023-04.csv", 2)
        dependant = con.execute(
            "select titularis_pseudonym, affiliation_end from staging.stg_members__affiliation_periods"
            " where member_type = 'PERSOON_TEN_LASTE'"
        ).fetchone()
        assert dependant == (PERSON_A, date(2023, 6, 30))
        assert con.execute("select zorgkas_code from staging.stg_zorgkas_dossiers__dossiers").fetchone() == ("380",)


def test_seeds_are_typed_and_in_schema_reference(built_home):
    with duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True) as con:
        own = con.execute("select zorgkas_code from reference.zorgkassen where is_own").fetchall()
        assert own == [("380",)]
        assert con.execute("select landsbond_code from reference.landsbonden where is_own").fetchall() == [("300",)]
        totals = con.execute(
            "select year, reference_date, national_leden, national_titularissen, status"
            " from reference.national_insured_totals order by year"
        ).fetchall()
        assert totals == [
            (2021, date(2021, 12, 31), 11200644, None, "implied_ambiguous"),
            (2022, date(2022, 12, 31), 11492374, 8068358, "published"),
            (2023, date(2023, 12, 31), 11572633, 8187647, "implied"),
        ]
        vte = con.execute(
            "select year, count(*), sum(vte), bool_and(is_assumption) from reference.dmw_vte"
            " group by year order by year"
        ).fetchall()
        assert [(y, n, float(s)) for y, n, s, _ in vte] == [(y, 12, 572.06) for y in range(2021, 2026)]
        assert [a for *_, a in vte] == [True, True, True, False, True]


def test_every_seed_names_its_source():
    """SPEC §4: every seed has a source column, or a README line in its folder naming its source."""
    for path in sorted((DBT_PROJECT_DIR / "seeds").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert rows, path.name
        readme = path.parent / "README.md"
        documented = readme.exists() and f"`{path.stem}`" in readme.read_text(encoding="utf-8")
        has_source = "source" in rows[0] and all(row["source"] for row in rows)
        assert has_source or documented, path.name


CONTRIBUTION = {
    "contribution_id": "C1",
    "person_pseudonym": PERSON_A,
    "scheme": "ZORGKAS_PREMIE",
    "contribution_year": 2023,
    "amount_due": Decimal("62.00"),
    "reduced": False,
    "invited_on": date(2023, 3, 1),
    "paid_on": None,
    "amount_paid": None,
}


def broken_guarantees(tmp_path: Path, source: str, rows: list[dict]) -> tuple[str, list[tuple]]:
    """Builds the source's staging model on raw rows and returns the status of its one
    ``model_checks`` test and the rows that test reports (check, columns, failing rows). The
    test's failure count (Dagster's failed row count) is the sum of those failing rows."""
    create_raw_warehouse(
        tmp_path,
        {source: [{**row, "_source_file": f"{source}.csv", "_source_row": n} for n, row in enumerate(rows, 2)]},
    )
    model = next(
        f"stg_{source}__{p.stem.split('__')[1]}"
        for p in (DBT_PROJECT_DIR / "models" / "staging" / source).glob("stg_*.sql")
    )
    result = run_dbt(tmp_path, "build", "--select", model)
    failed = failures(result)
    assert set(failed) <= {f"checks_{model}"}, failed
    (node,) = [r for r in result.result if r.node.name == f"checks_{model}"]
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        reported = con.sql(node.node.compiled_code).fetchall()
    assert node.failures == sum(failing for *_, failing in reported)
    return str(node.status), sorted(reported)


@pytest.mark.parametrize(
    ("source", "row", "key"),
    [
        ("contributions", CONTRIBUTION, "contribution_id"),
        (
            "vt_periods",
            {"person_pseudonym": PERSON_A, "start_date": date(2020, 1, 1), "end_date": None},
            "person_pseudonym, start_date",
        ),
    ],
)
def test_duplicate_key_fails_the_models_check(tmp_path, source, row, key):
    """A one-column key (contribution_id) and a composite one (vt_periods) are both guarded."""
    assert broken_guarantees(tmp_path, source, [row, row]) == ("fail", [("unique", key, 1)])


def test_every_broken_guarantee_is_reported_once_with_its_rows(tmp_path):
    """One set-based test per model (``model_checks``) still says which guarantee broke, on which
    columns and how often: a duplicate key, an empty value, a code outside the list and a pseudonym
    of the wrong length each give one row; the rows that break nothing give none."""
    rows = [
        CONTRIBUTION,
        {**CONTRIBUTION, "scheme": "OTHER"},
        {**CONTRIBUTION, "contribution_id": "C2", "amount_due": None, "person_pseudonym": "short"},
        {**CONTRIBUTION, "contribution_id": "C3", "scheme": "AANVULLENDE_VERZEKERING", "amount_paid": None},
        {**CONTRIBUTION, "contribution_id": "C4", "amount_due": None},
    ]
    assert broken_guarantees(tmp_path, "contributions", rows) == (
        "fail",
        [
            ("accepted_values", "scheme", 1),
            ("has_length", "person_pseudonym", 1),
            ("not_null", "amount_due", 2),
            ("unique", "contribution_id", 1),
        ],
    )


@pytest.mark.parametrize("empty", [("start_date",), ("person_pseudonym", "start_date")])
def test_empty_values_fail_the_models_check_once_per_column(tmp_path, empty):
    """Every column-level not_null of a model is part of its one set-based test (model_checks):
    one scan, and one failing row per column that holds empty values."""
    row = {"person_pseudonym": PERSON_A, "start_date": date(2020, 1, 1), "end_date": None}
    status, reported = broken_guarantees(tmp_path, "vt_periods", [row, {**row, **dict.fromkeys(empty)}])
    assert status == "fail"
    assert reported == sorted(("not_null", column, 1) for column in empty)


def test_old_dossier_decisions_do_not_make_a_year_loaded(tmp_path):
    """The dossier file carries every dossier still in force, decided years ago; only the year's
    own flows (here a payment for April 2023) make a reporting year loaded (int_reporting_years)."""
    dossier = {
        **RAW_ROWS["zorgkas_dossiers"][0],
        "received_on": date(2015, 1, 10),
        "decided_on": date(2015, 2, 20),
        "right_start": date(2015, 4, 1),
    }
    create_raw_warehouse(tmp_path, {"zorgkas_dossiers": [dossier], "zorgkas_payments": RAW_ROWS["zorgkas_payments"]})
    result = run_dbt(tmp_path, "run", "--select", "+int_reporting_years")
    assert result.success, result.exception
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        years = con.sql("select year from intermediate.int_reporting_years order by year").fetchall()
    assert years == [(2023,)]
