"""``mutwh-dbt``: dbt, started so that it dies with the process that started it.

A ``mutwh run`` killed with SIGKILL (an operator, the OOM killer) cannot stop its children, and an
orphaned dbt kept writing the warehouse for a minute and more, holding the DuckDB file so that the
next run failed on its lock. This console script asks Linux to send it SIGKILL when its parent
dies (``prctl(PR_SET_PDEATHSIG)``, kept across ``exec``) and then becomes the venv's ``dbt``.
It is the ``dbt_executable`` of the pipeline (``orchestration.dbt_command``), and runs dbt in
``$MUTWH_HOME``, where the DuckDB profile's relative path points.

Kept free of product imports: it runs once per dbt invocation, before dbt's own start-up.

dbt's start-up (importing dbt and its adapter, ~3 s of every build whatever the data) can be paid
ahead: a run that will build with dbt starts ``DbtServer`` when it sets up its resources, while
ingestion runs. The server imports dbt, then waits on a socket for one request. ``mutwh-dbt``
then hands it its command line, environment, working directory and standard streams (the file
descriptors themselves, so dagster-dbt reads dbt's events from the pipe it made, as before) and
waits for dbt's exit code; a signal it receives (Ctrl-C, dagster-dbt stopping dbt) is passed on,
and a server whose ``mutwh-dbt`` dies kills itself. When no server answers, ``mutwh-dbt`` becomes
dbt as before. The socket is in Linux's abstract namespace (no file, nothing to clean up) and the
server serves only a process of its own user (``SO_PEERCRED``).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
import threading
from pathlib import Path

PR_SET_PDEATHSIG = 1
PARENT_ENV = "MUTWH_DBT_PARENT_PID"  # set by orchestration.dbt_command.before_dbt
SERVER_ENV = "MUTWH_DBT_SERVER"  # the abstract socket name of a started DbtServer, set by its starter
LISTENING = b"L"  # told the starter on standard output
_STARTED = b"S"  # the server has taken the streams: dbt runs, the request cannot be retried
_LENGTH = struct.Struct("!Q")
_PEERCRED = struct.Struct("3i")  # pid, uid, gid


def die_with_parent() -> bool:
    """True when the parent-death signal is set (Linux); False where there is no prctl."""
    if not sys.platform.startswith("linux"):
        return False
    parent = int(os.environ.get(PARENT_ENV) or os.getppid())
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return False
    if os.getppid() != parent and not _alive(parent):  # died before the signal was armed: nobody sends it
        os.kill(os.getpid(), signal.SIGKILL)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def enter_home() -> None:
    """Run dbt in ``$MUTWH_HOME``: the DuckDB profile names the warehouse relative to the working
    directory (``warehouse.duckdb``), so that the profile, and with it dbt's saved parse, is the
    same for every data directory. The project and profiles stay where the caller's working
    directory was (dagster-dbt starts dbt in the project), unless the caller named them."""
    home = os.environ.get("MUTWH_HOME")
    if not home:
        sys.exit("mutwh-dbt: MUTWH_HOME is not set; dbt's DuckDB warehouse is $MUTWH_HOME/warehouse.duckdb")
    os.environ.setdefault("DBT_PROJECT_DIR", os.getcwd())
    os.environ.setdefault("DBT_PROFILES_DIR", os.environ["DBT_PROJECT_DIR"])
    os.makedirs(home, exist_ok=True)
    os.chdir(home)


def main() -> None:
    die_with_parent()
    enter_home()
    if (name := os.environ.get(SERVER_ENV)) and (code := run_in_server(name, sys.argv[1:])) is not None:
        sys.exit(code)
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


def _address(name: str) -> str:
    return "\0" + name


def run_in_server(name: str, args: list[str]) -> int | None:
    """dbt ``args`` in the server named ``name``: its exit code, or None when no server took the
    request (none listening, or it ended before starting dbt), and the caller should run dbt itself.
    From the moment the server answers, a SIGINT or SIGTERM is passed on to it; one received before
    dbt started ends this process with it instead of starting dbt."""
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    received: list[int] = []
    try:
        client.connect(_address(name))
        server_pid = _PEERCRED.unpack(client.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))[0]

        def forward(signum: int, _frame) -> None:
            received.append(signum)
            with contextlib.suppress(ProcessLookupError):
                os.kill(server_pid, signum)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, forward)
        request = json.dumps({"args": args, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        socket.send_fds(client, [_LENGTH.pack(len(request))], [0, 1, 2])
        client.sendall(request)
        started = client.recv(1) == _STARTED
    except OSError:
        started = False
    if not started:
        return 128 + received[0] if received else None
    answer = b""
    while chunk := client.recv(64):
        answer += chunk
    try:
        return int(json.loads(answer)["exit"])
    except (ValueError, KeyError):
        print(f"mutwh-dbt: the dbt server (PID {server_pid}) ended without an exit code", file=sys.stderr)
        return 2


def serve(name: str, parse_state: str | None = None) -> None:
    """``python -m orchestration.dbt_child --serve NAME [PARSE_STATE]``: listen on ``NAME``, import
    dbt, parse once from ``PARSE_STATE`` to warm dbt up (``_warm_up``), then run the one request
    ``run_in_server`` hands over, and end."""
    die_with_parent()
    # Ctrl-C interrupts dbt as it would a dbt of its own, even when this process was started with
    # SIGINT ignored (a job started in the background by a non-interactive shell)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(_address(name))
    listener.listen(1)
    os.write(1, LISTENING)  # DbtServer.start returns: a request from now on finds the socket
    import dbt.adapters.duckdb  # noqa: F401 (the import is the point: paid before dbt is asked for)
    from dbt.cli.main import cli

    if parse_state is not None:
        _warm_up(cli, Path(parse_state))

    while True:
        conn, _ = listener.accept()
        uid = _PEERCRED.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))[1]
        if uid == os.getuid():
            break
        conn.close()  # another user's process: not ours to serve
    listener.close()
    header, fds, _flags, _addr = socket.recv_fds(conn, _LENGTH.size, 3)
    (length,) = _LENGTH.unpack(header)
    request = b""
    while len(request) < length:
        request += conn.recv(length - len(request))
    request = json.loads(request)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    conn.sendall(_STARTED)
    finished = threading.Event()
    threading.Thread(target=_die_with_requester, args=(conn, finished), daemon=True).start()
    try:
        cli.main(args=request["args"], prog_name="dbt")  # what the `dbt` script runs, argv given
        code = 0
    except SystemExit as ended:
        code = ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
    _close_duckdb()
    sys.stdout.flush()
    sys.stderr.flush()
    finished.set()
    conn.sendall(json.dumps({"exit": code}).encode())
    conn.shutdown(socket.SHUT_WR)
    os._exit(0)


def _warm_up(cli, parse_state: Path) -> bool:
    """Parse the project once while no request is here, from the build-time parse state
    (``dbt_project/target/build_parse.msgpack``) into a scratch folder: dbt's first parse in a
    process builds its serialisers and schemas (~0.8 s of every build at any scale,
    benchmarks/profile.md), which the build's own parse then finds done. Nothing of it stays: not
    the scratch folder, not an open database (a parse opens none; closed anyway), not a word on
    the standard streams; a failure only means the build pays that time again. True when dbt
    parsed."""
    project = str(parse_state.parent.parent)
    saved = os.dup(1), os.dup(2)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="mutwh-dbt-warm-up-") as scratch, open(os.devnull, "w") as null:
        for fd in (1, 2):
            os.dup2(null.fileno(), fd)
        try:
            shutil.copyfile(parse_state, Path(scratch) / "partial_parse.msgpack")
            os.chdir(scratch)  # the profile's DuckDB path is relative: nothing may point into a data directory
            args = ["parse", "--no-write-json", "--quiet", "--project-dir", project, "--profiles-dir", project]
            # no log file either, and none in the project's own logs/ (dbt's default log path)
            quiet = ["--log-level-file", "none", "--log-path", scratch, "--target-path", scratch]
            cli.main(args=[*args, *quiet], prog_name="dbt", standalone_mode=False)
            return True
        except (Exception, SystemExit):
            return False
        finally:
            os.chdir(cwd)
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)
            _close_duckdb()


def _die_with_requester(conn: socket.socket, finished: threading.Event) -> None:
    """The requester's end closed before dbt finished (it was killed): so is this process."""
    with contextlib.suppress(OSError):
        conn.recv(1)
    if not finished.is_set():
        os.kill(os.getpid(), signal.SIGKILL)


def _close_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the process's lifetime, as a dbt
    process ending would: its last changes checkpointed, its file lock released."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(*sys.argv[2:4])
    else:
        main()
