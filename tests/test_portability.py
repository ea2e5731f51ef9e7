"""The dbt project stays adapter-portable (SPEC §2, issue 9): checked without a server, so that a
DuckDB-only construct is caught by ``make test`` before ``make test-postgres`` runs the project on
PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

DBT = Path(__file__).resolve().parents[1] / "dbt_project"
POSTGRES_MAX_IDENTIFIER = 63  # PostgreSQL's NAMEDATALEN - 1; dbt-postgres refuses longer relation names

# Functions and syntax that DuckDB accepts and PostgreSQL does not (use dbt's cross-database macros).
DUCKDB_ONLY = {
    r"\bstrftime\s*\(": "strftime (use to_char via a dispatched macro, or dbt.date_trunc/extract)",
    r"\bstrptime\s*\(": "strptime (use cast(... as date))",
    r"\bdate_diff\s*\(|(?<![.\w])datediff\s*\(": "date_diff (use {{ dbt.datediff(...) }})",
    r"(?<![.\w])dateadd\s*\(|\bdate_add\s*\(": "date_add (use {{ dbt.dateadd(...) }})",
    r"(?<![.\w])last_day\s*\(": "last_day (use {{ dbt.last_day(...) }})",
    r"\blist\s*\(|\blist_\w+\s*\(": "list functions (use {{ dbt.listagg(...) }} or array_agg)",
    r"\bqualify\b": "qualify (use a window in a CTE and filter it)",
    r"\bexclude\s*\(": "select * exclude (name the columns)",
    r"\bifnull\s*\(": "ifnull (use coalesce)",
    r"\bcount_if\s*\(": "count_if (use count(*) filter (where ...))",
    r"\barg_(max|min)\s*\(": "arg_max/arg_min (use row_number())",
    r"\bany_value\s*\(": "any_value (PostgreSQL 16+ only)",
    r"\bepoch(_ms)?\s*\(": "epoch (use extract(epoch from ...))",
    r"//": "integer division // (cast and use /)",
    r"\bstring_split\s*\(|\bregexp_matches\s*\(": "DuckDB string functions",
    r"\bstruct_pack\s*\(": "DuckDB structs",
}


# Accepted by DuckDB and PostgreSQL, refused by Spark SQL (issue 19; make test-spark runs the project
# there). Types come from dbt's type macros, which each adapter renders in its own dialect.
NOT_ON_SPARK = {
    r"::\s*[a-z]": "a :: cast (use cast(... as {{ dbt.type_...() }}))",
    r"\bas\s+(varchar|text|double\s+precision|real|timestamptz)\b": "a type name Spark lacks (use {{ dbt.type_string() }} etc.)",
    r"(?<![.\w])generate_series\s*\(": "generate_series (use {{ dbt.generate_series(...) }})",
    r"\bunnest\s*\(|\blateral\b": "unnest/lateral (Spark has explode; avoid)",
    r"\bilike\b": "ilike (use lower(...) like)",
    r"\bstring_agg\s*\(|\barray_agg\s*\(": "string_agg/array_agg (use {{ dbt.listagg(...) }})",
    r"\bdistinct\s+on\b": "distinct on (use row_number())",
}


def _sql_files() -> list[Path]:
    return sorted(p for folder in ("models", "tests", "macros") for p in (DBT / folder).rglob("*.sql"))


def _without_comments(text: str) -> str:
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"--[^\n]*", "", text)


def _matches(patterns: dict[str, str], paths: list[Path]) -> list[str]:
    """``file:line: why`` for every match of a pattern in the SQL of ``paths``, comments left out."""
    problems = []
    for path in paths:
        text = _without_comments(path.read_text(encoding="utf-8"))
        for pattern, why in patterns.items():
            for match in re.finditer(pattern, text, flags=re.I):
                line = text[: match.start()].count("\n") + 1
                problems.append(f"{path.relative_to(DBT)}:{line}: {why}")
    return problems


def test_no_duckdb_only_sql_in_models_tests_and_macros():
    problems = _matches(DUCKDB_ONLY, _sql_files())
    assert not problems, "DuckDB-only SQL:\n" + "\n".join(problems)


def test_no_sql_that_spark_refuses():
    problems = _matches(NOT_ON_SPARK, [p for p in _sql_files() if "spark" not in p.parts])  # the Spark macros aside
    assert not problems, "SQL that Spark refuses:\n" + "\n".join(problems)


def test_names_fit_postgres_identifiers():
    """Models, seeds and unit tests become relations; PostgreSQL truncates or refuses > 63 chars."""
    too_long = [
        p.stem
        for folder in ("models", "seeds")
        for p in (DBT / folder).rglob("*")
        if p.suffix in (".sql", ".csv") and len(p.stem) > POSTGRES_MAX_IDENTIFIER
    ]
    for yml in (DBT / "models").rglob("*.yml"):
        for test in (yaml.safe_load(yml.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            if len(test["name"]) > POSTGRES_MAX_IDENTIFIER:
                too_long.append(f"unit test {test['name']} ({yml.name})")
    assert not too_long, f"longer than {POSTGRES_MAX_IDENTIFIER} characters: {too_long}"
