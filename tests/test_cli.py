"""``mutwh validate`` and argument handling (SPEC §3 exit codes)."""

from conftest import write_csv

from orchestration.cli import main, parse_years
from sources.insz import make_insz


def test_parse_years():
    assert parse_years("2021-2023") == [2021, 2022, 2023]
    assert parse_years("2023") == [2023]


def test_usage_errors_exit_2(capsys):
    assert main(["generate", "--years", "2023-2021"]) == 2
    assert main(["frobnicate"]) == 2


def test_validate_prints_one_line_per_problem_and_exits_0_for_row_problems(home, capsys):
    good = make_insz("850730033", False)
    write_csv(
        home / "landing",
        "vt_periods",
        "v.csv",
        [
            {"insz": good, "start_date": "2020-01-01"},
            {"insz": good[:-2] + "00", "start_date": "2020-01-01"},
            {"insz": good, "start_date": "2021-02-30"},
        ],
    )
    assert main(["validate", str(home / "landing")]) == 0
    out = capsys.readouterr().out
    assert "vt_periods/v.csv:2: insz: INSZ check digits do not match (mod 97)" in out
    assert "vt_periods/v.csv:3: start_date: not a valid date" in out
    assert good not in out


def test_validate_exits_1_when_a_file_is_refused(home, capsys):
    (home / "landing" / "members").mkdir()
    (home / "landing" / "members" / "bad.csv").write_text("insz,birth_date\n")
    assert main(["validate"]) == 1
    assert "refused:" in capsys.readouterr().out


def test_validate_missing_directory_is_a_usage_error(tmp_path):
    assert main(["validate", str(tmp_path / "nope")]) == 2


def test_validate_warns_about_a_misspelt_source_folder(home, capsys):
    (home / "landing" / "vt_period").mkdir()
    (home / "landing" / "vt_period" / "v.csv").write_text("insz;start_date;end_date\n")
    assert main(["validate"]) == 0
    assert "vt_period: not a source of the landing contract, not loaded" in capsys.readouterr().out
