"""The generator deletes only what it generated (issue 13, point 7): the refusals, without a full
generation (the journey test in tests/journeys/test_make_demo.py runs `make demo` itself)."""

from __future__ import annotations

import json

import pytest

from sources.generator.writer import MANIFEST_NAME, ForeignFilesError, clear_generated, sha256


def _zone(tmp_path, listed: dict | None):
    zone = tmp_path / "landing"
    (zone / "members").mkdir(parents=True)
    ours = zone / "members" / "members_100.csv"
    ours.write_text("a;b\n1;2\n", encoding="utf-8")
    manifest = {"parameters": {}, "sources": {"members": {"files": ["members_100.csv"], "rows": 1}}}
    if listed is not None:
        manifest["generated_files"] = listed
    (zone / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return zone, ours


def _listing(path):
    return {"members/members_100.csv": {"bytes": path.stat().st_size, "sha256": sha256(path)}}


def test_only_listed_unchanged_files_are_deleted(tmp_path):
    zone, ours = _zone(tmp_path, None)
    (zone / MANIFEST_NAME).write_text(json.dumps({"generated_files": _listing(ours)}), encoding="utf-8")
    clear_generated(zone)
    assert not ours.exists() and not (zone / MANIFEST_NAME).exists()
    assert (zone / "members").is_dir()


def test_a_manifest_without_checksums_protects_everything(tmp_path):
    zone, ours = _zone(tmp_path, None)
    with pytest.raises(ForeignFilesError, match="earlier version that recorded no checksums") as error:
        clear_generated(zone)
    assert error.value.foreign == ["members/members_100.csv"]
    assert ours.exists() and (zone / MANIFEST_NAME).exists()


def test_a_symlink_and_a_same_size_edit_are_foreign(tmp_path):
    zone, ours = _zone(tmp_path, None)
    (zone / MANIFEST_NAME).write_text(json.dumps({"generated_files": _listing(ours)}), encoding="utf-8")
    ours.write_text("a;b\n1;3\n", encoding="utf-8")  # same size, other bytes
    outside = tmp_path / "real"
    outside.mkdir()
    (outside / "export.csv").write_text("x\n", encoding="utf-8")
    (zone / "vt_periods").symlink_to(outside)
    with pytest.raises(ForeignFilesError) as error:
        clear_generated(zone)
    assert error.value.foreign == ["members/members_100.csv", "vt_periods"]
    assert ours.read_text(encoding="utf-8") == "a;b\n1;3\n" and (outside / "export.csv").exists()
