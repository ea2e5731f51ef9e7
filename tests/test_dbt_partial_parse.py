"""dbt start-up (issue 20): a run in a data directory other than the one ``make manifest`` parsed
with must not re-parse the whole project every time. dbt keeps its parse per ``$MUTWH_HOME``
(``$MUTWH_HOME/dbt/target``), so from the second dbt invocation in a home on, partial parsing is used.
"""

from __future__ import annotations

import json
import subprocess

from orchestration.dbt_command import DBT_PROJECT_DIR, PARTIAL_PARSE_FILE, dbt_executable, dbt_target_path

PROFILE_CHANGED = "Unable to do partial parsing"


def _parse(target) -> str:
    """``dbt parse`` into ``target`` as the pipeline's builds use it; dbt's log of that invocation."""
    log = target / "dbt.log"
    log.unlink(missing_ok=True)
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(target),
        ],
        check=True,
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
    )
    return log.read_text(encoding="utf-8")


def test_a_second_dbt_invocation_in_a_new_home_parses_partially(home):
    target = dbt_target_path()
    assert target == home / "dbt" / "target", "dbt writes under $MUTWH_HOME, never a shared folder"

    _parse(target)  # the first in this home: the build-time parse was made for another home
    assert (target / PARTIAL_PARSE_FILE).exists()
    second = _parse(target)

    assert PROFILE_CHANGED not in second, [line for line in second.splitlines() if PROFILE_CHANGED in line][:1]
    perf = json.loads((target / "perf_info.json").read_text(encoding="utf-8"))
    assert perf["is_partial_parse_enabled"] and perf["parsed_path_count"] == 0, perf
