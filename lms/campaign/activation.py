"""The one-time codes that let an imported civil servant set a first password."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.orm import Session

from lms.models import User
from lms.services.accounts import (HASHER, AccountError, account_typed,
                                   check_new_password, end_all_sessions)
from lms.services.passwords import hash_password


CODE_VALID_FOR = timedelta(days=30)
AUDIENCE = "civil-servant"
NOT_ACTIVATED = "!"
# 16 random digits (53 bits), printed in four groups like the 8-digit printed recovery codes
# ("1234 5678 9012 3456") and typed on the phone's number pad.
CODE_DIGITS = 16
# Why a keyed fast hash and not Argon2: Argon2 makes guessing a *weak* secret (a password)
# slow. These codes are random and long, so guessing them is hopeless however fast the hash;
# and the key lives in the server's configuration, not in the database, so a stolen database
# alone cannot even test a guess. Argon2 per code cost ~20 ms each: 23 s for a 1,000-row
# import, past gunicorn's timeout. Guessing through the site stays rate-limited (limits.py).
HMAC_PREFIX = "hmac-sha256$"


def activation_key() -> bytes:
    """The server key for activation codes, derived from SECRET_KEY for this one purpose."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"lms activation codes v1", hashlib.sha256).digest()


def _code_hash(digits: str, key: bytes) -> str:
    return HMAC_PREFIX + hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def shown_code(code: str) -> str:
    """ "1234567890123456" as printed: "1234 5678 9012 3456"."""
    return " ".join(code[start:start + 4] for start in range(0, len(code), 4))


def needs_code(user: User, now: datetime) -> bool:
    """Not yet activated, and holding no code that still works."""
    return user.password_hash == NOT_ACTIVATED and (
        user.activation_code_hash is None or user.activation_expires_at is None
        or _as_utc(user.activation_expires_at) <= now)


def issue_activation_code(user: User, now: datetime | None = None,
                          key: bytes | None = None) -> str:
    """A new code for `user`, kept only as a keyed hash; the clear code is returned once.
    An import passes `key` once for all its rows."""
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    user.activation_code_hash = _code_hash(code, key or activation_key())
    user.activation_expires_at = (now or datetime.now(timezone.utc)) + CODE_VALID_FOR
    return code


def code_matches(stored: str | None, typed: str) -> bool:
    """Whether `typed` is the code behind `stored`, compared in constant time. Codes issued
    before the keyed hash (8 digits, Argon2) keep working until they expire (30 days)."""
    digits = re.sub(r"[\s.\-]", "", typed or "")
    if stored and stored.startswith("$argon2"):
        try:
            return HASHER.verify(stored, digits)
        except (VerificationError, InvalidHashError):
            return False
    # Computed for an unknown account too, so the time taken reveals no one.
    key = activation_key()
    known = bool(stored) and stored.startswith(HMAC_PREFIX)
    expected = stored if known else _code_hash("", key)
    return hmac.compare_digest(_code_hash(digits, key), expected) and known


def activate(session: Session, identifier: str, code: str, password: str,
             now: datetime | None = None) -> User:
    """Sets the first password of an imported account; the code then stops working.

    Raises AccountError("code", "wrong-code") for an unknown account, a wrong, used or
    expired code alike, so the answer does not tell who has an account.
    """
    now = now or datetime.now(timezone.utc)
    parsed, user = account_typed(session, identifier)
    # Checked against what was typed, not the account found, so the answer reveals no one.
    check_new_password(password, **({parsed.kind: parsed.value} if parsed else {}))
    usable = (user is not None and user.activation_code_hash is not None
              and user.activation_expires_at is not None
              and _as_utc(user.activation_expires_at) > now)
    if not (code_matches(user.activation_code_hash if usable else None, code) and usable):
        raise AccountError("code", "wrong-code")
    user.password_hash = hash_password(password)
    user.activation_code_hash = user.activation_expires_at = None
    end_all_sessions(user)
    return user


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
