"""INSZ check digits, masking and pseudonyms (SPEC §4). Test numbers are synthetic."""

import hashlib
import hmac
import random

import polars as pl
import pytest

from sources.insz import (
    DEVELOPMENT_KEY,
    Pseudonymiser,
    insz_problem,
    is_valid_insz,
    make_insz,
    mask_insz,
    pseudonym_key,
    pseudonymise,
)
from sources.loader import insz_valid_expr

# Hand-computed: 97 - (850730033 mod 97) = 28; born 2000+: 97 - (2000125567 mod 97) = 77.
BORN_1985 = "850730" + "033" + "28"
BORN_2000 = "000125" + "567" + "77"


def test_valid_insz_with_hand_computed_check_digits():
    assert is_valid_insz(BORN_1985)
    assert make_insz("850730033", born_2000_or_later=False) == BORN_1985


def test_born_from_2000_uses_the_prefix_2():
    assert is_valid_insz(BORN_2000)
    assert make_insz("000125567", born_2000_or_later=True) == BORN_2000
    # the same nine digits with the pre-2000 check digits are a different (also valid) number
    assert make_insz("000125567", born_2000_or_later=False) != BORN_2000


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (BORN_1985[:-2] + "29", "check digits"),
        (BORN_1985[:-1], "11 digits"),
        (BORN_1985 + "0", "11 digits"),
        ("85O730" + "033" + "28", "11 digits"),
        ("", "missing"),
        (None, "missing"),
    ],
)
def test_invalid_insz_is_explained(value, problem):
    assert problem in insz_problem(value)


def test_polars_check_agrees_with_python_check():
    values = [BORN_1985, BORN_2000, BORN_1985[:-2] + "27", "12345", "abcdefghijk", make_insz("991231999", False)]
    polars_valid = pl.DataFrame({"insz": values}).select(insz_valid_expr("insz")).to_series().to_list()
    assert polars_valid == [is_valid_insz(v) for v in values]


def test_mask_keeps_only_the_birth_date_part():
    assert mask_insz(BORN_1985) == "850730*****"
    assert mask_insz("85O7") == "85?7*****"


def test_pseudonym_is_keyed_hmac_sha256():
    key = b"secret"
    expected = hmac.new(key, BORN_1985.encode(), hashlib.sha256).hexdigest()[:32]
    assert pseudonymise(BORN_1985, key) == expected
    assert pseudonymise(BORN_1985, b"other") != expected
    assert BORN_1985 not in expected


@pytest.mark.parametrize("key", [b"secret", DEVELOPMENT_KEY.encode(), b"k" * 64, b"long" * 40])
def test_pseudonymiser_gives_the_reference_pseudonyms(key):
    """Every row gets ``pseudonymise`` of its own value, in row order, across frames that share
    persons, with nulls kept null; keys of 64 bytes and longer (hashed first, RFC 2104) included."""
    pseudonyms = Pseudonymiser(key)
    first = pl.DataFrame(
        {"insz": [BORN_2000, None, BORN_1985, BORN_2000], "other": [BORN_1985, BORN_1985, None, "x"], "n": [1, 2, 3, 4]}
    )
    second = pl.DataFrame({"insz": [BORN_1985, "12345"], "other": [None, BORN_2000], "n": [5, 6]})
    for frame in (first, second):
        out = pseudonyms.replace(frame, ["insz", "other"])
        assert out.columns == frame.columns
        assert out.get_column("n").to_list() == frame.get_column("n").to_list()
        for column in ("insz", "other"):
            expected = [None if v is None else pseudonymise(v, key) for v in frame.get_column(column)]
            assert out.get_column(column).to_list() == expected


def test_development_key_only_without_environment_key(monkeypatch, caplog):
    monkeypatch.delenv("MUTWH_PSEUDONYM_KEY", raising=False)
    monkeypatch.setattr("sources.insz._warned", False)
    assert pseudonym_key() == DEVELOPMENT_KEY.encode()
    assert "development pseudonym key" in caplog.text
    monkeypatch.setenv("MUTWH_PSEUDONYM_KEY", "from-env")
    assert pseudonym_key() == b"from-env"


def test_pseudonymiser_small_frame_after_many_persons():
    """A frame with few persons after many (a monthly DMW file after contributions) takes its
    known values from the cache and hashes only the new one: same pseudonyms."""
    key = b"secret"
    many = [make_insz(f"{85_07_30_000 + n:09d}", False) for n in range(100)]
    pseudonyms = Pseudonymiser(key)
    pseudonyms.replace(pl.DataFrame({"insz": many}), ["insz"])
    small = pl.DataFrame({"insz": [many[7], BORN_2000, None, many[7]]})
    out = pseudonyms.replace(small, ["insz"]).get_column("insz").to_list()
    assert out == [pseudonymise(many[7], key), pseudonymise(BORN_2000, key), None, pseudonymise(many[7], key)]


def test_pseudonymiser_cache_stays_exact_across_many_frames():
    """Persons met again and again over many frames of growing size (the cache's sorted levels
    merged several times), in shuffled order, with leading zeros: each value keeps its own
    pseudonym, and a value that is not 11 digits never borrows an 11-digit one's."""
    key = b"secret"
    rng = random.Random(7)
    persons = [f"{n:011d}" for n in rng.sample(range(10**11), 3_000)] + ["00000000001", "00000000010"]
    pseudonyms = Pseudonymiser(key)
    for size in (1, 3, 10, 40, 200, 1_000, 5_000, 2, 50):
        values = [rng.choice(persons) for _ in range(size)] + ["1", "0000000001", "000000000010 "]
        rng.shuffle(values)
        out = pseudonyms.replace(pl.DataFrame({"insz": values}), ["insz"]).get_column("insz").to_list()
        assert out == [pseudonymise(v, key) for v in values]
    assert len(pseudonyms._seen._levels) < 5


def test_the_persons_of_a_run_are_given_back_before_dbt(monkeypatch, tmp_path):
    """Ingestion keeps every person seen for the next source; dbt, which comes after the last
    source, starts with that memory given back."""
    from orchestration import dbt_command
    from sources.insz import _process_pseudonymiser, shared_pseudonymiser

    monkeypatch.setenv("MUTWH_HOME", str(tmp_path))
    shared_pseudonymiser(b"k" * 32)
    assert _process_pseudonymiser
    dbt_command.before_dbt()
    assert not _process_pseudonymiser
