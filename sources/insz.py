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
    """Keyed pseudonym of one INSZ (reference implementation; ingestion computes it in DuckDB)."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:PSEUDONYM_HEX_LENGTH]


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """Inner and outer HMAC-SHA256 pads, so that SQL engines can compute the same HMAC."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)
