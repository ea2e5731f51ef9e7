"""A throw-away PostgreSQL cluster for tests and ``make bench`` (``BENCH_POSTGRES=1``): Debian's
server binaries, a data directory under the caller's tmp directory, listening on 127.0.0.1 only,
on a free port, trust authentication.

initdb and postgres refuse to run as root (they would own the data files as root); under root the
cluster is created and run as the unprivileged ``postgres`` user (created by the Debian package) or
``nobody``, through ``runuser``. When the binaries are missing and we are root, they are installed
with apt-get; ``Unavailable`` says why a cluster cannot be had (the test skips with it, the
benchmark reports it).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

APT_PACKAGES = ("postgresql",)


class Unavailable(Exception):
    """No PostgreSQL server can be started here; the message says why."""


def find_bin_dir() -> Path | None:
    """The directory holding initdb/pg_ctl/postgres: Debian's versioned one first, then PATH."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if all(os.access(Path(candidate) / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(candidate)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    return None


def install_with_apt() -> None:
    if os.geteuid() != 0:
        raise Unavailable("PostgreSQL server binaries (initdb, pg_ctl) are missing and apt-get needs root")
    if not shutil.which("apt-get"):
        raise Unavailable("PostgreSQL server binaries (initdb, pg_ctl) are missing and there is no apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES],
    ):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise Unavailable(f"`{' '.join(command)}` failed: {result.stderr.strip()[-500:]}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> str | None:
    """The unprivileged user to run the server as when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise Unavailable("running as root and neither a `postgres` nor a `nobody` user exists to run the server")


@dataclass
class Cluster:
    root: Path
    port: int
    bin_dir: Path
    user: str | None  # the OS user running the server (None: ourselves)
    database: str = "mutwh"
    role: str = "mutwh"

    @property
    def env(self) -> dict[str, str]:
        """libpq variables for a client of this cluster (dbt's profile and the warehouse read them)."""
        return {
            "PGHOST": "127.0.0.1",
            "PGPORT": str(self.port),
            "PGUSER": self.role,
            "PGPASSWORD": "",
            "PGDATABASE": self.database,
        }

    def _cmd(self, *args: str) -> list[str]:
        if not self.user:
            return list(args)
        # runuser lives in /usr/sbin, which a minimal PATH (env -i, some CI runners) leaves out
        runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin") or "runuser"
        return [runuser, "-u", self.user, "--", *args]

    def start(self) -> Cluster:
        data = self.root / "data"
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            entry = pwd.getpwnam(self.user)
            # The tmp path's parents must be traversable by the server's user.
            for parent in [self.root, *self.root.parents]:
                if parent == Path("/"):
                    break
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    os.chmod(parent, mode | 0o001)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        init = subprocess.run(
            self._cmd(
                str(self.bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                self.role,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ),
            capture_output=True,
            text=True,
        )
        if init.returncode != 0:
            raise Unavailable(f"initdb failed: {init.stderr.strip()[-800:]}")
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=50"
        )
        started = subprocess.run(
            self._cmd(
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ),
            capture_output=True,
            text=True,
        )
        if started.returncode != 0:
            log = (
                (self.root / "server.log").read_text(errors="replace")[-800:]
                if (self.root / "server.log").exists()
                else ""
            )
            raise Unavailable(f"pg_ctl start failed: {started.stderr.strip()[-400:]} {log}")
        self._create_database()
        return self

    def _create_database(self) -> None:
        import psycopg2

        deadline = time.monotonic() + 30
        while True:
            try:
                con = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.role, dbname="postgres")
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f'create database "{self.database}"')
        con.close()

    def stop(self) -> None:
        """Fast shutdown by the postmaster's pid (as root we may signal it; pg_ctl, run as the server's
        user, may no longer reach the data directory: pytest resets its tmp root to mode 0700)."""
        pid_file = self.root / "data" / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 30
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)


def start_cluster(root: Path) -> Cluster:
    """Start a cluster under ``root`` (installing the server with apt-get when missing)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        install_with_apt()
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise Unavailable("apt-get installed postgresql but no initdb/pg_ctl was found under /usr/lib/postgresql")
    return Cluster(root=root, port=free_port(), bin_dir=bin_dir, user=_run_as()).start()
