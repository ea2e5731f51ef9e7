"""Atomic file writing for exports: a reader never sees a half-written file (SPEC §6, §9)."""

from __future__ import annotations

import csv
import io
import os
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


def write_csv_atomic(target: Path, rows: Iterable[Mapping], columns: Sequence[str]) -> None:
    """CSV per SPEC §6: ``,`` separator, ``.`` decimals, UTF-8, header, ``\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    write_bytes_atomic(target, buffer.getvalue().encode("utf-8"))
