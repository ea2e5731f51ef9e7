"""``make ui``: ``dagster dev`` on the demo's ``DAGSTER_HOME``, stopped by Ctrl-C within 10 s.

The Makefile ``exec``s this module, so no shell stands between make and it. It starts ``dagster
dev`` as a child in the same process group: a terminal's Ctrl-C (SIGINT to the foreground group)
reaches make, this process, ``dagster dev``, the webserver, the daemon and the code server at once,
and Dagster shuts them down gracefully. That shutdown has no bound of its own: the daemon joins
each of its threads for up to 30 s and ``dagster dev`` waits up to 60 s per service; on a busy
machine it took 10-40 s. So a Dagster service still running ``TERM_AFTER`` seconds after the
interrupt gets SIGTERM, and SIGKILL at ``KILL_AFTER``. Run workers are left alone: they received the
same SIGINT and report their run as interrupted themselves (killed, a run would stay STARTED).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

TERM_AFTER, KILL_AFTER = 6.0, 8.5
# Module names in the command lines of dagster dev's own services (what may be stopped hard).
SERVICES = ("dagster dev", "dagster_webserver", "dagster._daemon", "dagster code-server", "dagster api grpc")


def _process_table() -> dict[int, tuple[int, str]]:
    """{pid: (parent pid, command line)} of the live processes (zombies left out)."""
    return {pid: (ppid, command) for pid, (ppid, _, command) in _process_groups().items()}


def _process_groups() -> dict[int, tuple[int, int, str]]:
    """{pid: (parent pid, process group, command line)} of the live processes (zombies left out)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] not in "ZX":
            table[int(entry.name)] = (int(fields[1]), int(fields[2]), command)
    return table


def group_services(known: dict[int, str]) -> dict[int, str]:
    """The Dagster services to wait for after an interrupt: those seen under ``dagster dev``, and
    any other in this process group, which Dagster's services share. A service started after the
    last look (a code server the daemon or webserver restarts while shutting down) or whose parent
    already exited (re-parented, no longer under ``dagster dev``) is still found by its group."""
    group, me = os.getpgrp(), os.getpid()
    return {
        pid: command
        for pid, (_, pgrp, command) in _process_groups().items()
        if pid != me and (pid in known or (pgrp == group and any(name in command for name in SERVICES)))
    }


def descendants(root: int) -> dict[int, str]:
    table = _process_table()
    found: dict[int, str] = {}
    parents = {root}
    while parents:
        children = {pid for pid, (ppid, _) in table.items() if ppid in parents and pid not in found}
        found.update({pid: table[pid][1] for pid in children})
        parents = children
    return found


def services(processes: dict[int, str]) -> dict[int, str]:
    return {pid: command for pid, command in processes.items() if any(name in command for name in SERVICES)}


def _label(command: str) -> str:
    return next((name for name in SERVICES if name in command), command[:40])


def _signal(pids, signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make ui", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    from mutwh.home import Home, HomeError
    from orchestration.instance import prepare_dagster_home

    try:
        prepare_dagster_home(Home.from_env().ensure())
    except HomeError as error:  # an unusable $MUTWH_HOME is a configuration error (SPEC §3)
        print(f"error: {error}", file=sys.stderr)
        return 2
    interrupted: list[tuple[float, int]] = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda received, _: interrupted.append((time.monotonic(), received)))

    dagster = Path(sys.executable).parent / "dagster"
    command = [str(dagster), "dev", "-m", "orchestration.definitions", "-h", args.host, "-p", str(args.port)]
    child = subprocess.Popen(command)
    known: dict[int, str] = {}
    while child.poll() is None and not interrupted:
        known = {child.pid: "dagster dev", **services(descendants(child.pid))}  # before Ctrl-C orphans them
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=2)
    if child.poll() is not None:
        return child.returncode
    started, received = interrupted[0]
    if received == signal.SIGTERM:  # sent to this process alone; Ctrl-C already reached dagster dev
        _signal([child.pid], signal.SIGINT)
    known.update(services(descendants(child.pid)))
    for limit, signum in ((TERM_AFTER, signal.SIGTERM), (KILL_AFTER, signal.SIGKILL)):
        while (left := group_services(known)) and time.monotonic() - started < limit:
            known.update(left)
            time.sleep(0.2)
            child.poll()
        if not left:
            break
        names = ", ".join(sorted({_label(command) for command in left.values()}))
        print(f"make ui: still stopping after {limit:.0f} s ({names}): {signal.Signals(signum).name}", file=sys.stderr)
        _signal(left, signum)
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=1)
    return 0 if child.returncode == 0 else 128 + received  # the interrupt, not the SIGKILL, ended it


if __name__ == "__main__":
    sys.exit(main())
