"""What keeps an account reachable, safe and lawful: one-time codes, the devices signed in,
and the person's consent to the privacy notice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base
from lms.models.user import utc_now


class OneTimeCode(Base):
    """A short-lived, single-use code sent to a phone or email, or printed by a manager.

    Only its Argon2 hash is kept. `target` is the phone number or email it was sent to (or the
    account's, when printed): using the code proves that the person holds it.
    """

    __tablename__ = "one_time_codes"
    __table_args__ = (Index("ix_one_time_codes_user_id_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))  # prove, reset
    target: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    wrong_tries: Mapped[int] = mapped_column(default=0)
    # A manager or administrator who printed it for a person in front of them; None if sent.
    issued_by_id: Mapped[int | None]


class DeviceSession(Base):
    """One signed-in browser. Its token is in the person's cookie; only its hash is here, so
    each device can be signed out alone and a new sign-in always gets a new identifier."""

    __tablename__ = "device_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class Consent(Base):
    """The person agreed to this version of the privacy notice, at this moment (Decree
    356/2025/ND-CP asks that consent be given explicitly and can be shown)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notice_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    address: Mapped[str | None] = mapped_column(String(64))
    # Given through a helper at a support point, for a person without a phone or email: who
    # recorded it, and that they read the printed notice aloud to the person.
    recorded_by_id: Mapped[int | None]
    read_aloud: Mapped[bool | None]
