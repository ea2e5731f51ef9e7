"""`make demo` next to a landing zone it did not generate (issue 13, point 7).

The demo used to start with ``rm -rf $MUTWH_HOME/landing``: with real files in the default
``./data`` that was data loss. The generator now replaces only the files its own manifest lists
unchanged, and refuses, deleting nothing, when the landing zone holds anything else.
"""

from __future__ import annotations

import hashlib
import json

from journeys.conftest import DEMO_SCALE

GENERATE = f".venv/bin/mutwh generate --scale {DEMO_SCALE} --no-progress"


def tree(folder) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_make_demo_next_to_foreign_landing_files_deletes_nothing(shell):
    landing = shell.mutwh_home / "landing"
    real = landing / "members" / "real_export.csv"
    real.parent.mkdir(parents=True)
    real.write_bytes(b"ziekenfonds_code;member_type\n\xef\xbb\xbf;TITULARIS\n")  # any bytes: compared as such
    stat = real.stat()

    result = shell.run(f"make demo DEMO_SCALE={DEMO_SCALE}", check=False)

    assert result.returncode != 0, result.stdout[-2000:]
    assert "members/real_export.csv" in result.stderr
    assert "Nothing was deleted" in result.stderr
    assert "another data directory" in result.stderr, result.stderr[-2000:]
    assert real.read_bytes() == b"ziekenfonds_code;member_type\n\xef\xbb\xbf;TITULARIS\n"
    assert real.stat().st_mtime_ns == stat.st_mtime_ns
    # Nothing generated next to it and nothing loaded: the demo stopped at the refusal.
    assert tree(landing) == {"members/real_export.csv": hashlib.sha256(real.read_bytes()).hexdigest()}
    assert not (shell.mutwh_home / "warehouse.duckdb").exists()


def test_demo_regenerates_its_own_landing_zone_but_not_an_edited_file(demo_copy):
    """A second `make demo` starts with the same `mutwh generate`: on the demo's own landing zone it
    replaces every file (same seed: identical bytes); once a generated file is edited, it is no
    longer the generator's and the whole landing zone is left alone."""
    landing = demo_copy.mutwh_home / "landing"
    before = tree(landing)
    assert "_generator_manifest.json" in before
    listed = json.loads((landing / "_generator_manifest.json").read_text())["generated_files"]
    assert set(listed) == set(before) - {"_generator_manifest.json"}

    demo_copy.run(GENERATE)
    assert tree(landing) == before

    edited = landing / "members" / sorted(p.name for p in (landing / "members").iterdir())[0]
    edited.write_bytes(edited.read_bytes() + b"\n")
    after_edit = tree(landing)
    result = demo_copy.run(GENERATE, check=False)
    assert result.returncode == 2
    assert f"members/{edited.name}" in result.stderr and "Nothing was deleted" in result.stderr
    assert tree(landing) == after_edit
