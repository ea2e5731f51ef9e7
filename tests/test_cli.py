"""``mutwh validate`` and argument handling (SPEC §3 exit codes)."""

import os
import subprocess
import sys
from pathlib import Path

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


def test_the_mutwh_command_exits_at_once_with_its_output_and_code(home):
    """The console script skips the interpreter's teardown (``orchestration.cli.console``): what
    it printed must still all arrive through a pipe, in order, with the command's exit code."""
    good = make_insz("850730033", False)
    rows = [{"insz": good, "start_date": f"2021-02-{30 + i % 2}"} for i in range(3000)]  # all invalid
    write_csv(home / "landing", "vt_periods", "v.csv", rows)
    mutwh = Path(sys.executable).with_name("mutwh")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a pipe: block-buffered output
    done = subprocess.run([str(mutwh), "validate"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    problems = [line for line in done.stdout.splitlines() if line.startswith("vt_periods/v.csv:")]
    assert len(problems) == 3000
    assert problems[-1].startswith("vt_periods/v.csv:3000:")  # the last row's line, printed last
    (home / "landing" / "members").mkdir()
    (home / "landing" / "members" / "bad.csv").write_text("insz,birth_date\n")
    refused = subprocess.run([str(mutwh), "validate"], capture_output=True, text=True, env=env, timeout=120)
    assert refused.returncode == 1 and "refused:" in refused.stdout
    usage = subprocess.run([str(mutwh), "frobnicate"], capture_output=True, text=True, env=env, timeout=60)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr
