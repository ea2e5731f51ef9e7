"""The plain-SQL baseline (issue 20): what an analyst would write instead of this product — one
DuckDB script that reads the landing files as they are and computes the same figures with the same
formulas (SPEC §5): the membership stocks per ziekenfonds and for the landsbond, the six zorgkas
indicators' population and compliant rows per zorgkas, and the DMW activity norms per erkende DMW.

It does none of what the product adds: no validation, no quarantine, no pseudonyms, no tests, no
exports. So on a landing zone without defects (``mutwh generate --clean``) its figures equal the
marts — ``tests/test_plain_sql.py`` checks that — and its time is the yardstick ``make bench`` puts
the pipeline against. The zorgkas rule parameters come from the seed, as in the product.

    python -m benchmarks.plain_sql <landing folder> <first year> <last year>
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import duckdb

from sources.contract import RAW_SQL_TYPES, SOURCES

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"
PLAIN_SOURCES = (
    "members",
    "vt_periods",
    "contributions",
    "zorgkas_dossiers",
    "zorgkas_payments",
    "zorgkas_mutations",
    "dmw_registrations",
    "dmw_proactive_actions",
    "dmw_housing_advice",
    "dmw_aid_loans",
    "dmw_personal_alarms",
)
BEGELEIDING = "('TRAJECTBEGELEIDING', 'PSYCHOSOCIAAL_VERLIES', 'ZORGBEGELEIDING_COMPLEX', 'ERGOTHERAPEUTISCH')"


def _typed(value: str, kind: str, name: str | None = None) -> str:
    """The column as the contract types it; a month (YYYY-MM) is its first day."""
    if kind == "month":
        return f"try_cast(left(cast({value} as varchar), 7) || '-01' as date) as {name or value}"
    return f"try_cast({value} as {RAW_SQL_TYPES[kind]}) as {name or value}"


def _create_views(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    """One view per source over its Parquet and CSV files, typed as the contract says."""
    for name in PLAIN_SOURCES:
        source = SOURCES[name]
        folder = landing / name
        casts = ", ".join(_typed(c.name, c.kind) for c in source.columns)
        # a value the type refuses (2019-02-30) is left empty, as an analyst's script would; nullif
        # keeps DuckDB from pushing a strict cast into its CSV reader
        text_casts = ", ".join(_typed(f"nullif({c.name}, '')", c.kind, c.name) for c in source.columns)
        parts = []
        parquet = [str(p) for p in sorted(folder.glob("*.parquet"))]
        if parquet:
            parts.append(f"select {casts} from read_parquet({parquet}, union_by_name = true)")
        csv_files = [str(p) for p in sorted(folder.glob("*.csv"))]
        if csv_files:
            options = "delim = ';', header = true, all_varchar = true, union_by_name = true"
            parts.append(f"select {text_casts} from read_csv({csv_files}, {options})")
        if not parts:
            columns = ", ".join(f"cast(null as {RAW_SQL_TYPES[c.kind]}) as {c.name}" for c in source.columns)
            parts.append(f"select {columns} where false")
        con.execute(f"create view {name} as " + " union all ".join(parts))


def _parameters() -> dict[str, dict[str, str]]:
    with (SEEDS / "zorgkas" / "zorgkas_indicator_parameters.csv").open(encoding="utf-8", newline="") as f:
        return {r["indicator"]: r for r in csv.DictReader(f)}


def _own_zorgkas() -> str:
    with (SEEDS / "zorgkassen.csv").open(encoding="utf-8", newline="") as f:
        return next(r["zorgkas_code"] for r in csv.DictReader(f) if r["is_own"] == "true")


def membership_sql() -> str:
    """leden, titularissen, vt_leden on 31/12 per ziekenfonds and for the landsbond (ALL): a person
    covered by two periods counts once, in the one with the latest affiliation_start."""
    return """
    with covered as (
        select
            years.year, m.insz, m.ziekenfonds_code, m.member_type,
            row_number() over (
                partition by years.year, m.insz order by m.affiliation_start desc, m.ziekenfonds_code desc
            ) as pick
        from years
        inner join members as m
            on m.affiliation_start <= make_date(years.year, 12, 31)
            and (m.affiliation_end is null or m.affiliation_end >= make_date(years.year, 12, 31))
    ),
    vt as (
        select distinct years.year, v.insz
        from years
        inner join vt_periods as v
            on v.start_date <= make_date(years.year, 12, 31)
            and (v.end_date is null or v.end_date >= make_date(years.year, 12, 31))
    )
    select
        covered.year,
        coalesce(covered.ziekenfonds_code, 'ALL') as ziekenfonds_code,
        count(*) as leden,
        count(*) filter (where covered.member_type = 'TITULARIS') as titularissen,
        count(vt.insz) as vt_leden
    from covered
    left join vt on covered.year = vt.year and covered.insz = vt.insz
    where covered.pick = 1
    group by grouping sets ((covered.year, covered.ziekenfonds_code), (covered.year))
    """


def zorgkas_sql() -> str:
    """population and compliant rows of I1-I6 per year and zorgkas (SPEC §5, seed parameters)."""
    p = _parameters()
    i1, i2, i3, i4, i6 = p["I1"], p["I2"], p["I3"], p["I4"], p["I6"]
    return f"""
    with zzb as (
        select * from zorgkas_dossiers where pillar = 'ZZB'
    ),
    payments as (
        select
            cast(extract(year from pay.for_month) as integer) as year, zzb.zorgkas_code, pay.for_month,
            pay.paid_on, zzb.decision, zzb.decided_on, zzb.right_start, zzb.right_end
        from zorgkas_payments as pay
        inner join zzb on pay.dossier_id = zzb.dossier_id
    ),
    rows as (
        select contribution_year as year, '{_own_zorgkas()}' as zorgkas_code, 'I1' as indicator,
            coalesce(invited_on <= make_date(contribution_year, {i1["deadline_month"]}, {i1["deadline_day"]}), false)
                as compliant
        from contributions where scheme = 'ZORGKAS_PREMIE'
        union all
        select cast(extract(year from mutation_date) as integer), zorgkas_code, 'I2',
            coalesce(date_diff('day', mutation_date, transmitted_on) <= {i2["transmission_max_days"]}
                and transmission_correct, false)
        from zorgkas_mutations
        union all
        select cast(extract(year from decided_on) as integer), zorgkas_code, 'I3',
            coalesce(right_start = cast(date_trunc('month', received_on) + to_months(
                case residence when 'THUIS' then {i3["start_offset_months_thuis"]}
                    else {i3["start_offset_months_residentieel"]} end) as date), false)
        from zzb where decision = 'POSITIEF'
        union all
        select cast(extract(year from decided_on) as integer), zorgkas_code, 'I4',
            right_end <= cast(right_start + to_months({i4["max_validity_months"]}) - interval 1 day as date)
        from zzb where decision = 'POSITIEF' and right_end is not null
        union all
        select year, zorgkas_code, 'I5',
            coalesce(decision = 'POSITIEF' and for_month >= date_trunc('month', right_start)
                and (right_end is null or for_month <= right_end), false)
        from payments
        union all
        select year, zorgkas_code, 'I6',
            paid_on <= last_day(for_month)
            or (for_month < date_trunc('month', decided_on)
                and paid_on <= decided_on + to_days({i6["back_payment_grace_days"]}))
        from payments
    )
    select rows.year, zorgkas_code, indicator, count(*) as population,
        count(*) filter (where compliant) as compliant
    from rows
    inner join years on rows.year = years.year
    group by all
    """


def dmw_sql() -> str:
    """achieved of the DMW activity norms per year and erkende DMW (users: distinct persons)."""
    return f"""
    with registrations as (
        select cast(extract(year from registered_on) as integer) as year, * from dmw_registrations
    ),
    alarm_years as (
        select years.year, a.*
        from years
        inner join dmw_personal_alarms as a
            on a.start_date <= make_date(years.year, 12, 31)
            and (a.end_date is null or a.end_date >= make_date(years.year, 1, 1))
    ),
    figures as (
        select year, dmw_code, 'USERS_REACHED' as norm_code, count(distinct insz) as achieved
        from registrations group by all
        union all
        select year, dmw_code, 'USERS_BEGELEIDING', count(distinct insz)
        from registrations where typemodule in {BEGELEIDING} group by all
        union all
        select year, dmw_code, 'USERS_ERGO', count(distinct insz)
        from registrations where typemodule = 'ERGOTHERAPEUTISCH' group by all
        union all
        select year, dmw_code, 'USERS_HANDICAP_DEMENTIA', count(distinct insz)
        from registrations where handicap or dementia <> 'NONE' group by all
        union all
        select year, dmw_code, 'ZORGBEHOEFTE_SHARE',
            count(distinct insz) filter (where zorgbehoefte) / count(distinct insz)
        from registrations group by all
        union all
        select cast(extract(year from action_date) as integer), dmw_code, 'PROACTIVE_TARGET_GROUPS',
            count(distinct lower(trim(target_group)))
        from dmw_proactive_actions group by all
        union all
        select cast(extract(year from action_date) as integer), dmw_code, 'PROACTIVE_FOLLOW_UP_SHARE',
            count(*) filter (where follow_up) / count(*)
        from dmw_proactive_actions group by all
        union all
        select cast(extract(year from advice_date) as integer), dmw_code, 'HOUSING_ADVICE', count(*)
        from dmw_housing_advice group by all
        union all
        select cast(extract(year from loan_date) as integer), dmw_code, 'AID_TYPES',
            count(distinct lower(trim(aid_type)))
        from dmw_aid_loans where advice_given group by all
        union all
        select year, dmw_code, 'PERSONAL_ALARMS', count(*) from alarm_years group by all
    )
    select figures.year, dmw_code, norm_code, cast(achieved as double) as achieved
    from figures
    inner join years on figures.year = years.year
    """


def compute(landing: Path, first_year: int, last_year: int, con: duckdb.DuckDBPyConnection | None = None) -> dict:
    """The three result tables as lists of tuples, sorted."""
    con = con or duckdb.connect()
    _create_views(con, landing)
    con.execute(f"create table years as select unnest(range({first_year}, {last_year + 1})) as year")
    return {
        name: sorted(con.sql(sql).fetchall())
        for name, sql in (("membership", membership_sql()), ("zorgkas", zorgkas_sql()), ("dmw", dmw_sql()))
    }


def main(argv: list[str]) -> None:
    landing, first, last = Path(argv[0]), int(argv[1]), int(argv[2])
    results = compute(landing, first, last)
    print(json.dumps({name: len(rows) for name, rows in results.items()}))


if __name__ == "__main__":
    main(sys.argv[1:])
