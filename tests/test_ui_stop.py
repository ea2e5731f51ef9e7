"""After Ctrl-C, ``make ui`` waits for (and then stops) every Dagster service of its process group,
not only those it saw under ``dagster dev`` before the interrupt (orchestration/ui.py).

A code server started while the daemon or webserver shut down, or one whose parent had already
exited, was missed by the parent-child walk and outlived the 10 s that README promises.
"""

from __future__ import annotations

import subprocess
import sys

from orchestration.ui import group_services

SLEEPER = "import sys, time; time.sleep(float(sys.argv[1]))"


def _spawn(*, own_group: bool) -> subprocess.Popen:
    # the command line carries what a code server's does ("dagster api grpc")
    return subprocess.Popen(
        [sys.executable, "-c", SLEEPER, "30", "dagster", "api", "grpc"], start_new_session=own_group
    )


def test_a_service_of_the_group_is_found_without_having_been_seen():
    same, other = _spawn(own_group=False), _spawn(own_group=True)
    try:
        found = group_services({})
        assert same.pid in found and "dagster api grpc" in found[same.pid]
        assert other.pid not in found, "a process of another group is not make ui's to stop"
    finally:
        for process in (same, other):
            process.kill()
            process.wait()
    assert same.pid not in group_services({})


def test_a_process_already_known_is_followed_whatever_its_group():
    other = _spawn(own_group=True)
    try:
        assert other.pid in group_services({other.pid: "dagster_webserver"})
    finally:
        other.kill()
        other.wait()
