"""The plain-SQL baseline of ``make bench`` (benchmarks/plain_sql.py) computes the same figures as
the marts: on a generated landing zone without defects, ingested and built as the product does,
its membership stocks, zorgkas indicator rows and DMW activity figures equal the marts' — so the
multiple ``make bench`` reports compares like with like (issue 20)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support.spec import DMW_ACTIVITY_NORM_CODES

from benchmarks.plain_sql import compute

YEARS = (2021, 2023)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A clean landing zone, ingested source by source and built with the production dbt build."""
    from benchmarks import stages
    from mutwh.home import Home
    from sources.contract import SOURCES
    from sources.generator import generate

    root = tmp_path_factory.mktemp("plain_sql")
    generate(root / "landing", list(range(YEARS[0], YEARS[1] + 1)), scale=0.002, seed=7, clean=True, progress=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MUTWH_HOME", str(root))
        mp.delenv("MUTWH_TARGET", raising=False)
        mp.delenv("MUTWH_PSEUDONYM_KEY", raising=False)
        home = Home.from_env()
        for name in SOURCES:
            stages.ingest(home, name)
        stages.dbt(home)
    return root


def test_plain_sql_computes_the_figures_of_the_marts(built):
    plain = compute(built / "landing", *YEARS)
    with duckdb.connect(str(built / "warehouse.duckdb"), read_only=True) as con:
        membership = con.sql(
            "select year, ziekenfonds_code, leden, titularissen, vt_leden from marts.fct_membership_year"
        ).fetchall()
        zorgkas = con.sql(
            "select year, zorgkas_code, indicator, population, compliant from marts.fct_zorgkas_indicator_year"
            " where population > 0"
        ).fetchall()
        dmw = con.sql(
            "select year, dmw_code, norm_code, cast(achieved as double) from marts.fct_dmw_norm_year"
            f" where not is_landsbond_total and achieved <> 0 and norm_code in {DMW_ACTIVITY_NORM_CODES}"
        ).fetchall()
    in_scope = {(y, d) for y, d, _, _ in dmw}
    plain_dmw = [(y, d, n, round(a, 6)) for y, d, n, a in plain["dmw"] if (y, d) in in_scope and a]
    assert membership and zorgkas and dmw
    assert plain["membership"] == sorted(membership)
    assert plain["zorgkas"] == sorted(zorgkas)
    assert sorted(plain_dmw) == sorted(dmw)
    assert {n for _, _, n, _ in dmw} == set(DMW_ACTIVITY_NORM_CODES)  # every norm of the baseline is compared
