"""The data directory ``$MUTWH_HOME`` (SPEC §2): everything the product writes lives under it."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "MUTWH_HOME"
DEFAULT_HOME = "data"


class HomeError(Exception):
    """``$MUTWH_HOME`` (or a directory under it) cannot be used: a configuration error, exit 2
    (SPEC §3). The message names the path and what is wrong with it."""


def _blocking_file(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` (or ``path`` itself) when it is not a directory."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def _explain(path: Path, error: OSError, label: str, hint: str) -> HomeError:
    blocker = _blocking_file(path)
    if blocker is not None:
        what = "a broken symbolic link" if blocker.is_symlink() and not blocker.exists() else "a file"
        reason = f"{blocker} is {what}, not a directory"
    elif error.errno in (errno.EACCES, errno.EPERM):
        reason = f"permission denied (user id {os.geteuid()} may not write there)"
    elif error.errno == errno.EROFS:
        reason = "it is on a read-only file system"
    elif error.errno == errno.ENOENT:  # e.g. below /proc: the ancestor exists but takes no new entries
        ancestor = next(p for p in path.parents if p.exists())
        reason = f"{ancestor} does not allow creating directories"
    else:
        reason = error.strerror or str(error)
    return HomeError(f"{label} {path} cannot be created or written: {reason}; {hint}")


def ensure_writable_dir(path: Path, label: str = HOME_ENV, hint: str = "") -> Path:
    """Create ``path`` (and its parents) and prove that a file can be written in it: a mode check
    is not enough, root passes it on read-only mounts and ``/proc``. Raises ``HomeError``."""
    probe = path / f".mutwh-write-probe-{os.getpid()}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.touch()
        probe.unlink()
    except OSError as error:
        hint = hint or f"set {HOME_ENV} to a directory you can write (SPEC §2)"
        raise _explain(path, error, label, hint) from None
    return path


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls) -> Home:
        """Resolve ``$MUTWH_HOME`` (default ``./data``) to an absolute path and export it.

        dbt's profile and child processes read the variable, so it is made absolute once here.
        """
        root = Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser().resolve()
        os.environ[HOME_ENV] = str(root)
        return cls(root)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def dashboards(self) -> Path:
        return self.root / "dashboards"

    @property
    def gx(self) -> Path:
        return self.root / "gx"

    @property
    def dagster(self) -> Path:
        return self.root / "dagster"

    @property
    def tmp(self) -> Path:
        """Working files of one command (ingestion's key frames), removed when it is done."""
        return self.root / "tmp"

    def ensure(self) -> Home:
        """Create every directory of the data directory, each proved writable (``HomeError``
        names the first one that is not)."""
        ensure_writable_dir(self.root, HOME_ENV)
        for path in (self.landing, self.quarantine, self.exports, self.dashboards, self.gx, self.dagster):
            ensure_writable_dir(path, f"{HOME_ENV} directory")
        return self

    def readable_landing(self) -> Path:
        """The landing zone for commands that only read it (``mutwh validate``)."""
        blocker = _blocking_file(self.landing)
        if blocker is not None:
            raise HomeError(
                f"{HOME_ENV} landing zone {self.landing} cannot be read: {blocker} is a file, "
                f"not a directory; set {HOME_ENV} to the data directory (SPEC §2)"
            )
        return self.landing
