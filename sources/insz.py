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

import polars as pl

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
    """Pseudonyms of the INSZ columns of many frames, each distinct INSZ hashed once.

    A source repeats its persons (contributions at scale 1.0: 9.5 M rows, 2.5 M persons), so the
    HMAC is computed once per distinct value, with both SHA-256 pad blocks absorbed once and their
    states copied (a third of ``hmac.new``'s cost), and joined back to the rows. The values seen
    are kept for the next frame: memory grows with the persons, never with the rows. The INSZ stay
    in this process's memory only, never in a file or a log. Same pseudonyms as ``pseudonymise``
    (tests/test_insz.py).
    """

    def __init__(self, key: bytes):
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
        self._known = pl.DataFrame(schema={_VALUE: pl.String, _PSEUDONYM: pl.String})

    def _hmac(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:PSEUDONYM_HEX_LENGTH]

    def _pseudonyms_of(self, values: pl.Series) -> pl.DataFrame:
        """A (value, pseudonym) lookup that holds every non-null value of ``values``, the new ones
        hashed and added to the cache. For a frame with far fewer persons than the cache (a monthly
        DMW file after contributions) only its own values are picked out of the cache, by a scan:
        a join would build a hash table of all the persons of the run for each such file."""
        wanted = values.drop_nulls().unique()
        lookup = self._known
        if wanted.len() * 8 < lookup.height:
            lookup = lookup.filter(pl.col(_VALUE).is_in(wanted.implode()))
        new = wanted.to_frame(_VALUE).join(lookup.select(_VALUE), on=_VALUE, how="anti")
        if new.height:
            hashed = new.with_columns(
                pl.Series(_PSEUDONYM, [self._hmac(v) for v in new.get_column(_VALUE)], dtype=pl.String)
            )
            self._known = pl.concat([self._known, hashed], rechunk=False)
            lookup = pl.concat([lookup, hashed], rechunk=False)
        return lookup

    def replace(self, frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
        """``frame`` with each of ``columns`` (INSZ text) replaced by its pseudonym, null kept null."""
        for column in columns:
            frame = frame.with_columns(pl.col(column).cast(pl.String))
            pseudonyms = self._pseudonyms_of(frame.get_column(column))
            frame = (
                frame.join(pseudonyms, left_on=column, right_on=_VALUE, how="left", maintain_order="left")
                .with_columns(pl.col(_PSEUDONYM).alias(column))
                .drop(_PSEUDONYM)
            )
        return frame


_VALUE, _PSEUDONYM = "__insz", "__pseudonym"
_process_pseudonymiser: dict[bytes, Pseudonymiser] = {}


def shared_pseudonymiser(key: bytes) -> Pseudonymiser:
    """This process's ``Pseudonymiser`` for ``key``. A run ingests every source in one process
    (Dagster's in-process executor), so a person is hashed once per run rather than once per
    source; a new key drops the previous one's values."""
    if key not in _process_pseudonymiser:
        _process_pseudonymiser.clear()
        _process_pseudonymiser[key] = Pseudonymiser(key)
    return _process_pseudonymiser[key]
