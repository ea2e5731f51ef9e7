"""A whole ``mutwh run`` leaves the seeds (reference data) as they are when nothing about them
changed (orchestration/defs/transform/seeds.py), and builds them when something did: their file or
config (code version), a check of theirs, or their table in the warehouse. A job builds them."""

from __future__ import annotations

import json

import duckdb
from support.pipeline import run_mutwh

from orchestration.defs.transform.assets import MutwhTranslator

BUILT_SEEDS = "25 seeds"  # dbt's summary line names the seeds it built


def _seed_checks(home) -> dict[str, tuple]:
    """The reference checks of the 2023 annual report's manifest: check -> (passed, run id)."""
    manifest = json.loads((home / "exports" / "2023" / "annual_report" / "manifest.json").read_text())
    return {c["check"]: (c["passed"], c["run_id"]) for c in manifest["checks"] if c["asset"].startswith("reference/")}


def _summary(done) -> str:
    lines = [line for line in done.stdout.splitlines() if line.startswith("Finished running")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    return lines[-1]


def test_unchanged_seeds_are_kept_and_their_checks_cited_from_the_build_that_ran_them(home):
    from sources.generator import generate

    generate(home / "landing", [2022, 2023], scale=0.001, seed=5, clean=False, fmt="csv", progress=False)

    first = run_mutwh(home, "run", "--years", "2023")
    assert first.returncode == 0, first.stderr[-3000:]
    assert BUILT_SEEDS in _summary(first)
    cited = _seed_checks(home)
    assert cited and all(passed for passed, _ in cited.values())
    (first_run,) = {run for _, run in cited.values()}

    second = run_mutwh(home, "run", "--years", "2023")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "seeds" not in _summary(second)  # nothing about them changed: not built, not tested again
    assert _seed_checks(home) == cited  # the manifest cites the evaluations of the build that ran them
    assert any(
        c["run_id"] != first_run
        for c in json.loads((home / "exports" / "2023" / "annual_report" / "manifest.json").read_text())["checks"]
    )  # while the models' checks are this run's

    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        con.execute("drop table reference.ziekenfondsen")  # a seed table lost: all are built again
    third = run_mutwh(home, "run", "--years", "2023")
    assert third.returncode == 0, third.stderr[-3000:]
    assert BUILT_SEEDS in _summary(third)
    assert {run for _, run in _seed_checks(home).values()} != {first_run}


def test_a_seed_config_change_is_a_new_code_version():
    translator = MutwhTranslator()
    seed = {"resource_type": "seed", "checksum": {"name": "sha256", "checksum": "abc"}, "raw_code": ""}
    as_text = translator.get_code_version(seed | {"config": {"column_types": {"code": "varchar"}}})
    as_number = translator.get_code_version(seed | {"config": {"column_types": {"code": "integer"}}})
    edited = translator.get_code_version(seed | {"checksum": {"name": "sha256", "checksum": "abd"}, "config": {}})
    assert len({as_text, as_number, edited, translator.get_code_version(seed | {"config": {}})}) == 4


def test_a_seed_file_edited_after_the_manifest_was_parsed_is_built(tmp_path, monkeypatch):
    """``mutwh run`` straight after editing a seed, without ``make``: the manifest (and the code
    versions from it) still has the old file, so the file itself is compared with dbt's checksum."""
    import shutil

    from orchestration.defs.transform import seeds

    project = tmp_path / "dbt_project"
    shutil.copytree(seeds.DBT_PROJECT_DIR / "seeds", project / "seeds")
    monkeypatch.setattr(seeds, "DBT_PROJECT_DIR", project)
    assert seeds.seed_files_as_parsed()
    vte = project / "seeds" / "dmw_vte.csv"
    vte.write_text(vte.read_text(encoding="utf-8").replace(",", ";", 1), encoding="utf-8")
    assert not seeds.seed_files_as_parsed()
