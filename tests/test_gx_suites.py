"""GX suites from the contract: built for every source, pass on clean rows, fail on the right check."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.quality.gx_suites import PSEUDONYM_REGEX, build_suite, run_suite, run_suites, suite_name
from sources.contract import SOURCES, Column, Source, raw_column_name, raw_schema

# A synthetic 11-digit value standing for an INSZ that escaped pseudonymisation (built from parts so
# that no real-looking number sits in the source).
RAW_INSZ = "850731" + "00123"

PAIR = "expect_column_pair_values_a_to_be_greater_than_b"


def clean_value(source: Source, column: Column, i: int):
    """A valid value; dates grow along the contract's column order, so every date_order pair holds."""
    if column.is_insz:
        return hashlib.md5(f"{source.name}-{column.name}-{i}".encode()).hexdigest()
    if column.kind == "code":
        return column.codes[i % len(column.codes)]
    if column.kind == "date":
        position = source.columns.index(column)
        # an end column listed before its start (right_renewals: decided_on, letter_sent_on) comes after it
        starts = [source.columns.index(source.column(s)) for s, e in source.date_order if e == column.name]
        position = max([position, *(p + 1 for p in starts)])
        return date(2000, 1, 1) + timedelta(days=30 * position + i)
    if column.kind == "month":
        return date(2020, 1 + i % 12, 1)
    if column.kind == "int":
        return int(column.min_value) + i % 10 if column.min_value is not None else i
    if column.kind == "decimal":
        return Decimal("0.50")
    if column.kind == "bool":
        return i % 2 == 0
    if column.kind == "postcode":
        return "2000"
    return f"{column.name}_{i}"


def clean_rows(source: Source, n: int) -> list[dict]:
    """``n`` valid rows keyed by raw column name (unique keys: every str value carries ``i``); a
    column that must be empty for the row's code (``null_when``) is left empty."""
    rows = []
    for i in range(n):
        row = {raw_column_name(c): clean_value(source, c, i) for c in source.columns}
        for rule in source.null_when:
            if row[raw_column_name(source.column(rule.when_column))] in rule.codes:
                row[raw_column_name(source.column(rule.column))] = None
        row |= {"_source_file": f"{source.name}.csv", "_source_row": i + 2}
        rows.append(row)
    return rows


def make_warehouse(tmp_path: Path, source_name: str, rows: list[dict]) -> Path:
    """``tmp_path/warehouse.duckdb`` with ``raw.<source>`` created from ``raw_schema`` and filled."""
    path = tmp_path / "warehouse.duckdb"
    schema = raw_schema(SOURCES[source_name])
    with duckdb.connect(str(path)) as con:
        con.sql("create schema if not exists raw")
        con.sql(f"create table raw.{source_name} ({', '.join(f'{n} {t}' for n, t in schema)})")
        placeholders = ", ".join("?" for _ in schema)
        for row in rows:
            con.sql(f"insert into raw.{source_name} values ({placeholders})", params=[row[n] for n, _ in schema])
    return path


def validate(tmp_path: Path, source_name: str, rows: list[dict], **kwargs) -> dict:
    return run_suite(source_name, make_warehouse(tmp_path, source_name, rows), tmp_path / "gx", **kwargs)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_suite_is_built_from_the_contract(name):
    source = SOURCES[name]
    suite = build_suite(source)
    by_type: dict[str, list[dict]] = {}
    for expectation in suite.expectations:
        by_type.setdefault(expectation.expectation_type, []).append(expectation.configuration.kwargs)

    assert suite.name == suite_name(name) == f"raw_{name}"
    assert by_type["expect_table_columns_to_match_ordered_list"] == [
        {"column_list": [n for n, _ in raw_schema(source)]}
    ]
    key = [raw_column_name(source.column(k)) for k in source.key]
    not_null = {kw["column"] for kw in by_type["expect_column_values_to_not_be_null"] if not kw.get("row_condition")}
    assert not_null == {raw_column_name(c) for c in source.columns if c.required} | set(key)
    conditional = [
        (name, kw["column"])
        for name in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null")
        for kw in by_type.get(name, [])
        if kw.get("row_condition")
    ]
    assert sorted(conditional) == sorted(
        (name, raw_column_name(source.column(rule.column)))
        for rule in source.null_when
        for name in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null")
    )
    if len(key) == 1:
        assert {kw["column"] for kw in by_type["expect_column_values_to_be_unique"]} == set(key)
    else:
        assert [kw["column_list"] for kw in by_type["expect_compound_columns_to_be_unique"]] == [key]
    pseudonyms = [raw_column_name(c) for c in source.columns if c.is_insz]
    regex = by_type.get("expect_column_values_to_match_regex", [])
    assert sorted(kw["column"] for kw in regex) == sorted(pseudonyms)
    assert all(kw["regex"] == PSEUDONYM_REGEX for kw in regex)
    assert {kw["column"] for kw in by_type.get("expect_column_values_to_be_in_set", [])} == {
        c.name for c in source.columns if c.codes
    }
    pairs = by_type.get(PAIR, [])
    assert [(kw["column_B"], kw["column_A"]) for kw in pairs] == list(source.date_order)
    assert all(kw["or_equal"] and kw["ignore_row_if"] == "either_value_is_missing" for kw in pairs)


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_clean_tiny_table_passes(tmp_path, name):
    result = validate(tmp_path, name, clean_rows(SOURCES[name], 6))

    assert result["failed"] == []
    assert result["success"] is True
    assert result["suite"] == f"raw_{name}"
    assert (result["rows_in_table"], result["rows_validated"], result["sampled"]) == (6, 6, False)
    assert result["evaluated"] == len(build_suite(name).expectations)


def with_change(name: str, n: int, row: int, **changes) -> list[dict]:
    rows = clean_rows(SOURCES[name], n)
    rows[row] |= changes
    return rows


UNIQUE, COMPOUND_UNIQUE = "expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"
NOT_NULL, NULL = "expect_column_values_to_not_be_null", "expect_column_values_to_be_null"
IN_SET, REGEX = "expect_column_values_to_be_in_set", "expect_column_values_to_match_regex"
# the second clean affiliation (its landing row aside), and a VT period ending before it starts
AFFILIATION_2 = {k: v for k, v in clean_rows(SOURCES["zorgkas_affiliations"], 5)[1].items() if k != "_source_row"}
END_BEFORE_START = {"start_date": date(2021, 5, 1), "end_date": date(2021, 4, 30)}
# id: (source, clean rows, the row changed, its changes, the expectation that fails, its column, unexpected count)
BAD_ROWS = {
    "duplicate-key": ("contributions", 5, 3, {"contribution_id": "contribution_id_1"}, UNIQUE, "contribution_id", 2),
    "duplicate-compound-key": (
        "zorgkas_affiliations",
        5,
        3,
        AFFILIATION_2,
        COMPOUND_UNIQUE,
        "person_pseudonym, zorgkas_code, start_date",
        2,
    ),
    "required-null": ("members", 5, 0, {"postcode": None}, NOT_NULL, "postcode", 1),
    "code-outside-set": ("members", 5, 2, {"sex": "Q"}, IN_SET, "sex", 1),
    "end-before-start": ("vt_periods", 5, 4, END_BEFORE_START, PAIR, "end_date, start_date", 1),
    "decision-date-missing-for-a-renewal": ("right_renewals", 6, 0, {"decided_on": None}, NOT_NULL, "decided_on", 1),
    "decision-date-on-no-right": ("right_renewals", 12, 5, {"decided_on": date(2021, 12, 1)}, NULL, "decided_on", 1),
    "insz-in-pseudonym-column": ("members", 5, 1, {"person_pseudonym": RAW_INSZ}, REGEX, "person_pseudonym", 1),
}


@pytest.mark.parametrize(
    ("name", "rows", "expectation", "column", "count"),
    [
        pytest.param(name, with_change(name, n, row, **changes), expectation, column, count, id=case)
        for case, (name, n, row, changes, expectation, column, count) in BAD_ROWS.items()
    ],
)
def test_bad_row_fails_the_right_expectation(tmp_path, name, rows, expectation, column, count):
    result = validate(tmp_path, name, rows)

    assert result["success"] is False
    assert result["failed"] == [{"expectation": expectation, "column": column, "unexpected_count": count}]


def test_schema_drift_fails_without_crashing(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.sql("create schema raw")
        con.sql(
            "create table raw.vt_periods as select md5('a') as person_pseudonym, date '2020-01-01' as start_date, "
            "'vt.csv' as _source_file, 2::bigint as _source_row"
        )
    result = run_suite("vt_periods", path, tmp_path / "gx")

    assert result["success"] is False
    failed = {(f["expectation"], f["column"]): f for f in result["failed"]}
    assert failed[("expect_table_columns_to_match_ordered_list", None)]["unexpected_count"] is None
    assert 'column "end_date"' in failed[(PAIR, "end_date, start_date")]["error"]


def test_values_of_person_columns_stay_out_of_data_docs(tmp_path):
    validate(tmp_path, "members", with_change("members", 5, 1, person_pseudonym=RAW_INSZ, sex="Q"))

    files = [p for p in (tmp_path / "gx").rglob("*") if p.suffix in (".html", ".json")]
    assert files and not [p for p in files if RAW_INSZ in p.read_text(encoding="utf-8")]
    stored = json.loads(next((tmp_path / "gx" / "validations").rglob("*.json")).read_text(encoding="utf-8"))
    quoted = {
        r["expectation_config"]["kwargs"].get("column"): r["result"].get("partial_unexpected_list")
        for r in stored["results"]
        if not r["success"]
    }
    assert quoted == {"person_pseudonym": [], "sex": ["Q"]}  # other columns still quote the failing value


def test_data_docs_index_opens_offline(tmp_path):
    result = validate(tmp_path, "vt_periods", clean_rows(SOURCES["vt_periods"], 3))
    run_suite("members", make_warehouse(tmp_path, "members", clean_rows(SOURCES["members"], 3)), tmp_path / "gx")

    index = Path(result["data_docs"])
    assert index == tmp_path / "gx" / "data_docs" / "index.html"
    text = index.read_text(encoding="utf-8")
    assert "raw_vt_periods" in text and "raw_members" in text
    for link in re.findall(r"href='([^']+)'", text):
        assert (index.parent / link).exists(), link
    remote = re.compile(r"<(script|link|img)[^>]*(src|href)=[\"']https?://", re.IGNORECASE)
    pages = list((tmp_path / "gx" / "data_docs").rglob("*.html"))
    assert len(pages) >= 5
    assert [p for p in pages if remote.search(p.read_text(encoding="utf-8"))] == []


def test_suites_run_together_report_each_table_and_render_every_page(tmp_path):
    """The pipeline's check runs every suite in one context and one Data Docs build: a defect in one
    table fails that table's suite only, and each suite still gets its own pages."""
    make_warehouse(tmp_path, "vt_periods", with_change("vt_periods", 4, 2, **END_BEFORE_START))
    db = make_warehouse(tmp_path, "members", clean_rows(SOURCES["members"], 3))

    results = run_suites(["members", "vt_periods"], db, tmp_path / "gx")

    assert [(r["suite"], r["success"]) for r in results] == [("raw_members", True), ("raw_vt_periods", False)]
    assert [f["expectation"] for f in results[1]["failed"]] == [PAIR]
    site = tmp_path / "gx" / "data_docs"
    for name in ("raw_members", "raw_vt_periods"):
        assert (site / "expectations" / f"{name}.html").exists()
        assert len(list((site / "validations" / name).rglob("*.html"))) == 1
    assert run_suites([], db, tmp_path / "gx") == []


def test_rerun_keeps_one_validation_per_suite(tmp_path):
    db = make_warehouse(tmp_path, "vt_periods", clean_rows(SOURCES["vt_periods"], 3))
    first = run_suite("vt_periods", db, tmp_path / "gx")
    second = run_suite("vt_periods", db, tmp_path / "gx")

    assert {k: v for k, v in first.items() if k != "seconds"} == {k: v for k, v in second.items() if k != "seconds"}
    stored = tmp_path / "gx" / "validations" / "raw_vt_periods"
    assert len(list(stored.rglob("*.json"))) == 1
    assert len([p for p in stored.rglob("*") if p.is_dir()]) == 2  # <run name>/<run time>/
    assert len(list((tmp_path / "gx" / "data_docs" / "validations" / "raw_vt_periods").rglob("*.html"))) == 1


def test_large_table_is_sampled_repeatably(tmp_path):
    db = make_warehouse(tmp_path, "vt_periods", clean_rows(SOURCES["vt_periods"], 40))
    result = run_suite("vt_periods", db, tmp_path / "gx", max_rows=10)

    assert (result["rows_in_table"], result["rows_validated"], result["sampled"]) == (40, 10, True)
    assert result["success"] is True
    stored = json.loads(next((tmp_path / "gx" / "validations").rglob("*.json")).read_text())
    assert stored["meta"]["mutwh"]["sample"] == "reservoir(10 rows) repeatable (0)"

    from orchestration.quality.gx_suites import read_raw_table

    rows = [read_raw_table("vt_periods", db, max_rows=10)[0].column("_source_row").to_pylist() for _ in range(2)]
    assert rows[0] == rows[1] and len(set(rows[0])) == 10


def test_run_is_quiet(tmp_path, capfd):
    validate(tmp_path, "vt_periods", clean_rows(SOURCES["vt_periods"], 3))

    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_missing_table_names_the_file(tmp_path):
    db = make_warehouse(tmp_path, "vt_periods", [])
    with pytest.raises(LookupError, match=r"warehouse\.duckdb: table raw\.members does not exist"):
        run_suite("members", db, tmp_path / "gx")
