"""People who use lms: learners, and the staff roles layered on them."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base
from lms.models.org import OrgUnit


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class User(UserMixin, Base):
    __tablename__ = "users"
    # Reports group people by unit, audience and age group.
    __table_args__ = (Index("ix_users_unit_audience_birth", "org_unit_id", "audience",
                            "birth_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    birth_year: Mapped[int | None]
    # "!" until an imported person activates their account: it matches no password.
    password_hash: Mapped[str] = mapped_column(String(200))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="learner")
    # citizen or civil-servant: which certification programs and targets the person counts for.
    audience: Mapped[str] = mapped_column(String(20), default="citizen", server_default="citizen")
    position: Mapped[str | None] = mapped_column(String(200))
    # HR's staff or personal number, from the staff list: tells namesakes apart in exports.
    staff_number: Mapped[str | None] = mapped_column(String(50))
    # Managers and organisers see this unit and every unit below it, nothing else.
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    # Imported staff activate their account themselves with a one-time code.
    activation_code_hash: Mapped[str | None] = mapped_column(String(200))
    activation_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Changing this value signs the account out of every session that still carries the old one.
    session_token: Mapped[str] = mapped_column(String(64))
    # Set when a one-time code sent to (or printed for) the number or address was used: until
    # then an identifier is only a claim (see README, "Proven phone numbers and emails").
    phone_proven_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_proven_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # A deleted account stays only as a pseudonymous holder of its certificates (masked name,
    # no phone, email or password), so that their codes keep verifying.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The interface language the person last chose while signed in (vi, en): what reminders
    # are written in. None: never chose, Vietnamese.
    language: Mapped[str | None] = mapped_column(String(5))
    # When the person turned off due-date reminders by SMS or by email; None: they are on.
    sms_reminders_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_reminders_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    org_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[org_unit_id])
    scope_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[scope_unit_id])

    # The signed-in device's token (services/sessions.py), set at sign-in and by the loader.
    device_token = None

    def get_id(self) -> str:
        return f"{self.id}:{self.device_token}"
