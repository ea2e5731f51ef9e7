"""dbt started ahead of its build (orchestration.dbt_child ``serve``, ``DbtServer``): ``mutwh-dbt``
hands the started dbt its command, streams and environment, and exits with dbt's code; with no
server it runs dbt itself, as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.dbt_child import SERVER_ENV, run_in_server
from orchestration.dbt_command import DbtServer

MUTWH_DBT = Path(sys.executable).parent / "mutwh-dbt"


@pytest.fixture
def server(home, monkeypatch):
    monkeypatch.delenv(SERVER_ENV, raising=False)
    started = DbtServer.start()
    assert started is not None, "mutwh-dbt is next to this interpreter"
    yield started
    started.close()
    assert SERVER_ENV not in os.environ


def _mutwh_dbt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(MUTWH_DBT), *args], capture_output=True, text=True, timeout=120, env=dict(os.environ))


def test_the_started_dbt_runs_the_command_and_ends(server):
    done = _mutwh_dbt("--version")
    assert done.returncode == 0, done.stderr
    assert "Core:" in done.stdout  # dbt's own output, through the requester's stdout pipe
    assert server.process.wait(timeout=30) == 0  # one request served, then the server ended


def test_dbt_exit_code_and_errors_come_back(server):
    done = _mutwh_dbt("no-such-command")
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "no-such-command" in done.stderr
    assert server.process.wait(timeout=30) == 0


def test_a_second_command_runs_dbt_itself(server):
    assert _mutwh_dbt("--version").returncode == 0
    server.process.wait(timeout=30)
    again = _mutwh_dbt("--version")  # the server has ended: mutwh-dbt becomes dbt, as without one
    assert again.returncode == 0 and "Core:" in again.stdout


def test_no_server_listening_means_no_answer():
    assert run_in_server(f"mutwh-dbt-test-nobody-{os.getpid()}", ["--version"]) is None


def test_an_unused_server_is_stopped(server):
    server.close()
    assert server.process.returncode is not None


def _requester_running_dbt(server: DbtServer, home: Path) -> subprocess.Popen:
    """``mutwh-dbt parse`` (a full parse: seconds) started, returned once the server runs it (it
    has changed into ``home``, as the request says)."""
    from orchestration.dbt_command import DBT_PROJECT_DIR

    project = str(DBT_PROJECT_DIR)
    args = ["parse", "--no-partial-parse", "--project-dir", project, "--profiles-dir", project]
    requester = subprocess.Popen(
        [str(MUTWH_DBT), *args, "--target-path", str(home / "parse")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    deadline = time.monotonic() + 60
    while Path(f"/proc/{server.process.pid}/cwd").resolve() != home.resolve():
        assert time.monotonic() < deadline and requester.poll() is None, "the server never took the request"
        time.sleep(0.05)
    return requester


def test_a_killed_requester_takes_the_server_with_it(server, home):
    requester = _requester_running_dbt(server, home)
    requester.kill()
    requester.wait()
    assert server.process.wait(timeout=15) == -signal.SIGKILL  # not left writing the warehouse


@pytest.mark.parametrize("started_with_sigint", ["handled", "ignored"])
def test_ctrl_c_reaches_dbt_in_the_server(home, monkeypatch, started_with_sigint):
    """Also when the run was started with SIGINT ignored, as a non-interactive shell starts a job
    in the background (CI): dbt still stops as a dbt of its own would on Ctrl-C."""
    monkeypatch.delenv(SERVER_ENV, raising=False)
    previous = signal.getsignal(signal.SIGINT)
    if started_with_sigint == "ignored":
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the server and the requester
    try:
        server = DbtServer.start()
        requester = _requester_running_dbt(server, home)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        requester.send_signal(signal.SIGINT)
        assert requester.wait(timeout=30) != 0  # dbt stopped, and said so with its exit code
        assert server.process.wait(timeout=15) == 0
    finally:
        server.close()


def test_ctrl_c_before_dbt_starts_stops_without_running_dbt(server, home):
    """A Ctrl-C between handing the request over and dbt's start ends mutwh-dbt with it: it does
    not then start dbt itself."""
    os.kill(server.process.pid, signal.SIGSTOP)  # the server cannot take the request yet
    try:
        requester = subprocess.Popen([str(MUTWH_DBT), "--version"], stdout=subprocess.PIPE, env=dict(os.environ))
        time.sleep(1)  # connected, request sent, waiting for the server
        requester.send_signal(signal.SIGINT)  # passed on to the stopped server, pending there
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    out, _ = requester.communicate(timeout=60)
    assert requester.returncode == 128 + signal.SIGINT and b"Core:" not in out


def test_the_warm_up_parse_leaves_no_trace(home, tmp_path, monkeypatch):
    """The server parses once before its request (``_warm_up``), from the build-time parse state,
    into a scratch folder: afterwards no folder, no database, no open DuckDB and the same standard
    streams; a parse state that is not one still lets the server go on."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import cli

    from orchestration.dbt_child import _warm_up
    from orchestration.dbt_command import BUILD_PARSE_FILE, DBT_PROJECT_DIR

    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch_root))
    monkeypatch.setattr("tempfile.tempdir", None)  # TMPDIR is read again
    monkeypatch.chdir(home)
    streams = [os.fstat(fd) for fd in (1, 2)]
    project_logs = DBT_PROJECT_DIR / "logs"
    logs_before = (
        sorted((p.name, p.stat().st_mtime_ns) for p in project_logs.glob("*")) if project_logs.exists() else None
    )
    assert _warm_up(cli, DBT_PROJECT_DIR / "target" / BUILD_PARSE_FILE) is True
    assert list(scratch_root.iterdir()) == []
    assert not list(home.rglob("*.duckdb")) and DuckDBConnectionManager._ENV is None
    assert [os.fstat(fd) for fd in (1, 2)] == streams
    assert Path.cwd() == home
    logs_after = (
        sorted((p.name, p.stat().st_mtime_ns) for p in project_logs.glob("*")) if project_logs.exists() else None
    )
    assert logs_after == logs_before, "the warm-up writes nothing into the project's logs/"

    not_a_state = tmp_path / "garbage.msgpack"
    not_a_state.write_bytes(b"\x00not msgpack")
    assert _warm_up(cli, not_a_state) is False  # no project next to it: dbt fails, quietly
    assert list(scratch_root.iterdir()) == [] and Path.cwd() == home


def test_dbt_log_file_is_left_out_unless_asked_for(home, monkeypatch):
    """A pipeline build does not write dbt's debug log file (~15 % of a small build); an operator's
    DBT_LOG_LEVEL_FILE is kept."""
    from orchestration.dbt_command import DBT_LOG_LEVEL_FILE_ENV, before_dbt

    monkeypatch.delenv(DBT_LOG_LEVEL_FILE_ENV, raising=False)
    before_dbt()
    assert os.environ[DBT_LOG_LEVEL_FILE_ENV] == "none"
    monkeypatch.setenv(DBT_LOG_LEVEL_FILE_ENV, "debug")
    before_dbt()
    assert os.environ[DBT_LOG_LEVEL_FILE_ENV] == "debug"
