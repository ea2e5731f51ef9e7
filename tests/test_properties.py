"""Property-based tests (hypothesis): the INSZ validator and the membership counting rule (SPEC §4, §5).

- INSZ: numbers built from any birth date and day counter validate, in Python and in Polars; any
  change of one digit is caught (mod 97 catches every single-digit change); Python and Polars agree
  on arbitrary text.
- Loader: whatever the text in a landing file, every row is either accepted or rejected with a
  reason (rows_in = accepted + rejected), and accepted rows hold valid values.
- Membership: ``fct_membership_year`` as dbt builds it agrees with a plain Python reading of the
  rule on random small populations: leden(Y) = distinct persons with a members period covering
  31/12/Y (start <= D and (end is null or D <= end)); a person covered by two ziekenfondsen is
  counted once, in the ziekenfonds of the period with the latest affiliation_start, and flagged.

The membership property builds the models once with dbt on a private DuckDB file, then replays
dbt's own compiled SQL of the table models for each example (a full ``dbt run`` per example
would take seconds; the compiled SQL is exactly what dbt executes).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import duckdb
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sources.contract import SOURCES, ZIEKENFONDSEN, raw_schema
from sources.insz import check_digits, insz_problem, is_valid_insz, make_insz
from sources.loader import check_rows, insz_valid_expr, read_landing_file, validate_source

PROPERTY_SETTINGS = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# --- INSZ -------------------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
counters = st.integers(min_value=1, max_value=998)


def insz_for(birth: dt.date, counter: int) -> str:
    return make_insz(f"{birth:%y%m%d}{counter:03d}", born_2000_or_later=birth.year >= 2000)


def polars_valid(values: list[str | None]) -> list[bool]:
    return (
        pl.DataFrame({"insz": values}, schema={"insz": pl.String}).select(insz_valid_expr("insz")).to_series().to_list()
    )


@PROPERTY_SETTINGS
@given(birth_dates, counters)
def test_insz_from_any_birth_date_and_counter_validates(birth, counter):
    value = insz_for(birth, counter)
    assert len(value) == 11 and value.isdigit()
    assert value.startswith(f"{birth:%y%m%d}")
    assert is_valid_insz(value), value
    assert polars_valid([value]) == [True]
    # the century is not in the number: the check digits say which reading applies
    assert int(value[9:]) == check_digits(value[:9], birth.year >= 2000)


@PROPERTY_SETTINGS
@given(birth_dates, counters, st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_any_single_digit_change_is_caught_once_the_century_is_known(birth, counter, position, shift):
    """97 is prime and divides no single-digit difference (d x 10^k), so one changed digit always
    breaks the check of the right century. The number alone does not say the century, and the
    validator accepts either reading: a change can then land on the other reading (about 1 change
    in 250, found by this test). Only a known birth date tells them apart; the members loader
    checks it (test_single_digit_typo_caught_by_the_birth_date)."""
    value = insz_for(birth, counter)
    born_2000 = birth.year >= 2000
    changed = value[:position] + str((int(value[position]) + shift) % 10) + value[position + 1 :]
    assert int(changed[9:]) != check_digits(changed[:9], born_2000), changed
    if is_valid_insz(changed):  # the other century's reading fits by accident
        assert position < 9 and int(changed[9:]) == check_digits(changed[:9], not born_2000)
    else:
        assert insz_problem(changed) == "INSZ check digits do not match (mod 97)", changed
    assert polars_valid([changed]) == [is_valid_insz(changed)]


def test_single_digit_typo_caught_by_the_birth_date(tmp_path):
    """A typo that only the other century's reading accepts is reported in members, where the
    birth date gives the century. The property above found the pattern: 97 divides
    2 000 000 000 - 6 x 10^7, so turning the year's second digit 6..9 into 0..3 (1986 -> "80")
    keeps the number valid, read as born in 2080."""
    birth = dt.date(1986, 7, 30)
    value = insz_for(birth, 33)
    typos = [value[:p] + str((int(value[p]) + s) % 10) + value[p + 1 :] for p in range(9) for s in range(1, 10)]
    accepted_by_number_alone = [t for t in typos if is_valid_insz(t)]
    assert [t[:2] for t in accepted_by_number_alone] == ["80"]
    folder = tmp_path / "members"
    folder.mkdir()
    row = "{};1986-07-30;M;2000;SOL_ANT;TITULARIS;;2010-01-01;"
    (folder / "m.csv").write_text(
        ";".join(SOURCES["members"].column_names)
        + "\n"
        + "\n".join(row.format(v) for v in [value, *accepted_by_number_alone])
        + "\n"
    )
    validation = validate_source(tmp_path, SOURCES["members"])
    assert validation.accepted.height == 2
    assert validation.warnings == [
        "members/m.csv row 2: insz check digits fit the other century than birth_date 1986-07-30 "
        "(a typo in the number or the date?); loaded"
    ]


insz_like_text = st.one_of(
    st.text(alphabet="0123456789", min_size=9, max_size=12),
    st.text(min_size=0, max_size=13),  # any unicode: other scripts' digits, spaces, letters
    st.builds(insz_for, birth_dates, counters),
    st.builds(
        lambda birth, counter, junk: insz_for(birth, counter)[:-1] + junk,
        birth_dates,
        counters,
        st.characters(blacklist_categories=["Cs"]),  # a value decoded from a file is never a lone surrogate
    ),
)


@PROPERTY_SETTINGS
@given(st.lists(st.one_of(st.none(), insz_like_text), max_size=20))
def test_polars_check_agrees_with_python_check(values):
    """The loader decides in Polars, reports and tests use Python: both must say the same. (Polars
    strips surrounding blanks before checking, as for every landing value.)"""
    expected = [v is not None and is_valid_insz(v.strip()) for v in values]
    assert polars_valid(values) == expected


# --- loader: every row is accounted for ----------------------------------------------------------

VT = SOURCES["vt_periods"]
cell_text = st.one_of(
    st.just(""),
    st.builds(insz_for, birth_dates, counters),
    st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2150, 1, 1)).map(str),
    st.text(alphabet="0123456789-O ", max_size=12),
    st.text(alphabet=st.characters(blacklist_characters=';"\r\n', blacklist_categories=["Cs"]), max_size=12),
)


@PROPERTY_SETTINGS
@given(st.lists(st.tuples(cell_text, cell_text, cell_text), max_size=15))
def test_every_row_is_accepted_or_rejected_with_a_reason(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("landing") / "vt_periods"
    folder.mkdir()
    path = folder / "vt.csv"
    path.write_text("insz;start_date;end_date\n" + "".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    frame, _ = read_landing_file(path, VT)
    checked = check_rows(frame, VT)
    accepted = checked.filter(pl.col("_reason") == "")
    rejected = checked.filter(pl.col("_reason") != "")
    assert frame.height == len(rows) == accepted.height + rejected.height
    for insz, start, end in accepted.select("__typed_insz", "__typed_start_date", "__typed_end_date").iter_rows():
        assert is_valid_insz(insz)
        assert dt.date(1900, 1, 1) <= start <= dt.date(2050, 12, 31)
        assert end is None or start <= end <= dt.date(2050, 12, 31)


# --- membership counting rule ------------------------------------------------------------------------

YEARS = (2020, 2021, 2022, 2023)
ZF_CODES = ("SOL_ANT", "SOL_BRA", "MSL_LUX")  # three are enough to meet people in two at once
# Dates around the reference dates, where off-by-one errors live.
DATES = sorted(
    {dt.date(y, 12, 31) + dt.timedelta(days=d) for y in (2019, *YEARS) for d in (-1, 0, 1)} | {dt.date(2022, 6, 30)}
)
MEMBER_TYPES = ("TITULARIS", "PERSOON_TEN_LASTE")


def closed_or_open_period():
    """(start, end) with end null or not before start: ingestion rejects the other ones."""
    return st.tuples(st.sampled_from(DATES), st.one_of(st.none(), st.sampled_from(DATES))).filter(
        lambda p: p[1] is None or p[1] >= p[0]
    )


member_periods = st.lists(
    st.tuples(st.sampled_from(ZF_CODES), st.sampled_from(MEMBER_TYPES), closed_or_open_period()),
    max_size=3,
    unique_by=lambda p: p[2][0],  # (person, affiliation_start) is the landing key
)
people = st.lists(
    st.tuples(member_periods, st.lists(closed_or_open_period(), max_size=2, unique_by=lambda p: p[0])), max_size=8
)


def covers(start: dt.date, end: dt.date | None, day: dt.date) -> bool:
    return start <= day and (end is None or day <= end)


def expected_membership(population) -> dict[tuple[int, str], dict]:
    """SPEC §5 read literally, person by person."""
    out: dict[tuple[int, str], dict] = {}
    for year in YEARS:
        day = dt.date(year, 12, 31)
        counts = {code: Counter() for code in ZIEKENFONDSEN}
        for periods, vt_periods in population:
            covering = [p for p in periods if covers(p[2][0], p[2][1], day)]
            if not covering:
                continue
            code, member_type, _ = max(covering, key=lambda p: p[2][0])  # the latest affiliation_start
            counts[code]["leden"] += 1
            counts[code]["titularissen"] += member_type == "TITULARIS"
            counts[code]["vt_leden"] += any(covers(s, e, day) for s, e in vt_periods)
            counts[code]["leden_in_several_ziekenfondsen"] += len({p[0] for p in covering}) > 1
        counts["ALL"] = sum(counts.values(), Counter())
        for code, counter in counts.items():
            out[(year, code)] = {
                k: counter[k] for k in ("leden", "titularissen", "vt_leden", "leden_in_several_ziekenfondsen")
            }
    for (year, code), row in out.items():
        previous = out.get((year - 1, code))
        row["leden_delta_12m"] = row["leden"] - previous["leden"] if previous else None
    return out


def topological(nodes: dict[str, dict], wanted: set[str]) -> list[str]:
    """``wanted`` in build order. Dependencies are followed through every node, not only the wanted
    ones: a table that reads another table through a view must still come after it."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for dep in nodes[uid].get("depends_on", {}).get("nodes", []):
            if dep in nodes:
                visit(dep)
        if uid in wanted:
            order.append(uid)

    for uid in sorted(wanted):
        visit(uid)
    return order


@pytest.fixture(scope="module")
def membership_models(tmp_path_factory):
    """A warehouse with raw tables, seeds and the models up to fct_membership_year built by dbt,
    plus the compiled SQL of the table models in dependency order."""
    from support.dbt_run import create_raw_warehouse, load_manifest, run_dbt

    home = tmp_path_factory.mktemp("membership_property")
    # reporting years come from yearly activity; the ledger is the smallest source that gives them
    ledger = [
        {"entity": "E", "rubric": "R", "year": y, "amount_eur": 1, "_source_file": "l.csv", "_source_row": i}
        for i, y in enumerate(YEARS, start=1)
    ]
    create_raw_warehouse(home, {"finance_ledger": ledger})
    result = run_dbt(
        home, "build", "--select", "+fct_membership_year", "--resource-type", "model", "--resource-type", "seed"
    )
    assert result.success, result.exception
    manifest = load_manifest(home)
    nodes = manifest["nodes"]
    (mart,) = [uid for uid, n in nodes.items() if n["resource_type"] == "model" and n["name"] == "fct_membership_year"]
    upstream: set[str] = set()
    stack = [mart]
    while stack:
        uid = stack.pop()
        if uid in upstream:
            continue
        upstream.add(uid)
        stack.extend(d for d in nodes[uid].get("depends_on", {}).get("nodes", []) if d in nodes)
    tables = {
        uid
        for uid in upstream
        if nodes[uid]["resource_type"] == "model" and nodes[uid]["config"]["materialized"] == "table"
    }
    statements = []
    for uid in topological(nodes, tables):
        node = nodes[uid]
        compiled = (home / "target" / "compiled" / "mutwh" / node["original_file_path"]).read_text()
        statements.append(f"create or replace table {node['relation_name']} as (\n{compiled}\n)")
    con = duckdb.connect(str(home / "warehouse.duckdb"))
    yield MembershipModels(con, statements)
    con.close()


class MembershipModels:
    def __init__(self, con: duckdb.DuckDBPyConnection, statements: list[str]):
        self.con, self.statements = con, statements

    def __repr__(self) -> str:  # hypothesis prints the fixture with a failing example
        return f"<fct_membership_year and {len(self.statements) - 1} upstream table models>"


def load_population(con: duckdb.DuckDBPyConnection, population) -> None:
    members_columns = [name for name, _ in raw_schema(SOURCES["members"])]
    vt_columns = [name for name, _ in raw_schema(SOURCES["vt_periods"])]
    members, vt = [], []
    for number, (periods, vt_periods) in enumerate(population):
        person = f"person-{number}"
        for code, member_type, (start, end) in periods:
            members.append(
                {
                    "person_pseudonym": person,
                    "birth_date": dt.date(1960, 1, 1),
                    "sex": "X",
                    "postcode": "1000",
                    "ziekenfonds_code": code,
                    "member_type": member_type,
                    "titularis_pseudonym": None,
                    "affiliation_start": start,
                    "affiliation_end": end,
                    "_source_file": "m.csv",
                    "_source_row": len(members) + 1,
                }
            )
        for start, end in vt_periods:
            vt.append(
                {
                    "person_pseudonym": person,
                    "start_date": start,
                    "end_date": end,
                    "_source_file": "v.csv",
                    "_source_row": len(vt) + 1,
                }
            )
    con.execute("delete from raw.members")
    con.execute("delete from raw.vt_periods")
    for table, columns, rows in (("members", members_columns, members), ("vt_periods", vt_columns, vt)):
        if rows:
            con.executemany(
                f"insert into raw.{table} values ({', '.join('?' for _ in columns)})",
                [[r[c] for c in columns] for r in rows],
            )


@settings(deadline=None, database=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people)
def test_membership_mart_follows_the_counting_rule(membership_models, population):
    con = membership_models.con
    load_population(con, population)
    for statement in membership_models.statements:
        con.execute(statement)
    got = {
        (year, code): {
            "leden": leden,
            "titularissen": titularissen,
            "vt_leden": vt_leden,
            "leden_in_several_ziekenfondsen": several,
            "leden_delta_12m": delta,
        }
        for year, code, leden, titularissen, vt_leden, several, delta in con.sql(
            "select year, ziekenfonds_code, leden, titularissen, vt_leden, leden_in_several_ziekenfondsen,"
            " leden_delta_12m from marts.fct_membership_year"
        ).fetchall()
    }
    assert got == expected_membership(population)


def test_the_rule_reads_the_spec_on_a_hand_case():
    """The reference implementation itself, on a case computed by hand: a person in two
    ziekenfondsen on 31/12/2021 counts once, in the one joined last; leaving on 31/12 still counts."""
    d = dt.date
    population = [
        (
            [
                ("SOL_ANT", "TITULARIS", (d(2015, 1, 1), None)),
                ("SOL_BRA", "TITULARIS", (d(2021, 6, 30), d(2021, 12, 31))),
            ],
            [],
        ),
        ([("MSL_LUX", "PERSOON_TEN_LASTE", (d(2020, 12, 31), d(2020, 12, 31)))], [(d(2020, 1, 1), None)]),
    ]
    got = expected_membership(population)
    assert got[(2020, "ALL")] == {
        "leden": 2,
        "titularissen": 1,
        "vt_leden": 1,
        "leden_in_several_ziekenfondsen": 0,
        "leden_delta_12m": None,
    }
    assert got[(2021, "SOL_BRA")]["leden"] == 1 and got[(2021, "SOL_ANT")]["leden"] == 0
    assert got[(2021, "ALL")]["leden"] == 1 and got[(2021, "ALL")]["leden_in_several_ziekenfondsen"] == 1
    assert got[(2021, "ALL")]["leden_delta_12m"] == -1
    assert got[(2022, "SOL_ANT")]["leden"] == 1 and got[(2022, "SOL_BRA")]["leden"] == 0
