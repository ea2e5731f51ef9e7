"""The benchmark harness measures what it says (issue 7); no timing is asserted, only that the
numbers are taken from the right processes."""

import sys

from benchmarks.bench import measure, render

# A parent that starts a child holding ~300 MiB while the parent itself holds ~150 MiB.
TWO_PROCESSES = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "b = b'x' * (300 * 2**20); import time; time.sleep(2.0)"])
a = b'y' * (150 * 2**20)  # written, so resident (a zeroed buffer may not be)
time.sleep(1.5)
child.wait()
print('{"rows": 7}')
"""

# one stage of a report, and the machine it ran on, for the tests of render()
STAGE = {"stage": "x", "wall_s": 1.0, "cpu_s": 1.0, "peak_rss_mib": 1.0, "rows": 1, "command": "x", "rows_per_s": 1.0}
MACHINE = {"cores": 2, "memory_gib": 23.5, "python": "3.11", "platform": "linux"}


def test_measure_samples_the_whole_process_tree():
    m = measure("two processes", [sys.executable, "-c", TWO_PROCESSES], env={})
    assert m.rows == 7, "the stage's JSON line gives its rows"
    # wait4 gives the largest single process (Linux keeps a forked child's maximum across exec,
    # so it can include the forking test process, hence no upper bound); the sampled tree adds
    # parent and child, which no single process reaches.
    assert m.peak_rss_mib >= 280
    assert m.peak_tree_mib >= 420, "parent and child together, sampled while both were alive"
    assert m.wall_s >= 2.0 and m.cpu_s > 0


def test_report_checks_the_budget_against_all_processes():
    stage = {
        "stage": "dbt build",
        "wall_s": 10.0,
        "cpu_s": 9.0,
        "peak_rss_mib": 100.0,
        "peak_tree_mib": 9000.0,
        "rows": 10,
        "command": "x",
        "rows_per_s": 1.0,
    }
    e2e = {**stage, "stage": "mutwh run (end to end)", "peak_rss_mib": 7000.0}
    result = {"scale": 1.0, "stages": [stage], "end_to_end": e2e, "incremental": None, "lower_bound_s": 2.0}
    text = render([result], {"cores": 2, "memory_gib": 23.5, "python": "3.11", "platform": "linux"}, 42, "2021-2023")
    assert "9,000.0 MiB of all its processes together" in text
    assert "Target ≤ 60 s and ≤ 3 GiB (all processes): **NOT met**" in text, "10 s but 9 000 MiB over 3 GiB"
    assert "| 1 | Solidaris-sized landsbond | ≤ 60 s and ≤ 3 GiB (all processes) | 10.0 s, 8.79 GiB |" in text
    assert "| 3.5 | national scale, memory flat in scale | – | not measured in this run |" in text


def test_report_says_where_the_end_to_end_run_spent_its_time(tmp_path):
    """The Dagster event log of the end-to-end run, read back from the home it used: time outside
    the runs, before the first step, and per step; the hand-kept profiles are appended."""
    import dagster as dg

    from benchmarks.bench import dagster_step_profile

    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    @dg.asset
    def raw__members() -> None:
        pass

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        assert dg.materialize([raw__members], instance=instance).success
    profile = dagster_step_profile(tmp_path, wall_s=30.0)
    assert [s["step"] for s in profile["slowest_steps"]] == ["raw__members"]
    (run,) = profile["runs"]
    assert run["partition"] == "" and run["events"] > 3 and 0 <= run["before_first_step"] <= run["seconds"]
    assert profile["outside_runs_s"] == round(30.0 - run["seconds"], 1)

    stage = STAGE
    result = {
        "scale": 0.001,
        "stages": [stage],
        "end_to_end": stage,
        "incremental": None,
        "lower_bound_s": 1.0,
        "dagster_steps": profile,
    }
    text = render([result], MACHINE, 42, "2021-2023")
    assert "s outside every run" in text and "`raw__members`" in text
    assert "## Profiles by hand" in text


def test_report_says_when_the_end_to_end_run_published_nothing(tmp_path):
    """``mutwh run`` exits 1 when a blocking check fails (at scale 3.5 one landsbond outgrows the
    national totals): its time then leaves out the exports, and the report says so, naming the
    failed dbt nodes from run_results.json; the exit code comes from the process itself."""
    import json

    from benchmarks.bench import dbt_node_profile

    failing = measure("exits 1", [sys.executable, "-c", "import sys; sys.exit(1)"], env={})
    assert failing.exit_code == 1
    run_results = tmp_path / "run_results.json"
    run_results.write_text(
        json.dumps(
            {
                "results": [
                    {
                        "unique_id": "test.mutwh.assert_membership_stocks_are_consistent",
                        "status": "fail",
                        "execution_time": 1.0,
                    },
                    {"unique_id": "model.mutwh.fct_membership_year", "status": "success", "execution_time": 2.0},
                ]
            }
        )
    )
    nodes = dbt_node_profile(run_results)
    assert nodes["failed"] == ["assert_membership_stocks_are_consistent"]
    stage = STAGE
    info = MACHINE
    result = {"scale": 3.5, "stages": [stage], "incremental": None, "lower_bound_s": 1.0, "dbt_nodes": nodes}
    text = render([{**result, "end_to_end": {**stage, "exit_code": 1}}], info, 42, "2021-2023")
    assert "exited 1: a blocking check failed (`assert_membership_stocks_are_consistent`)" in text
    assert "published nothing" not in render([{**result, "end_to_end": stage}], info, 42, "2021-2023")
