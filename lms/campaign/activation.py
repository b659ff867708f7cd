"""The one-time codes that let an imported civil servant set a first password."""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta, timezone

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from lms.models import User
from lms.services.accounts import (HASHER, AccountError, account_typed,
                                   check_new_password, end_all_sessions)
from lms.services.passwords import hash_password


CODE_VALID_FOR = timedelta(days=30)
AUDIENCE = "civil-servant"
NOT_ACTIVATED = "!"


_DUMMY_CODE_HASH = HASHER.hash("00000000")


def needs_code(user: User, now: datetime) -> bool:
    """Not yet activated, and holding no code that still works."""
    return user.password_hash == NOT_ACTIVATED and (
        user.activation_code_hash is None or user.activation_expires_at is None
        or _as_utc(user.activation_expires_at) <= now)


def issue_activation_code(user: User, now: datetime | None = None) -> str:
    """A new 8-digit code for `user`, kept only as a hash; the clear code is returned once."""
    code = f"{secrets.randbelow(10 ** 8):08d}"
    user.activation_code_hash = HASHER.hash(code)
    user.activation_expires_at = (now or datetime.now(timezone.utc)) + CODE_VALID_FOR
    return code


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
    digits = re.sub(r"[\s.\-]", "", code or "")
    try:
        HASHER.verify(user.activation_code_hash if usable else _DUMMY_CODE_HASH, digits)
    except (VerificationError, InvalidHashError):
        usable = False
    if not usable:
        raise AccountError("code", "wrong-code")
    user.password_hash = hash_password(password)
    user.activation_code_hash = user.activation_expires_at = None
    end_all_sessions(user)
    return user


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
