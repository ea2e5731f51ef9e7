"""The generated pages of docs/ match their sources: the landing-zone contract (sources/contract.py and
the checks of sources/loader.py) and the KPI definitions (dbt yml of the marts, norm seeds)."""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys

import yaml
from conftest import write_csv
from support.landing import landing_member

from orchestration import kpi_doc
from sources import contract, contract_doc
from sources.contract import SOURCES
from sources.insz import make_insz
from sources.loader import validate_source

STALE_HINT = "is stale: run `make docs-md` and commit the result"


def test_landing_contract_page_is_up_to_date():
    assert contract_doc.TARGET.read_text(encoding="utf-8") == contract_doc.render(), (
        f"docs/landing_contract.md {STALE_HINT}"
    )


def test_kpi_page_is_up_to_date():
    assert kpi_doc.TARGET.read_text(encoding="utf-8") == kpi_doc.render(), f"docs/kpis.md {STALE_HINT}"


def test_check_command_fails_on_a_stale_page(tmp_path, monkeypatch):
    stale = tmp_path / "landing_contract.md"
    stale.write_text(contract_doc.render().replace("SOL_ANT", "SOL_XXX"), encoding="utf-8")
    monkeypatch.setattr(contract_doc, "TARGET", stale)
    assert contract_doc.main(["--check"]) == 1
    stale.write_text(contract_doc.render(), encoding="utf-8")
    assert contract_doc.main(["--check"]) == 0


def test_make_docs_md_commands_pass_on_the_repository():
    for module in ("sources.contract_doc", "orchestration.kpi_doc"):
        result = subprocess.run(
            [sys.executable, "-m", module, "--check"], capture_output=True, text=True, cwd=contract_doc.REPO
        )
        assert result.returncode == 0, result.stderr


def test_a_contract_change_changes_the_page(monkeypatch):
    """A code added to the contract reaches the page (and with it the test above fails until regenerated)."""
    members = SOURCES["members"]
    columns = tuple(
        dataclasses.replace(c, codes=(*c.codes, "NIEUW")) if c.name == "sex" else c for c in members.columns
    )
    monkeypatch.setitem(contract_doc.SOURCES, "members", dataclasses.replace(members, columns=columns))
    page = contract_doc.render()
    assert "`M` / `F` / `X` / `NIEUW`" in page and "expected one of M/F/X/NIEUW" in page


def test_every_source_and_column_is_documented():
    page = contract_doc.TARGET.read_text(encoding="utf-8")
    for source in SOURCES.values():
        section = page.split(f"## `{source.name}`\n", 1)[1].split("\n## ", 1)[0]
        for column in source.columns:
            row = next((line for line in section.splitlines() if line.startswith(f"| `{column.name}` |")), None)
            assert row, f"{source.name}.{column.name} missing from docs/landing_contract.md"
            assert ("| yes |" in row) == column.required
            for code in column.codes:
                assert f"`{code}`" in row


def test_documented_reasons_are_what_the_quarantine_says(home):
    """A bad file as a user would drop it: the reasons in its quarantine appear word for word in the page."""
    page = contract_doc.TARGET.read_text(encoding="utf-8")
    row = landing_member(
        make_insz("850730033", born_2000_or_later=False),  # synthetic, valid check digits
        sex="V",
        affiliation_start="01/01/2020",
    )
    write_csv(home / "landing", "members", "leden.csv", [row])
    result = validate_source(home / "landing", SOURCES["members"])
    reasons = result.rejected.get_column("reason")[0].split("; ")
    assert len(reasons) == 2
    for reason in reasons:
        documented = reason.split(" (got '", 1)[0]
        assert f"`{documented}" in page, f"quarantine reason not in docs/landing_contract.md: {reason}"


def test_kpi_page_lists_every_mart_column_with_its_description():
    page = kpi_doc.TARGET.read_text(encoding="utf-8")
    described = 0
    for yml in sorted(kpi_doc.MARTS.glob("*/*.yml")):
        for model in yaml.safe_load(yml.read_text(encoding="utf-8"))["models"]:
            section = page.split(f"### `{model['name']}`\n", 1)[1].split("\n### ", 1)[0]
            for column in model["columns"]:
                description = " ".join(column["description"].split()).replace("|", "\\|")
                assert f"| `{column['name']}` | {column.get('data_type', '')} | {description} |" in section
                described += 1
    assert described > 150
    with (kpi_doc.DBT / "seeds" / "dmw" / "dmw_norms.csv").open(encoding="utf-8") as f:
        assert all(f"| `{r['norm_code']}` |" in page for r in csv.DictReader(f))


def test_spec_sections_are_taken_from_the_column_then_the_model():
    assert kpi_doc.spec_sections("Leden with a VT period (verhoogde tegemoetkoming, SPEC §5).", "SPEC §6") == "§5"
    assert kpi_doc.spec_sections("no section here", "SPEC §5 and §5a figures") == "§5, §5a"
    assert kpi_doc.spec_sections(None, "nothing") == ""


def test_contract_module_is_the_one_the_page_names():
    assert contract_doc.SOURCES is contract.SOURCES
