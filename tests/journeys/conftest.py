"""User journeys: the README's commands typed into a plain shell.

A user who cloned the repository and typed ``make demo`` has no virtual environment on ``PATH``, no
``VIRTUAL_ENV``, no ``DAGSTER_HOME`` and no ``PYTHONPATH``: only a ``HOME`` and a ``PATH`` of system
directories. Every journey runs its commands through ``bash -c`` in exactly that environment (plus
``MUTWH_HOME`` pointing at a fresh folder, which the README documents), from the repository root,
so a command that only works with the venv activated fails here as it fails for the user.

The demo build (``make demo``, the README's first command) is made once per session in its own data
directory; journeys that change data work on a copy of it (``demo_copy``), so they never disturb
each other and the demo is built once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# A demo small enough to keep the suite fast: the same commands and years as `make demo`, a tenth
# of its scale (the README's default 0.01 is the same code path with ten times the rows).
DEMO_SCALE = os.environ.get("MUTWH_JOURNEY_SCALE", "0.001")
# While working on one journey: reuse a data directory that `make demo DEMO_SCALE=0.001` built
# (journeys only ever touch copies of it). Unset in `make test`.
REUSE_DEMO = os.environ.get("MUTWH_JOURNEY_DEMO_HOME")


@dataclass
class Shell:
    """A plain login-less shell: ``run("make ui ...")`` as a user would type it."""

    home: Path  # the user's $HOME
    mutwh_home: Path  # $MUTWH_HOME

    @property
    def env(self) -> dict[str, str]:
        env = {
            "HOME": str(self.home),
            "PATH": SYSTEM_PATH,
            "LANG": "C.UTF-8",
            "MUTWH_HOME": str(self.mutwh_home),
        }
        # The interpreter that built .venv must stay findable (`make` checks `python3` is 3.11);
        # pyenv-style installs put it outside the system directories.
        python = shutil.which("python3", path=os.environ.get("PATH", "")) or ""
        python_dir = str(Path(python).parent) if python else ""
        if python_dir and str(VENV_BIN) != python_dir and python_dir not in env["PATH"].split(":"):
            env["PATH"] = f"{env['PATH']}:{python_dir}"
        assert str(VENV_BIN) not in env["PATH"]
        return env

    def run(self, command: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["bash", "-c", command], cwd=REPO, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"`{command}` exited {result.returncode}\n--- stdout ---\n{result.stdout[-4000:]}\n"
                f"--- stderr ---\n{result.stderr[-4000:]}"
            )
        return result

    def popen(self, command: str, **kwargs) -> subprocess.Popen:
        """Start a long-running command (``make ui``) in its own session, like a terminal would."""
        return subprocess.Popen(["bash", "-c", command], cwd=REPO, env=self.env, start_new_session=True, **kwargs)


def _shell(tmp: Path) -> Shell:
    user_home = tmp / "user"
    user_home.mkdir(parents=True, exist_ok=True)
    return Shell(home=user_home, mutwh_home=tmp / "mutwh")


@pytest.fixture
def shell(tmp_path) -> Shell:
    """A plain shell with a fresh, empty ``$MUTWH_HOME``."""
    return _shell(tmp_path)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory) -> Path:
    """``make demo`` once, as the README says, at the journey scale; returns its ``$MUTWH_HOME``."""
    if REUSE_DEMO:
        assert (Path(REUSE_DEMO) / "warehouse.duckdb").is_file(), f"{REUSE_DEMO} holds no demo build"
        return Path(REUSE_DEMO)
    shell = _shell(tmp_path_factory.mktemp("demo"))
    shell.run(f"make demo DEMO_SCALE={DEMO_SCALE}", timeout=900)
    return shell.mutwh_home


@pytest.fixture
def demo_copy(demo_home, tmp_path) -> Shell:
    """A plain shell whose ``$MUTWH_HOME`` is a private copy of the demo build."""
    shell = _shell(tmp_path)
    shutil.copytree(demo_home, shell.mutwh_home, symlinks=True)
    return shell
