"""A growing set of 64-bit integers, looked up by binary search, each with an optional row of bytes.

Ingestion meets the same values again and again across a source's slices and files: the persons of
a run (``sources/insz.py``, with their pseudonyms) and the keys of the rows accepted so far
(``sources/loader.py``, as hashes). Building a hash table of every value seen for each new slice
cost more than all the checks (benchmarks/profile.md). Here the values are kept sorted in a few
levels, largest first: a slice's values are found with ``searchsorted`` in each level, and new values
go into a small level that is merged (no sort, ``np.insert`` at the found positions) into the one
before once it is a quarter of that one's size, so adding values never copies the whole set for
each slice.
"""

from __future__ import annotations

import numpy as np


class SortedLevels:
    """Distinct integers of one NumPy dtype, each with a row of ``width`` payload bytes (none when 0)."""

    def __init__(self, width: int = 0):
        self._width = width
        # each payload row kept as one opaque item of ``width`` bytes (a 1-D array): NumPy inserts
        # and gathers those 5-6 times faster than the rows of a 2-D uint8 array
        self._row = np.dtype((np.void, width)) if width else None
        self._levels: list[tuple[np.ndarray, np.ndarray | None]] = []

    def __len__(self) -> int:
        return sum(len(values) for values, _ in self._levels)

    def find(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For ``values`` (any order, repeats allowed): whether each is in the set, and its payload
        row (zeros where it is not; an empty array when the set has no payload)."""
        # searched in sorted order: NumPy then narrows each search by the previous one, and walks
        # each level's memory forward (random lookups of 1 M hashes in 10 M took 1.5 s, sorted 0.1 s)
        order = np.argsort(values, kind="stable")
        ordered = values[order]
        found = np.zeros(len(values), dtype=bool)
        payload = np.zeros((len(values) if self._width else 0) * self._width, dtype=np.uint8)
        rows = payload.view(self._row) if self._width else None
        for level, level_payload in self._levels:
            todo = np.flatnonzero(~found)
            if not todo.size:
                break
            at = np.minimum(np.searchsorted(level, ordered[todo]), len(level) - 1)
            hit = level[at] == ordered[todo]
            if level_payload is not None:
                rows[order[todo[hit]]] = level_payload[at[hit]]
            found[todo[hit]] = True
        unsorted = np.empty_like(found)
        unsorted[order] = found
        return unsorted, payload.reshape(-1, self._width) if self._width else payload.reshape(0, 0)

    def add(self, values: np.ndarray, payload: np.ndarray | None = None) -> None:
        """Add sorted distinct ``values`` that are not in the set yet, with their payload rows."""
        if not len(values):
            return
        if (payload is None) != (self._width == 0):
            raise ValueError("a payload row per value is needed exactly when the set has a payload width")
        if payload is not None:
            payload = np.ascontiguousarray(payload, dtype=np.uint8).view(self._row).ravel()
        self._levels.append((values, payload))
        while len(self._levels) > 1 and len(self._levels[-1][0]) * 4 >= len(self._levels[-2][0]):
            (level, level_payload), (new, new_payload) = self._levels[-2:]
            at = np.searchsorted(level, new)  # both sorted and disjoint: a merge, no sort
            merged_payload = None if level_payload is None else np.insert(level_payload, at, new_payload)
            self._levels[-2:] = [(np.insert(level, at, new), merged_payload)]


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by a sort: NumPy 2.4's ``unique`` without ``return_inverse`` hashes the
    values instead, 15 times slower on a million 64-bit integers (1.0 s against 0.07 s here)."""
    ordered = np.sort(values)
    distinct = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=distinct[1:])
    return ordered[distinct]
