"""Every setting a user edits has one home, a dbt seed, and the exports and dashboards read it from
the warehouse: no norm code, indicator name, weight, norm or sample size typed again in their code.

The test reads every string and number constant of exports/ and dashboards/ (their Python syntax
tree, so prose that names a norm in a note is allowed, a literal used as a key or in a comparison is
not) and refuses the values that live in the seeds.
"""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "dbt_project" / "seeds"
# dashboards/palette.py is left out: a fixed colour per zorgkas, landsbond or DMW code, keyed by codes.
PRESENTATION = sorted(
    p for p in [*(ROOT / "exports").glob("*.py"), *(ROOT / "dashboards").glob("*.py")] if p.name != "palette.py"
)


def _seed(path: str) -> list[dict]:
    with (SEEDS / path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _constants(path: Path) -> list[tuple[int, object]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(node.lineno, node.value) for node in ast.walk(tree) if isinstance(node, ast.Constant)]


def _seeded_strings() -> dict[str, str]:
    """Seed value -> where it lives."""
    values = {}
    for row in _seed("dmw/dmw_norms.csv"):
        values[row["norm_code"]] = "dmw_norms.norm_code"
        values[row["name_nl"]] = "dmw_norms.name_nl"
    for row in _seed("zorgkas/zorgkas_indicator_weights.csv"):
        values[row["short_name_nl"]] = "zorgkas_indicator_weights.short_name_nl"
    for row in _seed("zorgkas/zorgkas_indicator_parameters.csv"):
        values[f"{row['norm']} per indicator"] = "zorgkas_indicator_parameters.norm"
    for row in _seed("zorgkassen.csv"):
        if row["is_own"] == "true":
            values[row["zorgkas_code"]] = "zorgkassen.is_own"
    return values


def test_the_seeds_hold_the_settings_the_presentation_reads():
    norms = _seed("dmw/dmw_norms.csv")
    assert [int(r["sort_order"]) for r in norms] == sorted(int(r["sort_order"]) for r in norms)
    assert all(r["name_nl"].strip() for r in norms)
    weights = _seed("zorgkas/zorgkas_indicator_weights.csv")
    assert all(r["short_name_nl"].strip() and r["records_nl"].strip() for r in weights)


def test_every_findings_export_of_the_seed_is_an_export_and_back():
    from exports.dmw_inspection import FINDING_LISTS

    seeded = {r["findings_export"] for r in _seed("dmw/dmw_norms.csv") if r["findings_export"]}
    assert seeded == {name for name, _, _ in FINDING_LISTS}


@pytest.mark.parametrize("path", PRESENTATION, ids=lambda p: str(p.relative_to(ROOT)))
def test_presentation_code_types_no_seeded_setting(path: Path):
    seeded = _seeded_strings()
    typed = [
        f"line {line}: {value!r} (seed {seeded[value]})"
        for line, value in _constants(path)
        if isinstance(value, str) and value in seeded
    ]
    weights = "/".join(f"{float(r['weight']) * 100:g}" for r in _seed("zorgkas/zorgkas_indicator_weights.csv"))
    typed += [
        f"line {line}: {value!r} (weights of seed zorgkas_indicator_weights)"
        for line, value in _constants(path)
        if isinstance(value, str) and weights in value
    ]
    assert not typed, f"{path.name} types settings that live in seeds:\n" + "\n".join(typed)


def test_the_test_catches_a_typed_norm_code(tmp_path: Path):
    """The check above is not vacuous: a literal norm code used as a key is found."""
    module = tmp_path / "typed.py"
    module.write_text('LABELS = {"USERS_REACHED": "Bereikte gebruikers"}\n', encoding="utf-8")
    seeded = _seeded_strings()
    assert [v for _, v in _constants(module) if isinstance(v, str) and v in seeded] == [
        "USERS_REACHED",
        "Bereikte gebruikers",
    ]
