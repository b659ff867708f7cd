"""Signed-in devices: each sign-in gets its own token, so one device can be signed out alone,
a new sign-in never reuses an old identifier, and "keep me signed in" ends after 30 days."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from lms.models import DeviceSession, User
from lms.services.clock import aware

LASTS = timedelta(days=30)


def _hash(token: str) -> str:
    # The token is 256 random bits: a fast hash is enough, and a stolen table signs no one in.
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, user: User, now: datetime, user_agent: str = "",
          lasts: timedelta = LASTS) -> str:
    """A new device session for `user`; returns its token, for the cookie only."""
    token = secrets.token_urlsafe(32)
    session.add(DeviceSession(user_id=user.id, token_hash=_hash(token), created_at=now,
                              expires_at=now + lasts, user_agent=(user_agent or "")[:200]))
    session.flush()
    return token


# Checked on every signed-in request: the statement is built once, not per request.
_SIGNED_IN = (select(User, DeviceSession.expires_at)
              .join(DeviceSession, DeviceSession.user_id == User.id)
              .where(DeviceSession.token_hash == bindparam("token_hash"),
                     DeviceSession.user_id == bindparam("user_id")))


def find(session: Session, user_id: int, token: str, now: datetime) -> User | None:
    """The person signed in on this device, or None: checked on every request, so one
    indexed query (the token's unique index) that loads the person too."""
    found = session.execute(_SIGNED_IN, {"token_hash": _hash(token), "user_id": user_id}).first()
    if found is None or aware(found.expires_at) <= now:
        return None
    return found[0]


def extend(session: Session, token: str, until: datetime) -> None:
    """A shared device's session lives a few minutes past each request (an idle timeout that
    the server keeps: a copied cookie is dead once the time has passed)."""
    session.execute(update(DeviceSession).where(DeviceSession.token_hash == _hash(token))
                    .values(expires_at=until))


def end(session: Session, token: str) -> None:
    session.execute(delete(DeviceSession).where(DeviceSession.token_hash == _hash(token)))


def end_others(session: Session, user: User, keep_token: str) -> int:
    """Signs `user` out everywhere but the device holding `keep_token`; returns how many."""
    result = session.execute(delete(DeviceSession).where(
        DeviceSession.user_id == user.id, DeviceSession.token_hash != _hash(keep_token)))
    return result.rowcount


def end_all(session: Session, user: User) -> None:
    session.execute(delete(DeviceSession).where(DeviceSession.user_id == user.id))


def count(session: Session, user: User, now: datetime) -> int:
    return len(session.scalars(select(DeviceSession.id).where(
        DeviceSession.user_id == user.id, DeviceSession.expires_at > now)).all())
