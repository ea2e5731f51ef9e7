"""Streaming writers for the landing zone: one sink per source, any number of files per sink.

Batches are appended as Parquet row groups (zstd) or CSV blocks as they are produced, so that no
source is ever held in memory as a whole. Defects are injected batch by batch on the way out.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sources.contract import SOURCES

from .defects import Corrections, DefectInjector

ARROW_TYPES = {
    "insz": pa.string(),
    "str": pa.string(),
    "code": pa.string(),
    "postcode": pa.string(),
    "month": pa.string(),
    "date": pa.date32(),
    "int": pa.int32(),
    "decimal": pa.float64(),
    "bool": pa.bool_(),
}
FORMATS = ("parquet", "csv")
MANIFEST_NAME = "_generator_manifest.json"


def arrow_schema(source_name: str) -> pa.Schema:
    """Arrow schema of a source's landing files, in contract column order."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.kind]) for c in SOURCES[source_name].columns])


def dates(days: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """date32 array from day numbers; ``null`` marks missing values."""
    return pa.array(np.asarray(days, dtype="int32"), type=pa.date32(), mask=null)


def amounts(values: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """float64 amounts rounded to cents."""
    return pa.array(np.round(np.asarray(values, dtype="float64"), 2), type=pa.float64(), mask=null)


def make_table(source_name: str, columns: dict[str, object]) -> pa.Table:
    """A table with exactly the contract's columns and types, from arrays or Arrow arrays."""
    schema = arrow_schema(source_name)
    arrays = []
    for field in schema:
        value = columns[field.name]
        array = value if isinstance(value, (pa.Array, pa.ChunkedArray)) else pa.array(value)
        arrays.append(array.cast(field.type) if array.type != field.type else array)
    return pa.Table.from_arrays(arrays, schema=schema)


class _FileWriter:
    """Appends tables to one Parquet or CSV file, opened on first use."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str):
        self.path, self.schema, self.fmt = path, schema, fmt
        self.rows = 0
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            self._handle = open(path, "wb")  # noqa: SIM115 - closed by close(), the writer outlives this call
            self._handle.write((";".join(schema.names) + "\n").encode("utf-8"))
            options = pacsv.WriteOptions(include_header=False, delimiter=";", quoting_style="none")
            self._writer = pacsv.CSVWriter(self._handle, schema, write_options=options)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> None:
        self._writer.close()
        if self.fmt == "csv":
            self._handle.close()


class SourceSink:
    """All files of one source folder: routing of rows to files, defects, corrections CSV."""

    def __init__(self, source_name: str, out_dir: Path, fmt: str, seed: int, defects: bool, last_year: int):
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
        self.name = source_name
        self.schema = arrow_schema(source_name)
        self.folder = out_dir / source_name
        self.folder.mkdir(parents=True, exist_ok=True)  # emptied beforehand by clear_generated
        self.fmt = fmt
        self.injector = DefectInjector(source_name, seed) if defects else None
        self.corrections = Corrections(source_name, last_year, seed) if defects else None
        self.quality: Counter[str] = Counter()
        self.files: dict[str, _FileWriter] = {}

    def emit(
        self,
        table: pa.Table,
        suffixes: list[str],
        route: np.ndarray | None = None,
        corrections: bool = True,
        protected: np.ndarray | None = None,
    ) -> None:
        """Write ``table``; row i goes to file ``suffixes[route[i]]`` (one file when no route).

        ``corrections`` says whether this batch may give rows to the corrections CSV;
        ``protected`` rows get no defect.
        """
        if table.num_rows == 0:
            return
        route = np.zeros(table.num_rows, dtype="int64") if route is None else np.asarray(route, dtype="int64")
        if self.injector is not None:
            table, origin, touched = self.injector.apply(table, protected)
            route = route[origin]
            keep = self.corrections.take(table, touched) if corrections else None
            if keep is not None:
                table, route = table.filter(pa.array(keep)), route[keep]
        order = np.argsort(route, kind="stable")
        if not np.array_equal(order, np.arange(order.size)):
            table, route = table.take(pa.array(order)), route[order]
        bounds = np.flatnonzero(np.diff(route)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, route.size]):
            self._file(suffixes[route[lo]]).write(table.slice(lo, hi - lo))

    def _file(self, suffix: str) -> _FileWriter:
        if suffix not in self.files:
            path = self.folder / f"{self.name}_{suffix}.{self.fmt}"
            self.files[suffix] = _FileWriter(path, self.schema, self.fmt)
        return self.files[suffix]

    def count_quality(self, kind: str, n: int) -> None:
        """Record valid-but-imperfect rows (data-quality defects) made by a generator."""
        if n:
            self.quality[kind] += int(n)

    def close(self, empty_suffix: str) -> dict:
        """Close all files (an empty file when nothing was written) and summarise."""
        if not self.files:
            self._file(empty_suffix)
        summary_files = {w.path.name: w.rows for w in self.files.values()}
        for writer in self.files.values():
            writer.close()
        if self.corrections is not None:
            name = self.corrections.write(self.folder)
            if name:
                summary_files[name] = len(self.corrections.rows)
        defects = Counter(self.quality)
        if self.injector is not None:
            defects.update(self.injector.counts)
            defects.update(self.corrections.counts)
        return {
            "files": sorted(summary_files),
            "rows": int(sum(summary_files.values())),
            "defects": {k: int(v) for k, v in sorted(defects.items()) if v},
        }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(out_dir: Path, parameters: dict, summaries: dict[str, dict]) -> dict:
    """``_generator_manifest.json``: parameters, files and rows per source, defects per source and
    kind, and the size and SHA-256 of every file written (``clear_generated`` deletes only those).
    Sorted keys and no timestamps, so that equal inputs give an identical file."""
    generated = {f"{name}/{file}": out_dir / name / file for name, s in summaries.items() for file in s["files"]}
    manifest = {
        "parameters": parameters,
        "sources": {name: {"files": s["files"], "rows": s["rows"]} for name, s in sorted(summaries.items())},
        "defects": {name: s["defects"] for name, s in sorted(summaries.items()) if s["defects"]},
        "generated_files": {
            rel: {"bytes": path.stat().st_size, "sha256": sha256(path)} for rel, path in sorted(generated.items())
        },
    }
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


class ForeignFilesError(Exception):
    """The target folder holds files this generator did not write, or that changed since."""

    def __init__(self, out_dir: Path, foreign: list[str], unverifiable: bool = False):
        self.out_dir, self.foreign = out_dir, foreign
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        older = (
            f" Its {MANIFEST_NAME} comes from an earlier version that recorded no checksums: if {out_dir} "
            "holds only demo data, delete it yourself."
            if unverifiable
            else ""
        )
        super().__init__(
            f"{out_dir} holds {len(foreign)} file(s) that the generator did not write or that changed since "
            f"(not listed unchanged in {MANIFEST_NAME}): {shown}. Nothing was deleted. To generate demo data, "
            f"use another data directory (MUTWH_HOME=/path/to/demo make demo, or mutwh generate --out DIR), "
            f"or move these files out of {out_dir} first.{older}"
        )


def clear_generated(out_dir: Path) -> None:
    """Delete the files of an earlier generation into ``out_dir``, and nothing else.

    Every file under ``out_dir`` must be listed in its ``_generator_manifest.json`` with the same
    size and SHA-256; otherwise (a real export dropped into the landing zone, a generated file
    edited, a symlink, a manifest of an older generator without checksums) nothing is deleted and
    ``ForeignFilesError`` names the files. Empty folders are kept."""
    if not out_dir.is_dir():
        return
    manifest_path = out_dir / MANIFEST_NAME
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    listed = manifest.get("generated_files", {}) if isinstance(manifest, dict) else {}
    ours, foreign = [], []
    for folder, dirs, files in os.walk(out_dir):  # does not follow symlinked folders
        base = Path(folder)
        dirs.sort()
        for name in sorted(files) + sorted(d for d in dirs if (base / d).is_symlink()):
            path = base / name
            if path == manifest_path:
                continue
            rel = path.relative_to(out_dir).as_posix()
            expected = listed.get(rel) if isinstance(listed, dict) else None
            if (
                path.is_symlink()
                or not isinstance(expected, dict)
                or path.stat().st_size != expected.get("bytes")
                or sha256(path) != expected.get("sha256")
            ):
                foreign.append(rel)
            else:
                ours.append(path)
    if foreign:
        older = isinstance(manifest, dict) and "generated_files" not in manifest
        raise ForeignFilesError(out_dir, sorted(foreign), unverifiable=older)
    for path in ours:
        path.unlink()
    manifest_path.unlink(missing_ok=True)
