"""Reminders of assignment due dates: one row per message, the outbox `flask reminders send`
works through (the rules and the sending are lms/campaign/reminders.py's)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base
from lms.models.campaign import Assignment
from lms.models.user import User, utc_now


class Reminder(Base):
    """One message to one person about one assignment, by one rule, on one channel.

    The unique constraint is what makes filling idempotent: a second fill, or a second host
    filling at the same moment, finds the row there and adds nothing.
    """

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("user_id", "assignment_id", "rule", "channel"),
                      Index("ix_reminders_status_next_try_at", "status", "next_try_at"),
                      Index("ix_reminders_assignment_id_status", "assignment_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(10))  # due-7, due-1, overdue
    channel: Mapped[str] = mapped_column(String(10))  # sms, email
    # waiting, claimed, sending, sent, failed (tried again later), given-up, unknown (the
    # sender stopped while sending: perhaps sent, never sent again), or skipped: opted-out,
    # no-contact, finished (done in between), outdated (the rule no longer applies).
    status: Mapped[str] = mapped_column(String(12), default="waiting")
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # Who holds a claimed or sending row (one run of the command) and until when.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    user: Mapped[User] = relationship()
    assignment: Mapped[Assignment] = relationship()
