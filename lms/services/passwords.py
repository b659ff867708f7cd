"""Passwords: the rule for a new one (OWASP ASVS 5.0 V6.2), hashing and checking them."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "seed" / "common-passwords.txt"
# How people dress up a common word: P@ssw0rd, Matkhau$1.
LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s",
                      "5": "s", "7": "t"})
# Verifying against this when there is no usable hash keeps every answer equally slow.
_DUMMY_HASH = HASHER.hash("not a real password")


class PasswordRefused(ValueError):
    """`code` says, for the form, why a new password is refused."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalised(password: str) -> str:
    """NFKC, so that a Vietnamese passphrase matches however the keyboard composed it."""
    return unicodedata.normalize("NFKC", password or "")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines
                     if line.strip() and not line.startswith("#"))


def check_new(password: str, *, phone: str | None = None, email: str | None = None) -> None:
    """Length and a block list, no composition rules; raises PasswordRefused with the reason."""
    text = normalised(password)
    if len(text) < MIN_LENGTH:
        raise PasswordRefused("too-short")
    if len(text) > MAX_LENGTH:
        raise PasswordRefused("too-long")
    folded = text.casefold()
    if _contains_phone(folded, phone):
        raise PasswordRefused("contains-phone")
    if email and (email.casefold() in folded or _local_part_in(folded, email)):
        raise PasswordRefused("contains-email")
    if _is_common(folded):
        raise PasswordRefused("too-common")
    if _is_repetitive(folded):
        raise PasswordRefused("repetitive")


PIN_LENGTH = 6


def check_new_pin(pin: str, birth_year: int | None = None) -> None:
    """A learner card's PIN: six digits, not one of the sequences or the birth year a guesser
    tries first. The card holder needs both card and PIN, and tries are rate limited."""
    digits = pin or ""
    if not (len(digits) == PIN_LENGTH and digits.isascii() and digits.isdigit()):
        raise PasswordRefused("pin-format")
    if _is_repetitive(digits) or (birth_year and str(birth_year) in digits):
        raise PasswordRefused("pin-guessable")


def _contains_phone(folded: str, phone: str | None) -> bool:
    if not phone:
        return False
    digits = re.sub(r"[^0-9]", "", folded)
    national = phone[-9:]  # +84912345678 -> 912345678, however it was typed
    return national in digits


def _local_part_in(folded: str, email: str) -> bool:
    local = email.split("@", 1)[0].casefold()
    return len(local) >= 4 and local in folded


def _is_common(folded: str) -> bool:
    common = common_passwords()
    letters = re.sub(r"[^\w]|[\d_]", "", folded)
    return (folded in common or folded.translate(LEET) in common
            or re.sub(r"\s+", "", folded) in common
            # a common word with digits and symbols around it: Matkhau@123, Password2024!
            or (len(letters) >= 3 and len(folded) - len(letters) <= 6 and letters in common)
            # a few letters in a short run of digits and symbols: Abc@1234, 1qaz2wsx
            or (len(folded) < 12 and len(letters) <= 4))


def _is_repetitive(folded: str) -> bool:
    """aaaaaaaa, 123123123, abcdabcd, 12345678 and 98765432 are guessed first."""
    if len(set(folded)) <= 2:
        return True
    if re.fullmatch(r"(.{1,4})\1+.{0,3}", folded):
        return True
    steps = {ord(b) - ord(a) for a, b in zip(folded, folded[1:])}
    return steps <= {1} or steps <= {-1}


def hash_password(password: str) -> str:
    return HASHER.hash(normalised(password))


def verify(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; always runs one Argon2 verification (two for a password
    whose normalised form differs), so the answer time says nothing about the account."""
    usable = bool(password_hash) and password_hash.startswith("$argon2")
    target = password_hash if usable else _DUMMY_HASH
    candidates = [normalised(password)]
    if password and candidates[0] != password:
        candidates.append(password)  # a hash made before passwords were normalised
    matched = False
    for candidate in candidates:
        try:
            matched = HASHER.verify(target, candidate) or matched
        except (VerificationError, InvalidHashError):
            pass
    return usable and matched


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)
