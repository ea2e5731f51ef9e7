"""A partition outside the loaded data (issue 13, point 8).

The picker offers every calendar year since 2018 (the 15 January schedule asks for the year that
ended before its run has ingested it); a run for a year or month that is not in the warehouse once
ingested and built fails with a message naming the loaded periods and publishes nothing.
"""

from __future__ import annotations


def test_a_year_that_is_not_loaded_fails_clearly_and_publishes_nothing(demo_copy, demo_home):
    assert (demo_home / "exports" / "2023").is_dir()  # the loaded years pass the same guard

    result = demo_copy.run(".venv/bin/mutwh run --job annual_report --partition 2019", check=False, timeout=900)

    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-4000:]
    assert "2019 is not a loaded reporting year; loaded: 2021, 2022, 2023" in result.stderr
    assert not (demo_copy.mutwh_home / "exports" / "2019").exists()


def test_a_dmw_month_outside_the_data_fails_clearly_and_publishes_nothing(demo_copy):
    result = demo_copy.run(".venv/bin/mutwh run --job dmw_monthly --partition 2019-05-01", check=False, timeout=900)

    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-4000:]
    assert "2019-05 is not a loaded DMW month; loaded: 2021-01 to 2021-12, 2022-01 to 2022-12, 2023-01" in result.stderr
    assert not (demo_copy.mutwh_home / "exports" / "2019").exists()
