"""Tests of the synthetic landing-zone generator (sources/generator).

Fast tests use small scales (0.002-0.01); the exact scale-1.0 check of the ``solidaris`` profile is
marked slow. Files are read back with DuckDB and pyarrow, independently of the generator's code.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from sources.contract import MAX_DATE, MIN_DATE, SOURCES, ZIEKENFONDSEN
from sources.generator import generate
from sources.generator.reference import ZIEKENFONDS_BY_NAME
from sources.insz import is_valid_insz

YEARS = [2021, 2022, 2023]
REFERENCE = Path(__file__).resolve().parent.parent / "sources" / "reference"
ARROW_KINDS = {
    "insz": "string",
    "str": "string",
    "code": "string",
    "postcode": "string",
    "month": "string",
    "date": "date32[day]",
    "int": "int32",
    "decimal": "double",
    "bool": "bool",
}


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("default")
    generate(out, YEARS, scale=0.01, seed=7, progress=False)
    return out


@pytest.fixture(scope="module")
def clean_zone(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, YEARS, scale=0.005, seed=11, clean=True, progress=False)
    return out


def manifest(zone: Path) -> dict:
    return json.loads((zone / "_generator_manifest.json").read_text())


def parquet(zone: Path, source: str) -> str:
    return f"read_parquet('{zone}/{source}/*.parquet')"


def sql(query: str) -> list[tuple]:
    return duckdb.connect().execute(query).fetchall()


def scalar(query: str):
    return sql(query)[0][0]


def file_hashes(zone: Path) -> dict[str, str]:
    return {
        str(p.relative_to(zone)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(zone.rglob("*"))
        if p.is_file()
    }


def covered(zone: Path, year: int) -> str:
    """Members periods covering 31/12/year (SPEC §5)."""
    ref = f"DATE '{year}-12-31'"
    return (
        f"(select * from {parquet(zone, 'members')} where affiliation_start <= {ref} "
        f"and (affiliation_end is null or affiliation_end >= {ref}))"
    )


def year_end_counts(zone: Path, year: int) -> dict:
    """leden per ziekenfonds, titularissen and vt_leden at 31/12/year, as the KPIs define them."""
    ref = f"DATE '{year}-12-31'"
    cov = covered(zone, year)
    per_zf = dict(sql(f"select ziekenfonds_code, count(distinct insz) from {cov} group by 1"))
    leden = scalar(f"select count(distinct insz) from {cov}")
    tit = scalar(f"select count(distinct insz) from {cov} where member_type = 'TITULARIS'")
    vt = scalar(f"""select count(*) from (select distinct insz from {cov}) join
        (select distinct insz from {parquet(zone, "vt_periods")}
         where start_date <= {ref} and (end_date is null or end_date >= {ref})) using (insz)""")
    return {"per_zf": per_zf, "leden": leden, "titularissen": tit, "vt_leden": vt}


# --- determinism and layout -----------------------------------------------------------------------


def test_same_seed_gives_identical_files_and_other_seed_differs(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((first, 3), (second, 3), (other, 4)):
        generate(out, YEARS, scale=0.002, seed=seed, progress=False)
    assert file_hashes(first) == file_hashes(second)
    hashes_other = file_hashes(other)
    differing = [f for f, h in file_hashes(first).items() if hashes_other.get(f) != h]
    assert any(f.startswith("members/") for f in differing)


def test_layout_every_source_several_files_and_manifest(default_zone):
    top = sorted(p.name for p in default_zone.iterdir())
    assert top == sorted([*SOURCES, "_generator_manifest.json"])
    names = {s: sorted(p.name for p in (default_zone / s).iterdir()) for s in SOURCES}
    assert names["members"][:7] == sorted(f"members_{z}.parquet" for z in ZIEKENFONDSEN)
    assert "contributions_2022.parquet" in names["contributions"]
    for source in ("dmw_registrations", "dmw_proactive_actions", "dmw_housing_advice", "dmw_aid_loans"):
        monthly = [n for n in names[source] if re.fullmatch(rf"{source}_\d{{4}}-\d{{2}}\.parquet", n)]
        assert len(monthly) == 36, source
    for source in SOURCES:
        assert len(names[source]) >= 3, source
    m = manifest(default_zone)
    assert m["parameters"] == {
        "clean": False,
        "format": "parquet",
        "profile": "default",
        "scale": 0.01,
        "seed": 7,
        "years": YEARS,
    }
    for source, info in m["sources"].items():
        assert info["files"] == names[source]
        rows = sum(
            pq.read_metadata(default_zone / source / f).num_rows for f in info["files"] if f.endswith(".parquet")
        )
        rows += sum(
            len((default_zone / source / f).read_text().splitlines()) - 1 for f in info["files"] if f.endswith(".csv")
        )
        assert rows == info["rows"], source
    text = (default_zone / "_generator_manifest.json").read_text()
    assert text == json.dumps(m, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("zone_name", ["default_zone", "clean_zone"])
def test_columns_and_types_follow_the_contract(zone_name, request):
    zone = request.getfixturevalue(zone_name)
    for source_name, source in SOURCES.items():
        for path in sorted((zone / source_name).iterdir()):
            if path.suffix == ".parquet":
                schema = pq.read_schema(path)
                assert schema.names == source.column_names, path.name
                assert [str(t) for t in schema.types] == [ARROW_KINDS[c.kind] for c in source.columns], path.name
            else:
                header = path.read_text(encoding="utf-8").splitlines()[0]
                assert header.split(";") == source.column_names, path.name


def test_member_rows_look_real(clean_zone):
    ages = sql(f"""select date_diff('year', birth_date, DATE '2021-12-31') as age
                   from {covered(clean_zone, 2021)}""")
    ages = np.array([a for (a,) in ages])
    assert ages.min() >= 0 and ages.max() <= 106
    assert 0.15 < (ages >= 65).mean() < 0.25 and 0.15 < (ages < 18).mean() < 0.25
    rows = sql(f"select insz, birth_date, sex, postcode from {parquet(clean_zone, 'members')}")
    for insz, birth, sex, postcode in rows[:5000]:
        assert insz[:6] == birth.strftime("%y%m%d")
        assert sex == "X" or int(insz[6:9]) % 2 == (1 if sex == "M" else 0)
        assert re.fullmatch(r"\d{4}", postcode)
    # all periods of one INSZ describe the same person
    assert scalar(
        f"select count(*) = count(distinct insz) from "
        f"(select distinct insz, birth_date, sex from {parquet(clean_zone, 'members')})"
    )


def test_dynamics_switches_conversions_and_leavers(clean_zone):
    m = parquet(clean_zone, "members")
    switches = scalar(f"""select count(*) from {m} a join {m} b on a.insz = b.insz
        and b.affiliation_start = a.affiliation_end + 1 and a.ziekenfonds_code <> b.ziekenfonds_code""")
    conversions = scalar(f"""select count(*) from {m} a join {m} b on a.insz = b.insz
        and b.affiliation_start = a.affiliation_end + 1 and a.member_type = 'PERSOON_TEN_LASTE'
        and b.member_type = 'TITULARIS'""")
    leavers = scalar(f"""select count(*) from (select insz, max(coalesce(affiliation_end, DATE '9999-12-31')) e
        from {m} group by insz) where e between DATE '2021-01-01' and DATE '2023-12-31'""")
    newborns = scalar(f"select count(distinct insz) from {m} where year(birth_date) = 2022")
    vt_changes = scalar(f"""select count(*) from {parquet(clean_zone, "vt_periods")}
        where year(start_date) = 2022 or year(end_date) = 2022""")
    assert switches > 0 and conversions > 0 and leavers > 0 and newborns > 0 and vt_changes > 0


# --- clean mode: everything valid ---------------------------------------------------------------


def test_clean_mode_has_no_defects(clean_zone):
    assert manifest(clean_zone)["defects"] == {}
    assert not list(clean_zone.rglob("*.csv"))


@pytest.mark.parametrize("source_name", list(SOURCES))
def test_clean_mode_rows_are_valid(clean_zone, source_name):
    source = SOURCES[source_name]
    table = parquet(clean_zone, source_name)
    for column in source.columns:
        if column.kind == "insz":
            values = [v for (v,) in sql(f"select distinct {column.name} from {table} where {column.name} is not null")]
            assert all(is_valid_insz(v) for v in values), column.name
        if column.codes:
            values = {v for (v,) in sql(f"select distinct {column.name} from {table}")}
            assert values <= set(column.codes), (column.name, values - set(column.codes))
        if column.kind == "date":
            low, high = sql(f"select min({column.name}), max({column.name}) from {table}")[0]
            assert low is None or (low >= MIN_DATE and high <= MAX_DATE), column.name
        if column.required:
            assert scalar(f"select count(*) from {table} where {column.name} is null") == 0, column.name
    for start, end in source.date_order:
        assert scalar(f"select count(*) from {table} where {end} < {start}") == 0, (start, end)
    key = ", ".join(source.key)
    assert scalar(f"select count(*) from (select {key} from {table} group by {key} having count(*) > 1)") == 0


def test_clean_mode_dependants_point_at_titularis_of_same_ziekenfonds(clean_zone):
    m = parquet(clean_zone, "members")
    dependants = scalar(f"select count(*) from {m} where member_type = 'PERSOON_TEN_LASTE'")
    orphans = scalar(f"""select count(*) from {m} d where d.member_type = 'PERSOON_TEN_LASTE' and not exists
        (select 1 from {m} t where t.insz = d.titularis_insz and t.member_type = 'TITULARIS'
         and t.ziekenfonds_code = d.ziekenfonds_code)""")
    assert dependants > 0 and orphans == 0
    assert scalar(f"select count(*) from {m} where member_type = 'TITULARIS' and titularis_insz is not null") == 0


def test_clean_mode_nobody_covered_twice(clean_zone):
    for year in YEARS:
        cov = covered(clean_zone, year)
        assert scalar(f"select count(*) - count(distinct insz) from {cov}") == 0


def test_clean_mode_zorgkas_indicators_all_compliant(clean_zone):
    d, p = parquet(clean_zone, "zorgkas_dossiers"), parquet(clean_zone, "zorgkas_payments")
    c, mu = parquet(clean_zone, "contributions"), parquet(clean_zone, "zorgkas_mutations")
    assert (
        scalar(f"""select count(*) from {c} where scheme = 'ZORGKAS_PREMIE'
        and invited_on > make_date(contribution_year, 4, 30)""")
        == 0
    )
    assert (
        scalar(f"""select count(*) from {mu} where transmitted_on is null
        or transmitted_on - mutation_date > 30 or not transmission_correct""")
        == 0
    )
    assert (
        scalar(f"""select count(*) from {d} where pillar = 'ZZB' and decision = 'POSITIEF' and right_start <>
        date_trunc('month', received_on) + to_months(case residence when 'THUIS' then 3 else 1 end)""")
        == 0
    )
    assert (
        scalar(f"""select count(*) from {d} where pillar = 'ZZB' and decision = 'POSITIEF'
        and right_end >= right_start + to_months(60)""")
        == 0
    )
    payments = f"""(select p.*, d.right_start, d.right_end, d.decided_on, strptime(p.for_month || '-01', '%Y-%m-%d')::date m
        from {p} p join {d} d using (dossier_id) where d.pillar = 'ZZB')"""
    assert (
        scalar(f"""select count(*) from {payments} where m < date_trunc('month', right_start)
        or (right_end is not null and m > right_end)""")
        == 0
    )
    assert (
        scalar(f"""select count(*) from {payments} where not (paid_on <= last_day(m)
        or (m < date_trunc('month', decided_on) and paid_on <= decided_on + 30))""")
        == 0
    )
    assert scalar(f"select count(*) from {payments}") > 0


def dmw_norms(zone: Path) -> dict[tuple[str, int], dict[str, bool]]:
    """The norms of SPEC §5 that do not depend on VTE, per DMW and year."""
    out: dict[tuple[str, int], dict[str, bool]] = {}

    def put(query: str, norm: str):
        for dmw, year, ok in sql(query):
            out.setdefault((dmw, year), {})[norm] = bool(ok)

    r, a = parquet(zone, "dmw_registrations"), parquet(zone, "dmw_proactive_actions")
    put(
        f"""select dmw_code, year(registered_on) y, count(distinct insz) filter (where zorgbehoefte)
            >= 0.5 * count(distinct insz) from {r} group by all""",
        "ZORGBEHOEFTE_SHARE",
    )
    put(
        f"select dmw_code, year(action_date), count(distinct target_group) >= 5 from {a} group by all",
        "PROACTIVE_TARGET_GROUPS",
    )
    put(
        f"select dmw_code, year(action_date), avg(follow_up::int) >= 0.2 from {a} group by all",
        "PROACTIVE_FOLLOW_UP_SHARE",
    )
    put(
        f"""select dmw_code, year(loan_date), count(distinct aid_type) filter (where advice_given) >= 20
            from {parquet(zone, "dmw_aid_loans")} group by all""",
        "AID_TYPES",
    )
    alarms = parquet(zone, "dmw_personal_alarms")
    for year in YEARS:
        active = f"""(select * from {alarms} where start_date <= DATE '{year}-12-31'
                      and (end_date is null or end_date >= DATE '{year}-01-01'))"""
        put(
            f"select dmw_code, {year}, min(monthly_contribution) <= 27.49 from {active} group by all", "ALARM_PRICE_MAX"
        )
        put(
            f"select dmw_code, {year}, count(*) filter (where deposit > 0) = 0 from {active} group by all",
            "ALARM_NO_DEPOSIT",
        )
        put(
            f"select dmw_code, {year}, bool_or(reduced_contribution) from {active} group by all",
            "ALARM_REDUCTION_OFFERED",
        )
        ref = f"DATE '{year}-12-31'"
        put(
            f"""select dmw_code, {year}, coalesce(bool_and(dementia_training_on is not null
                    and dementia_training_on <= hired_on + to_months(24)), true)
                from {parquet(zone, "dmw_staff")} where role in ('MAATSCHAPPELIJK_WERKER', 'ERGOTHERAPEUT')
                and hired_on <= {ref} - to_months(24) and (left_on is null or left_on >= {ref}) group by all""",
            "STAFF_DEMENTIA_TRAINING",
        )
    return out


def test_clean_mode_dmw_norms_met(clean_zone):
    norms = dmw_norms(clean_zone)
    assert len(norms) == 5 * len(YEARS)
    failed = {key: [n for n, ok in v.items() if not ok] for key, v in norms.items() if not all(v.values())}
    assert failed == {}
    assert all(len(v) == 8 for v in norms.values())


def test_dmw_users_are_members_of_their_ziekenfonds(clean_zone):
    r, m = parquet(clean_zone, "dmw_registrations"), parquet(clean_zone, "members")
    assert (
        scalar(f"""select count(*) from {r} r where not exists (select 1 from {m} m where m.insz = r.insz
        and m.ziekenfonds_code = replace(r.dmw_code, 'DMW_', '') and m.affiliation_start <= r.registered_on
        and (m.affiliation_end is null or m.affiliation_end >= r.registered_on))""")
        == 0
    )
    for dmw, users in sql(f"select dmw_code, count(*) from {r} where year(registered_on) = 2022 group by 1"):
        assert users >= 50, dmw


# --- default mode: defects really occur ---------------------------------------------------------


def csv_rows(zone: Path, source: str) -> list[dict[str, str]]:
    rows = []
    for path in sorted((zone / source).glob("*.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle, delimiter=";"))
    return rows


def observed_rejectable(zone: Path, source_name: str) -> dict[str, int]:
    """Re-count the rejectable defects of a source from its files."""
    source = SOURCES[source_name]
    table = parquet(zone, source_name)
    found: dict[str, int] = {}
    rows = csv_rows(zone, source_name)
    if "insz" in source.column_names:
        values = [v for (v,) in sql(f"select insz from {table}")] + [r["insz"] for r in rows]
        found["malformed_insz"] = sum(not re.fullmatch(r"\d{11}", v) for v in values)
        found["bad_insz_checksum"] = sum(bool(re.fullmatch(r"\d{11}", v)) and not is_valid_insz(v) for v in values)
    dates = [c.name for c in source.columns if c.kind == "date"]
    if dates:
        bad = " or ".join(f"year({c}) < 1900 or year({c}) > 2050" for c in dates)
        found["impossible_date"] = scalar(f"select count(*) from {table} where {bad}")
        found["unparseable_date"] = sum(any(re.fullmatch(r"\d{4}-02-30", r[c]) for c in dates) for r in rows)
    if source.date_order:
        bad = " or ".join(f"{e} < {s}" for s, e in source.date_order)
        found["end_before_start"] = scalar(f"select count(*) from {table} where {bad}")
    coded = [c for c in source.columns if c.codes]
    if coded:
        bad = " or ".join(f"{c.name} not in ({', '.join(repr(v) for v in c.codes)})" for c in coded)
        found["unknown_code"] = scalar(f"select count(*) from {table} where {bad}")
    amounts = [c.name for c in source.columns if c.kind == "decimal"]
    if amounts:
        found["negative_amount"] = scalar(
            f"select count(*) from {table} where {' or '.join(f'{a} < 0' for a in amounts)}"
        )
    found["duplicate_row"] = scalar(
        f"select count(*) - (select count(*) from (select distinct * from {table})) from {table}"
    )
    return found


@pytest.mark.parametrize("source_name", [s for s in SOURCES if s not in ("finance_ledger", "staff_departments")])
def test_default_mode_rejectable_defects_are_in_the_files(default_zone, source_name):
    recorded = manifest(default_zone)["defects"][source_name]
    observed = observed_rejectable(default_zone, source_name)
    for kind, count in observed.items():
        assert count == recorded.get(kind, 0), kind
    expected = ["impossible_date", "unparseable_date", "duplicate_row"]
    if "insz" in SOURCES[source_name].column_names:
        expected += ["bad_insz_checksum", "malformed_insz"]
    for kind in expected:
        assert kind in observed and recorded[kind] >= 3, kind


def test_default_mode_share_of_rejectable_rows_is_small(default_zone):
    m = manifest(default_zone)
    rejectable = {
        "bad_insz_checksum",
        "malformed_insz",
        "impossible_date",
        "unparseable_date",
        "end_before_start",
        "unknown_code",
        "duplicate_row",
        "negative_amount",
        "unknown_titularis",
    }
    for source in ("members", "contributions", "zorgkas_payments"):
        bad = sum(n for k, n in m["defects"][source].items() if k in rejectable)
        assert 0.001 < bad / m["sources"][source]["rows"] < 0.02, source


def test_default_mode_unknown_titularis_and_overlaps(default_zone):
    recorded = manifest(default_zone)["defects"]["members"]
    m = parquet(default_zone, "members")
    orphans = scalar(f"""select count(*) from {m} d where titularis_insz is not null
        and titularis_insz not in (select insz from {m})""")
    assert orphans == recorded["unknown_titularis"] >= 3
    overlaps = sum(scalar(f"select count(*) - count(distinct insz) from {covered(default_zone, y)}") for y in YEARS)
    assert overlaps >= 1 and recorded["overlapping_membership"] >= 3


def test_default_mode_zorgkas_quality_defects_every_year(default_zone):
    d, p = parquet(default_zone, "zorgkas_dossiers"), parquet(default_zone, "zorgkas_payments")
    c, mu = parquet(default_zone, "contributions"), parquet(default_zone, "zorgkas_mutations")
    zzb = f"({d}) where pillar = 'ZZB' and decision = 'POSITIEF' and zorgkas_code = '380'"
    payments = f"""(select p.*, d.right_start, d.right_end, d.decided_on, strptime(p.for_month || '-01', '%Y-%m-%d')::date m
        from {p} p join {d} d using (dossier_id) where d.pillar = 'ZZB' and p.for_month like '20%')"""
    for year in YEARS:
        checks = {
            "late_invitation": f"""select count(*) from {c} where scheme = 'ZORGKAS_PREMIE' and contribution_year = {year}
                and invited_on > make_date({year}, 4, 30) and year(invited_on) = {year}""",
            "late_transmission": f"""select count(*) from {mu} where year(mutation_date) = {year}
                and transmitted_on - mutation_date > 30""",
            "incorrect_transmission": f"""select count(*) from {mu} where year(mutation_date) = {year}
                and not transmission_correct""",
            "wrong_right_start": f"""select count(*) from {zzb} and year(decided_on) = {year} and right_start <>
                date_trunc('month', received_on) + to_months(case residence when 'THUIS' then 3 else 1 end)""",
            "validity_too_long": f"""select count(*) from {zzb} and year(decided_on) = {year}
                and right_end >= right_start + to_months(60) and year(right_end) < 2099""",
            "payment_outside_right": f"""select count(*) from {payments} where year(m) = {year}
                and (m < date_trunc('month', right_start) or (right_end is not null and m > right_end))""",
            "late_payment": f"""select count(*) from {payments} where year(m) = {year} and year(paid_on) < 2099
                and not (paid_on <= last_day(m) or (m < date_trunc('month', decided_on) and paid_on <= decided_on + 30))""",
        }
        for kind, query in checks.items():
            assert scalar(query) >= 1, (kind, year)
    recorded = manifest(default_zone)["defects"]
    for source, kinds in {
        "contributions": ["late_invitation"],
        "zorgkas_mutations": ["late_transmission", "incorrect_transmission"],
        "zorgkas_dossiers": ["wrong_right_start", "validity_too_long"],
        "zorgkas_payments": ["payment_outside_right", "late_payment"],
    }.items():
        for kind in kinds:
            assert recorded[source][kind] >= len(YEARS), (source, kind)


def test_default_mode_some_dmw_misses_a_norm_every_year(default_zone):
    norms = dmw_norms(default_zone)
    for year in YEARS:
        assert any(not all(v.values()) for (dmw, y), v in norms.items() if y == year and dmw != "DMW_UNKNOWN"), year


def test_default_mode_rough_calibration(default_zone):
    for year in YEARS:
        counts = year_end_counts(default_zone, year)
        leden = counts["leden"]
        assert abs(leden - 32_500) <= 3_250, year
        assert 0.25 <= counts["vt_leden"] / leden <= 0.31, year
        assert 0.62 <= counts["titularissen"] / leden <= 0.72, year
    zk = scalar(f"""select count(distinct insz) from {parquet(default_zone, "zorgkas_affiliations")}
        where zorgkas_code = '380' and start_date <= DATE '2021-12-31'
        and (end_date is null or end_date >= DATE '2021-12-31')""")
    assert 8_800 <= zk <= 9_800
    active = scalar(f"""select count(*) from {parquet(default_zone, "zorgkas_dossiers")} where decision = 'POSITIEF'
        and right_start <= DATE '2023-12-31' and (right_end is null or right_end >= DATE '2023-12-31')""")
    assert 1_900 <= active <= 2_500


def test_published_tables_do_not_scale(default_zone):
    finance = sql(
        f"select entity, rubric, year, amount_eur from {parquet(default_zone, 'finance_ledger')} where year = 2021"
    )
    with open(REFERENCE / "solidaris_finance_2021.csv", newline="", encoding="utf-8") as handle:
        expected = [(r["entity"], r["rubric"], 2021, float(r["amount_eur"])) for r in csv.DictReader(handle)]
    assert sorted(finance) == sorted(expected)
    staff = sql(f"select sum(fte), count(*) from {parquet(default_zone, 'staff_departments')} where year = 2023")
    assert staff == [(4769.0, 17)]


# --- CSV format -----------------------------------------------------------------------------------


def test_csv_format_round_trips(tmp_path):
    as_csv, as_parquet = tmp_path / "csv", tmp_path / "parquet"
    generate(as_csv, YEARS, scale=0.002, seed=5, clean=True, fmt="csv", progress=False)
    generate(as_parquet, YEARS, scale=0.002, seed=5, clean=True, fmt="parquet", progress=False)
    polars_types = {
        "insz": pl.String,
        "str": pl.String,
        "code": pl.String,
        "postcode": pl.String,
        "month": pl.String,
        "date": pl.Date,
        "int": pl.Int32,
        "decimal": pl.Float64,
        "bool": pl.Boolean,
    }
    for source_name, source in SOURCES.items():
        schema = {c.name: polars_types[c.kind] for c in source.columns}
        files = sorted((as_csv / source_name).glob("*.csv"))
        assert [f.stem for f in files] == sorted(f.stem for f in (as_parquet / source_name).glob("*.parquet"))
        for path in files:
            text = path.read_text(encoding="utf-8")
            assert '"' not in text and "\r" not in text
            from_csv = pl.read_csv(path, separator=";", schema=schema, null_values=[""])
            from_parquet = pl.read_parquet(as_parquet / source_name / f"{path.stem}.parquet")
            assert from_csv.equals(from_parquet), path.name
    sample = (as_csv / "contributions" / "contributions_2021.csv").read_text().splitlines()[1].split(";")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", sample[6]) and sample[5] in ("true", "false")


def test_corrections_csv_follows_the_spec_dialect(default_zone):
    path = default_zone / "contributions" / "contributions_corrections_2023.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split(";") == SOURCES["contributions"].column_names
    assert any("-02-30" in line for line in lines) and any(re.search(r";\d\dO\d{8};", line) for line in lines)
    valid = [line.split(";") for line in lines[1:] if "-02-30" not in line and "O" not in line.split(";")[1]]
    assert len(valid) >= 5 and all(is_valid_insz(cells[1]) for cells in valid)


# --- profile solidaris ----------------------------------------------------------------------------


def largest_remainder(total: int, weights: list[int]) -> list[int]:
    quota = [total * w / sum(weights) for w in weights]
    base = [int(q) for q in quota]
    order = sorted(range(len(weights)), key=lambda i: (-(quota[i] - base[i]), i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def published_targets(scale: float) -> dict[int, dict]:
    """Year-end targets of the solidaris profile computed straight from the reference CSVs."""
    with open(REFERENCE / "solidaris_ziekenfondsen_2021.csv", newline="", encoding="utf-8") as handle:
        leden_2021 = {
            ZIEKENFONDS_BY_NAME[r["entity"]]: int(r["leden"])
            for r in csv.DictReader(handle)
            if r["entity_type"] == "ziekenfonds"
        }
    with open(REFERENCE / "solidaris_key_figures.csv", newline="", encoding="utf-8") as handle:
        key = {(int(r["year"]), r["metric"]): float(r["value"]) for r in csv.DictReader(handle)}
    weights = [leden_2021[z] for z in ZIEKENFONDSEN]
    out = {}
    for year in YEARS:
        full = weights if year == 2021 else largest_remainder(int(key[(year, "leden")]), weights)
        out[year] = {
            "per_zf": {z: int(np.floor(n * scale + 0.5)) for z, n in zip(ZIEKENFONDSEN, full)},
            "titularissen": int(np.floor(key[(year, "titularissen")] * scale + 0.5)),
            "vt_leden": int(np.floor(key[(year, "vt_leden")] * scale + 0.5)),
        }
    return out


def assert_exact_solidaris(zone: Path, scale: float) -> None:
    for year, target in published_targets(scale).items():
        counts = year_end_counts(zone, year)
        assert counts["per_zf"] == target["per_zf"], year
        assert counts["leden"] == sum(target["per_zf"].values()), year
        assert counts["titularissen"] == target["titularissen"], year
        assert counts["vt_leden"] == target["vt_leden"], year


def test_solidaris_profile_exact_at_small_scale(tmp_path):
    generate(tmp_path, YEARS, scale=0.002, seed=1, clean=True, profile="solidaris", progress=False)
    assert_exact_solidaris(tmp_path, 0.002)
    assert published_targets(1.0)[2021]["per_zf"]["SOL_WAL"] == 1_238_428


@pytest.mark.slow
def test_solidaris_profile_exact_at_full_scale(tmp_path):
    generate(tmp_path, YEARS, scale=1.0, seed=42, clean=True, profile="solidaris", progress=False)
    assert_exact_solidaris(tmp_path, 1.0)
    targets = published_targets(1.0)
    assert sum(targets[2021]["per_zf"].values()) == 3_252_667
    assert targets[2023]["titularissen"] == 2_251_603 and targets[2023]["vt_leden"] == 948_948


def test_parameters_are_checked(tmp_path):
    for kwargs in ({"profile": "other"}, {"fmt": "xlsx"}, {"scale": 0}):
        with pytest.raises(ValueError):
            generate(tmp_path, YEARS, progress=False, **kwargs)
    with pytest.raises(ValueError):
        generate(tmp_path, [], progress=False)


def test_other_year_ranges(tmp_path):
    generate(tmp_path, [2019, 2020], scale=0.002, seed=2, clean=True, progress=False)
    m = manifest(tmp_path)
    assert m["parameters"]["years"] == [2019, 2020]
    assert sorted(m["sources"]["contributions"]["files"])[:2] == [
        "contributions_2019.parquet",
        "contributions_2020.parquet",
    ]
    finance_years = {y for (y,) in sql(f"select distinct year from {parquet(tmp_path, 'finance_ledger')}")}
    assert finance_years == {2019, 2020}
    first, last = sql(f"select min(registered_on), max(registered_on) from {parquet(tmp_path, 'dmw_registrations')}")[0]
    assert date(2019, 1, 1) <= first and last <= date(2020, 12, 31)
