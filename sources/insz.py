"""INSZ (rijksregisternummer) check digits, masking and keyed pseudonyms (SPEC §4).

An INSZ is YYMMDD + a 3-digit day counter + 2 check digits, check = 97 - (first 9 digits mod 97);
for people born from 2000 the 9 digits are prefixed with ``2`` before the modulo. The century is
not in the number, so a number is valid when either reading gives its check digits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from sources.sorted_levels import SortedLevels

log = logging.getLogger(__name__)

PSEUDONYM_KEY_ENV = "MUTWH_PSEUDONYM_KEY"
ENVIRONMENT_ENV = "MUTWH_ENV"
PRODUCTION = "production"
# A production key must be a real secret: 32 characters is the length of 16 random bytes in hex.
MIN_PRODUCTION_KEY_LENGTH = 32
# Deliberately self-describing so that it can never be mistaken for a production secret.
DEVELOPMENT_KEY = "mutwh-development-key-NOT-FOR-PRODUCTION"
PSEUDONYM_HEX_LENGTH = 32  # 128 bits of HMAC-SHA256: collision-free at any population size

_ELEVEN_DIGITS = re.compile(r"^[0-9]{11}$")  # not \d: it also matches other scripts' digits


def check_digits(first9: str, born_2000_or_later: bool) -> int:
    number = int(("2" if born_2000_or_later else "") + first9)
    return 97 - (number % 97)


def make_insz(first9: str, born_2000_or_later: bool) -> str:
    """Append the check digits to YYMMDD+counter."""
    return f"{first9}{check_digits(first9, born_2000_or_later):02d}"


def insz_problem(value: str | None) -> str | None:
    """None when ``value`` is a well-formed INSZ, else what is wrong with it."""
    if value is None or value == "":
        return "missing INSZ"
    if not _ELEVEN_DIGITS.match(value):
        return "INSZ must be 11 digits"
    check = int(value[9:])
    if check not in (check_digits(value[:9], False), check_digits(value[:9], True)):
        return "INSZ check digits do not match (mod 97)"
    return None


def is_valid_insz(value: str | None) -> bool:
    return insz_problem(value) is None


def mask_insz(value: str | None) -> str | None:
    """A form that can be shown in quarantine without revealing the person: ``850101*****``."""
    if value is None:
        return None
    return re.sub(r"\D", "?", value[:6]) + "*****"


_warned = False


class PseudonymKeyError(RuntimeError):
    """The pseudonym key is not fit for this environment (a configuration error, exit code 2)."""


def is_production() -> bool:
    return os.environ.get(ENVIRONMENT_ENV, "").strip().lower() == PRODUCTION


def require_production_key() -> None:
    """With ``MUTWH_ENV=production``, refuse to run without a real secret: pseudonyms made with the
    public development key can be reversed by anyone who has a list of INSZ."""
    if not is_production():
        return
    key = os.environ.get(PSEUDONYM_KEY_ENV, "")
    if not key:
        problem = f"{PSEUDONYM_KEY_ENV} is not set, so the public development key would be used"
    elif key == DEVELOPMENT_KEY:
        problem = f"{PSEUDONYM_KEY_ENV} holds the public development key"
    elif len(key) < MIN_PRODUCTION_KEY_LENGTH:
        problem = f"{PSEUDONYM_KEY_ENV} is shorter than {MIN_PRODUCTION_KEY_LENGTH} characters"
    else:
        return
    raise PseudonymKeyError(
        f"{ENVIRONMENT_ENV}=production but {problem}: set {PSEUDONYM_KEY_ENV} to the secret pseudonym key "
        f"(e.g. `openssl rand -hex 32`, kept in the secret store; the same key every run, or pseudonyms change)"
    )


def pseudonym_key() -> bytes:
    """The HMAC key from the environment; the development key only when none is set (warned), and
    never in production (``PseudonymKeyError``)."""
    global _warned
    require_production_key()
    key = os.environ.get(PSEUDONYM_KEY_ENV)
    if not key:
        if not _warned:
            _warned = True
            log.warning(
                "%s is not set: using the development pseudonym key; pseudonyms are not secret",
                PSEUDONYM_KEY_ENV,
            )
        key = DEVELOPMENT_KEY
    return key.encode()


def pseudonymise(value: str, key: bytes) -> str:
    """Keyed pseudonym of one INSZ (the reference: ``Pseudonymiser`` gives the same, faster)."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_LENGTH]


class Pseudonymiser:
    """Pseudonyms of the INSZ columns of many frames, each distinct INSZ hashed once per run.

    A run repeats its persons (at scale 1.0: 31 M INSZ values, 3.6 M persons), so the HMAC is
    computed once per distinct value: for the new persons of a frame by one vectorised DuckDB
    expression on every core, for other values in Python with both SHA-256 pad blocks absorbed
    once and their states copied (a third of ``hmac.new``'s cost). The persons seen are kept as sorted numbers (an INSZ
    is 11 digits, so as a number it is a 64-bit integer, and the same number means the same text)
    with their 16-byte pseudonyms beside them, and a frame's values are found by binary search:
    no hash table of every person of the run is built again for each frame, which made the
    lookups cost six times the hashing. Memory: 24 bytes per person, never per row. A value that is
    not 11 digits (a rejected row's, a test's) is hashed each time it is met. The INSZ stay in this
    process's memory only, never in a file or a log. Same pseudonyms as ``pseudonymise``
    (tests/test_insz.py).
    """

    def __init__(self, key: bytes):
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        inner_pad, outer_pad = bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
        self._inner = hashlib.sha256(inner_pad)
        self._outer = hashlib.sha256(outer_pad)
        # the same HMAC as one vectorised DuckDB expression over a column `insz` of text; it holds
        # the key's pads, so it lives in this object only and is never logged
        self._hmac_sql = (
            f"unhex(left(sha256(unhex('{outer_pad.hex()}') || "
            f"unhex(sha256(unhex('{inner_pad.hex()}') || encode(insz)))), {PSEUDONYM_HEX_LENGTH}))"
        )
        # the persons seen: INSZ numbers with their pseudonyms as rows of 16 bytes
        self._seen = SortedLevels(_DIGEST_BYTES)
        self._hasher: duckdb.DuckDBPyConnection | None = None  # opened at the first new person

    def _digest(self, value: str) -> bytes:
        inner = self._inner.copy()
        inner.update(value.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:_DIGEST_BYTES]

    def _hmac(self, value: str) -> str:
        return self._digest(value).hex()

    def _eleven_digit_pseudonyms(self, numbers: np.ndarray) -> np.ndarray:
        """Pseudonym bytes (one row of 16 per value) of INSZ given as numbers, in their order."""
        distinct, back = np.unique(numbers, return_inverse=True)
        found, digests = self._seen.find(distinct)
        if not found.all():
            new = distinct[~found]
            hashed = self._digests_of_numbers(new)
            digests[~found] = hashed
            self._seen.add(new, hashed)
        return digests[back]

    def _digests_of_numbers(self, numbers: np.ndarray) -> np.ndarray:
        """Pseudonym bytes of INSZ given as numbers, hashed by DuckDB on every core (a third of the
        time of one Python HMAC per value). A plain projection of an in-memory connection without
        a temporary directory: the INSZ are streamed through, never spilled to a file."""
        texts = pl.Series("insz", numbers, dtype=pl.Int64).cast(pl.String).str.zfill(11).to_frame()
        if self._hasher is None:
            self._hasher = duckdb.connect(config={"temp_directory": ""})
        # a relation, not register(): DuckDB keeps a registered object alive until the connection closes
        new_insz = self._hasher.from_arrow(texts.to_arrow())
        hashed = new_insz.query("new_insz", f"select {self._hmac_sql} as digest from new_insz").to_arrow_table()
        column = hashed.column("digest").combine_chunks()
        _, offsets, data = column.buffers()
        offsets = np.frombuffer(offsets, dtype=np.int32)[column.offset : column.offset + len(column) + 1]
        if len(column) != len(numbers) or not (np.diff(offsets) == _DIGEST_BYTES).all():
            raise RuntimeError("DuckDB's HMAC did not return one 16-byte digest per INSZ")
        return np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(len(numbers), _DIGEST_BYTES)

    def pseudonyms(self, values: pl.Series) -> pl.Series:
        """The pseudonym (hex text) of each of ``values`` (INSZ text), null kept null, in order."""
        values = values.cast(pl.String)
        eleven = values.str.contains(_ELEVEN_DIGITS.pattern).fill_null(False)
        numbers = values.filter(eleven).cast(pl.Int64).to_numpy()
        digests = self._eleven_digit_pseudonyms(numbers)
        buffer = pa.py_buffer(digests.tobytes())
        hexed = (
            pl.Series(pa.FixedSizeBinaryArray.from_buffers(pa.binary(_DIGEST_BYTES), len(numbers), [None, buffer]))
            .cast(pl.Binary)
            .bin.encode("hex")
        )
        out = pl.Series(values.name, [None] * len(values), dtype=pl.String)
        if len(numbers):
            out = out.scatter(eleven.arg_true(), hexed)
        others = values.is_not_null() & ~eleven
        if others.any():
            odd = values.filter(others)
            hashed = {v: self._hmac(v) for v in odd.unique().to_list()}
            out = out.scatter(others.arg_true(), odd.replace_strict(hashed, return_dtype=pl.String))
        return out

    def replace(self, frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """``frame`` with each of ``columns`` (INSZ text) replaced by its pseudonym, null kept null."""
        return frame.with_columns(self.pseudonyms(frame.get_column(column)) for column in columns)


_DIGEST_BYTES = PSEUDONYM_HEX_LENGTH // 2
_process_pseudonymiser: dict[bytes, Pseudonymiser] = {}


def shared_pseudonymiser(key: bytes) -> Pseudonymiser:
    """This process's ``Pseudonymiser`` for ``key``. A run ingests every source in one process
    (Dagster's in-process executor), so a person is hashed once per run rather than once per
    source; a new key drops the previous one's values."""
    if key not in _process_pseudonymiser:
        _process_pseudonymiser.clear()
        _process_pseudonymiser[key] = Pseudonymiser(key)
    return _process_pseudonymiser[key]


def release_shared_pseudonymiser() -> None:
    """Forget this process's persons once ingestion is over (before dbt starts): 24 bytes a person,
    ~0.3 GiB at national scale, that the run's process would otherwise hold beside dbt's DuckDB."""
    _process_pseudonymiser.clear()
