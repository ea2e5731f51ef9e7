"""``mutwh-dbt``: dbt, started so that it dies with the process that started it.

A ``mutwh run`` killed with SIGKILL (an operator, the OOM killer) cannot stop its children, and an
orphaned dbt kept writing the warehouse for a minute and more, holding the DuckDB file so that the
next run failed on its lock. This console script asks Linux to send it SIGKILL when its parent
dies (``prctl(PR_SET_PDEATHSIG)``, kept across ``exec``) and then becomes the venv's ``dbt``.
It is the ``dbt_executable`` of the pipeline (``orchestration.dbt_command``), and runs dbt in
``$MUTWH_HOME``, where the DuckDB profile's relative path points.

Kept free of product imports: it runs once per dbt invocation, before dbt's own start-up.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1
PARENT_ENV = "MUTWH_DBT_PARENT_PID"  # set by orchestration.dbt_command.before_dbt


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
    dbt = Path(sys.executable).parent / "dbt"
    os.execv(dbt, [str(dbt), *sys.argv[1:]])


if __name__ == "__main__":
    main()
