"""Every relative link of README.md and docs/*.md opens a file of the repository (and its heading),
and the README points to every page of docs/ and to nothing outside the repository."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parent.parent
# Pages other work writes from code; the README links them before they exist on every branch.
PENDING = {Path("docs/exports.md")}
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)


def markdown_pages() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def links(text: str) -> list[str]:
    """Targets of inline links and images, outside fenced code blocks and inline code."""
    text = FENCE.sub("", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    return LINK.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not match:
            continue
        base = slug(match.group(1))
        n = seen.get(base, 0)
        seen[base] = n + 1
        found.add(base if n == 0 else f"{base}-{n}")
    return found


def broken_links(page: Path, repo: Path = REPO) -> list[str]:
    problems = []
    for target in links(page.read_text(encoding="utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / unquote(path_part)).resolve() if path_part else page
        try:
            relative = resolved.relative_to(repo)
        except ValueError:
            problems.append(f"{page.name}: {target} points outside the repository")
            continue
        if relative in PENDING and not resolved.exists():
            continue
        if not resolved.exists():
            problems.append(f"{page.name}: {target} does not exist ({relative})")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{page.name}: {target} has no heading #{anchor} in {relative}")
    return problems


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_resolve(page):
    assert broken_links(page) == []


def test_readme_links_every_docs_page_and_the_dbt_docs():
    targets = {t.partition("#")[0] for t in links((REPO / "README.md").read_text(encoding="utf-8"))}
    for page in [*sorted((REPO / "docs").glob("*.md")), *(REPO / p for p in PENDING)]:
        assert str(page.relative_to(REPO)) in targets, f"README.md does not link {page.relative_to(REPO)}"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make docs" in readme and "$MUTWH_HOME/docs/index.html" in readme


def test_readme_points_to_no_file_outside_the_repository():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "SPEC.md" not in readme
    assert not re.search(r"(?<![\w$])/(work|home|root|tmp)/", readme)


def test_the_checker_finds_broken_links(tmp_path):
    """The checks above can fail: a missing file, a missing heading and a path outside the repository."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "README.md").write_text("# Title\n\n## Two words\n", encoding="utf-8")
    page = docs / "page.md"
    page.write_text(
        "[ok](../README.md#two-words) [gone](missing.md) [anchor](../README.md#nope) "
        "[out](../../x.md) [web](https://example.org) `[code](nowhere.md)`\n",
        encoding="utf-8",
    )
    problems = broken_links(page, repo=tmp_path)
    assert [p.split(": ", 1)[1].split(" ", 1)[0] for p in problems] == ["missing.md", "../README.md#nope", "../../x.md"]


def test_slugs_follow_github():
    assert slug("Landing zone and privacy") == "landing-zone-and-privacy"
    assert slug("`members`") == "members"
    assert (
        slug("Non-take-up: VT mailing and renewal of the right (SPEC §5b)")
        == "non-take-up-vt-mailing-and-renewal-of-the-right-spec-5b"
    )
