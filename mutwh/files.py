"""Atomic file writing for exports: a reader never sees a half-written file (SPEC §6, §9)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path


def write_bytes_atomic(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, target)


_NEEDS_QUOTES = re.compile('[,"\r\n]')


def csv_field(value) -> str:
    """One CSV field, quoted when it holds ``,``, ``"``, CR or LF. Python's csv module leaves a CR
    unquoted when the line end is ``\\n``, and a reader then splits the record there."""
    text = "" if value is None else str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_csv_atomic(target: Path, rows: Iterable[Mapping], columns: Sequence[str]) -> None:
    """CSV per SPEC §6: ``,`` separator, ``.`` decimals, UTF-8, header, ``\\n`` line ends."""
    columns = list(columns)
    known = set(columns)
    lines = [",".join(map(csv_field, columns))]
    for number, row in enumerate(rows, start=1):
        if not known.issuperset(row):
            unknown = set(row) - known
            raise ValueError(f"{target.name}: row {number} has columns {sorted(unknown)} not in the header {columns}")
        lines.append(",".join([csv_field(row.get(name)) for name in columns]))
    if len(columns) == 1:  # a lone empty field would read as a blank line
        lines = [line or '""' for line in lines]
    write_bytes_atomic(target, ("\n".join(lines) + "\n").encode("utf-8"))


def generated_page_main(argv: Sequence[str] | None, render, target: Path, description: str) -> int:
    """The command line of a docs/ page generated from code: ``--write`` rewrites ``target`` with
    ``render()``, ``--check`` exits 1 when the committed page differs (``make docs-md`` runs the
    first, a test the second)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=description)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help=f"write {target.name}")
    mode.add_argument("--check", action="store_true", help="exit 1 when the committed page differs")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
        return 0
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        print(f"{target} is stale: run `make docs-md` and commit it", file=sys.stderr)
        return 1
    return 0
