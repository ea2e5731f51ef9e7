"""The sets ingestion looks values up in (issue 20): ``SortedLevels`` behaves as a Python set (with
payload rows) however the values arrive, and the key check across slices stays exact when two keys
share a 64-bit hash: the hash only decides which rows are compared key by key."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest

from sources.contract import SOURCES
from sources.loader import _KEY_HASH, _first_keys_only, new_keys_seen
from sources.sorted_levels import SortedLevels


@pytest.mark.parametrize("width", [0, 3])
def test_sorted_levels_is_a_set_with_payload(width):
    rng = random.Random(11)
    levels = SortedLevels(width)
    reference: dict[int, bytes] = {}
    for size in (1, 5, 2, 50, 400, 3, 2_000, 1, 30, 9_000, 7):
        batch = np.array([rng.randrange(-(2**40), 2**40) for _ in range(size)], dtype=np.int64)
        found, payload = levels.find(batch)
        assert found.tolist() == [int(v) in reference for v in batch]
        if width:
            assert [bytes(row) for row, hit in zip(payload, found) if hit] == [
                reference[int(v)] for v, hit in zip(batch, found) if hit
            ]
        new = np.unique(batch[~found])
        rows = np.array([[int(v) % 251, size % 251, 7] for v in new], dtype=np.uint8).reshape(len(new), 3)
        levels.add(new, rows[:, :width] if width else None)
        reference.update({int(v): bytes(r[:width]) for v, r in zip(new, rows)})
    assert len(levels) == len(reference)
    assert len(levels._levels) < 6, "small levels are merged into larger ones"


def test_sorted_levels_refuses_missing_payload():
    with pytest.raises(ValueError):
        SortedLevels(16).add(np.array([1, 2], dtype=np.int64))


def _slice(ids: list[str], hashes: list[int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A checked slice of contributions (only the key matters) and its key frame with forced hashes."""
    ok = pl.DataFrame({"contribution_id": ids, "_source_row": list(range(1, len(ids) + 1))})
    keys = pl.DataFrame(
        {
            "__typed_contribution_id": ids,
            "__file": pl.Series([0] * len(ids), dtype=pl.UInt32),
            "_source_row": list(range(1, len(ids) + 1)),
            _KEY_HASH: pl.Series(hashes, dtype=pl.UInt64),
        }
    )
    return ok, keys


def test_first_keys_only_compares_keys_when_hashes_collide():
    """Every key below has the same hash: a new key is still kept, a repeated one still dropped,
    within the slice and against the earlier slice."""
    source = SOURCES["contributions"]
    seen = new_keys_seen()
    ok1, keys1 = _slice(["A", "B", "A"], [1, 1, 1])
    first, repeats1 = _first_keys_only(ok1, keys1, [], seen, source)
    assert first.get_column("contribution_id").to_list() == ["A", "B"]
    assert repeats1.get_column("_source_row").to_list() == [3]

    ok2, keys2 = _slice(["C", "A", "C", "D"], [1, 1, 1, 2])
    second, repeats2 = _first_keys_only(ok2, keys2, [keys1], seen, source)
    assert second.get_column("contribution_id").to_list() == ["C", "D"]
    assert second.get_column("_source_row").to_list() == [1, 4]
    assert repeats2.get_column("__typed_contribution_id").to_list() == ["A", "C"]


def test_a_repeat_is_found_when_its_hash_was_first_seen_with_another_key():
    """A repeated hash points to the part where the hash was first seen: when that part holds
    another key with the same hash (B first seen in part 1, the hash in part 0 with A), the repeat
    is still found by comparing with every earlier part; so is a key whose part was dropped (a
    refused file's: the index points past the parts kept)."""
    source = SOURCES["contributions"]
    seen = new_keys_seen()
    ok0, keys0 = _slice(["A"], [7])
    _first_keys_only(ok0, keys0, [], seen, source)
    ok1, keys1 = _slice(["B"], [7])
    kept1, _ = _first_keys_only(ok1, keys1, [keys0], seen, source)
    assert kept1.get_column("contribution_id").to_list() == ["B"]
    ok2, keys2 = _slice(["B", "C"], [7, 8])
    kept2, repeats2 = _first_keys_only(ok2, keys2, [keys0, keys1], seen, source)
    assert kept2.get_column("contribution_id").to_list() == ["C"]
    assert repeats2.get_column("__typed_contribution_id").to_list() == ["B"]
    # part 2 (C) refused and dropped: C, seen in a part no longer kept, is new again
    ok3, keys3 = _slice(["C"], [8])
    kept3, _ = _first_keys_only(ok3, keys3, [keys0, keys1], seen, source)
    assert kept3.get_column("contribution_id").to_list() == ["C"]


def test_first_keys_only_without_collisions_keeps_first_rows_in_order():
    source = SOURCES["contributions"]
    seen = new_keys_seen()
    ok1, keys1 = _slice(["A", "B", "B"], [10, 20, 20])
    kept1, repeats1 = _first_keys_only(ok1, keys1, [], seen, source)
    assert kept1.get_column("_source_row").to_list() == [1, 2]
    assert repeats1.get_column("_source_row").to_list() == [3]
    ok2, keys2 = _slice(["E", "B", "F", "A"], [30, 20, 40, 10])
    kept, repeats = _first_keys_only(ok2, keys2, [keys1], seen, source)
    assert kept.get_column("contribution_id").to_list() == ["E", "F"]
    assert repeats.get_column("_source_row").to_list() == [2, 4]


def test_sorted_distinct_is_numpys_unique():
    from sources.sorted_levels import sorted_distinct

    rng = np.random.default_rng(3)
    for values in (
        np.array([], dtype=np.uint64),
        np.array([5], dtype=np.uint64),
        rng.integers(0, 50, 1_000).astype(np.uint64),
        rng.integers(0, 2**64 - 1, 10_000, dtype=np.uint64),
    ):
        assert np.array_equal(sorted_distinct(values), np.unique(values))


def test_cross_file_flags_name_the_first_row_when_hashes_collide():
    from sources.loader import _cross_file_flags

    source = SOURCES["contributions"]
    seen = new_keys_seen()
    ok1, first = _slice(["A", "B"], [1, 1])
    ok2, second = _slice(["C", "A", "B"], [1, 1, 1])
    second = second.with_columns(pl.lit(1, dtype=pl.UInt32).alias("__file"))
    _, repeats1 = _first_keys_only(ok1, first, [], seen, source)
    _, repeats2 = _first_keys_only(ok2, second, [first], seen, source)
    labels = ["contributions/a.csv", "contributions/b.csv"]
    flags = _cross_file_flags([first, second], [repeats1, repeats2], labels, source)
    assert flags.rows() == [
        ("contributions/b.csv", 2, "duplicate key (contribution_id): first seen in contributions/a.csv row 1"),
        ("contributions/b.csv", 3, "duplicate key (contribution_id): first seen in contributions/a.csv row 2"),
    ]
