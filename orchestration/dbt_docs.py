"""``make docs``: the dbt documentation of the built warehouse as one offline page.

    python -m orchestration.dbt_docs      # writes $MUTWH_HOME/docs/index.html

``dbt docs generate --static`` writes ``static_index.html``: the docs app with the manifest and the
catalog (columns and types as the warehouse holds them) inlined, so it opens from disk without
``dbt docs serve``. The catalog is read from the warehouse, so a run must have built the marts
first. The page must open on an offline PC: any ``http(s)://`` resource it would load (a web font,
a script from a CDN) is removed, and ``external_resources`` reports what is left.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from orchestration.dbt_command import DBT_PROJECT_DIR, before_dbt, dbt_command

DOCS_DIR = "docs"
INDEX = "index.html"
# Attributes and CSS that make a browser fetch a resource by itself (links in <a href> do not).
_RESOURCE = re.compile(
    r"""<(?:script|img|iframe|audio|video|source|embed)\b[^>]*\bsrc\s*=\s*["']?(https?:)?//[^"'\s>]+"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(https?:)?//[^"'\s>]+"""
    r"""|@import\s+(?:url\()?\s*["']?(https?:)?//[^"')\s;]+"""
    r"""|url\(\s*["']?(https?:)?//[^"')\s]+""",
    re.IGNORECASE,
)


class DocsError(RuntimeError):
    """A problem the user can act on, printed as one line."""


def external_resources(page: str) -> list[str]:
    """Every remote resource the page would load on opening (``<script src>``, ``<link href>``,
    CSS ``@import`` and ``url()``), in order."""
    return [m.group(0) for m in _RESOURCE.finditer(page)]


def make_offline(page: str) -> str:
    """The page without its remote resources: ``<link>``, ``<script src>``, images and frames from
    another host and CSS imports of web fonts are dropped (the page falls back to the system fonts)."""
    page = re.sub(r"""<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", "", page, flags=re.IGNORECASE)
    page = re.sub(r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>\s*</script>""", "", page, flags=re.IGNORECASE)
    page = re.sub(
        r"""<(?:img|iframe|audio|video|source|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>""",
        "",
        page,
        flags=re.IGNORECASE,
    )
    page = re.sub(r"""@import\s+(?:url\()?\s*["']?(?:https?:)?//[^;]*;""", "", page, flags=re.IGNORECASE)
    page = re.sub(r"""url\(\s*["']?(?:https?:)?//[^"')\s]+["']?\s*\)""", "none", page, flags=re.IGNORECASE)
    return page


def _require_built_warehouse(home) -> None:
    from mutwh.warehouse import connect_warehouse, is_postgres

    where = "the PostgreSQL warehouse" if is_postgres() else str(home.warehouse)
    if not is_postgres() and not home.warehouse.is_file():
        raise DocsError(
            f"no warehouse at {where}: the documentation describes the built tables; "
            "run `make demo` or `mutwh run` first"
        )
    with connect_warehouse(home, read_only=True) as con:
        count = con.sql("select count(*) from information_schema.tables where table_schema = 'marts'").fetchall()[0][0]
    if not count:
        raise DocsError(
            f"{where} holds no marts yet: the documentation describes the built tables; "
            "run `mutwh run` first (or `make demo`)"
        )


def build(home) -> Path:
    """Generate the docs into a scratch folder under ``home`` and publish ``docs/index.html``."""
    _require_built_warehouse(home)
    target = home.root / DOCS_DIR
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".dbt-docs-", dir=home.root) as scratch:
        before_dbt(say=lambda message: print(message, file=sys.stderr))
        result = subprocess.run(
            [
                *dbt_command("docs", "generate", "--static", target=Path(scratch) / "target"),
                "--log-path",
                str(Path(scratch) / "logs"),
            ],
            cwd=DBT_PROJECT_DIR,
            capture_output=True,
            text=True,
        )
        static = Path(scratch) / "target" / "static_index.html"
        if result.returncode != 0 or not static.is_file():
            raise DocsError(
                f"dbt docs generate failed (exit {result.returncode}): "
                f"{(result.stdout + result.stderr).strip()[-2000:]}"
            )
        page = make_offline(static.read_text(encoding="utf-8"))
    left = external_resources(page)
    if left:
        raise DocsError(f"the documentation page would still load {len(left)} remote resource(s), e.g. {left[0][:200]}")
    partial = target / f".{INDEX}.partial"
    partial.write_text(page, encoding="utf-8")
    os.replace(partial, target / INDEX)
    return target / INDEX


def main() -> int:
    from mutwh.home import Home, HomeError

    try:
        home = Home.from_env()
        index = build(home)
    except (DocsError, HomeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"dbt documentation: {index} (opens offline; models, columns, tests and lineage)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
