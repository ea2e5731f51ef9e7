"""An unusable ``$MUTWH_HOME`` is a configuration error (SPEC §3: exit 2 with one message that
names the path and what is wrong), for every command, never a traceback (issue 14, point 9).

The commands run as users run them: the installed ``mutwh`` in a subprocess. CI runs as root, and
root may write into a ``chmod 555`` directory, so "not writable" is proved in ways that hold for
root too: a path below a regular file, a path below ``/sys`` (the kernel refuses new entries even
to root), and a read-only directory for an unprivileged user started with ``setpriv``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from mutwh.home import Home, HomeError

REPO = Path(__file__).resolve().parents[1]
MUTWH = str(Path(sys.executable).parent / "mutwh")
COMMANDS = (
    ["run"],
    ["run", "--job", "ingest"],
    ["generate", "--years", "2023", "--scale", "0.001", "--no-progress"],
    ["validate"],
)


def mutwh(home: Path | str, *args: str, user: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "MUTWH_HOME": str(home), "PYTHONPATH": str(REPO)}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run(
        [*(user or []), MUTWH, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def assert_configuration_error(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0], errors[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:3]))
def test_every_command_refuses_a_home_below_a_regular_file(tmp_path, command):
    regular = tmp_path / "passwd"
    regular.write_text("root:x:0:0\n")
    result = mutwh(regular / "x", *command)
    assert_configuration_error(result, str(regular / "x"), f"{regular} is a file, not a directory")


def test_a_directory_under_home_that_cannot_be_created_is_named(tmp_path):
    home = tmp_path / "home"
    (home / "landing" / "members").mkdir(parents=True)
    (home / "exports").write_text("not a folder\n")
    result = mutwh(home, "run")
    assert_configuration_error(result, f"{home / 'exports'} cannot be created or written", "is a file")


def test_a_path_the_kernel_refuses_even_to_root_is_a_configuration_error():
    if not Path("/sys").is_dir():
        pytest.skip("no /sys on this system")
    target = Path("/sys/mutwh-home")
    result = mutwh(target, "run")
    assert_configuration_error(result, str(target), "cannot be created or written")
    assert not target.exists()


def unprivileged() -> list[str]:
    """The command prefix that runs a child as ``nobody``, or a skip with the reason."""
    if os.geteuid() != 0:
        return []  # already unprivileged: a chmod 555 directory is enough
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: cannot drop privileges to test a read-only directory")
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, MUTWH, "--help"], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}
    )
    if probe.returncode != 0:
        pytest.skip(f"user nobody cannot run {MUTWH} (the checkout is not readable to others): {probe.stderr[-200:]}")
    return prefix


def test_a_read_only_home_is_refused_for_an_unprivileged_user():
    user = unprivileged()
    outer = Path(tempfile.mkdtemp(prefix="mutwh-readonly-"))  # not under pytest's 0700 tmp: nobody must enter it
    try:
        home = outer / "home"
        (home / "landing").mkdir(parents=True)
        for path in (outer, home, home / "landing"):
            path.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        run = mutwh(home, "run", user=user)
        assert_configuration_error(run, str(home), "permission denied")
        generate = mutwh(home, *COMMANDS[2], user=user)
        assert_configuration_error(generate, str(home / "landing"), "permission denied")
        # validate only reads: a read-only data directory is fine for it
        validate = mutwh(home, "validate", user=user)
        assert validate.returncode == 0, validate.stderr
    finally:
        shutil.rmtree(outer)


def test_ensure_creates_every_directory_and_leaves_no_probe(tmp_path):
    home = Home(tmp_path / "new" / "home").ensure()
    for path in (home.landing, home.quarantine, home.exports, home.dashboards, home.gx, home.dagster):
        assert path.is_dir() and not any(path.iterdir())
    assert sorted(p.name for p in home.root.iterdir()) == [
        "dagster",
        "dashboards",
        "exports",
        "gx",
        "landing",
        "quarantine",
    ]


def test_a_broken_symlink_in_place_of_home_is_named(tmp_path):
    link = tmp_path / "home"
    link.symlink_to(tmp_path / "unmounted-share")
    with pytest.raises(HomeError, match=f"{link} is a broken symbolic link, not a directory"):
        Home(link).ensure()


def test_make_ui_prepares_the_dagster_home_or_exits_2(tmp_path):
    """``make ui`` runs ``python -m orchestration.instance`` before ``dagster dev``."""
    regular = tmp_path / "passwd"
    regular.write_text("")
    env = {**os.environ, "MUTWH_HOME": str(regular / "x"), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.instance"], capture_output=True, text=True, env=env, cwd=REPO
    )
    assert_configuration_error(result, f"{regular} is a file, not a directory")
    good = subprocess.run(
        [sys.executable, "-m", "orchestration.instance"],
        capture_output=True,
        text=True,
        env={**env, "MUTWH_HOME": str(tmp_path / "home")},
        cwd=REPO,
    )
    assert good.returncode == 0 and (tmp_path / "home" / "dagster" / "dagster.yaml").exists()
