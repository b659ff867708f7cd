"""Campaigns: courses or programs assigned with a due date, and certification targets."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base
from lms.models.org import OrgUnit
from lms.models.user import utc_now


class Assignment(Base):
    """A course or program that a unit (and every unit below it) or listed people must do."""

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(10))  # course or program
    subject_slug: Mapped[str] = mapped_column(String(100))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    # "citizen", "civil-servant" or "both"; narrowed to the subject's declared audience
    # (lms/campaign/audiences.py) when people are counted or shown the assignment.
    audience: Mapped[str] = mapped_column(String(20), default="both", server_default="both")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    org_unit: Mapped[OrgUnit | None] = relationship()


class AssignmentPerson(Base):
    __tablename__ = "assignment_people"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class Target(Base):
    """A number (or share) of people in a unit to be certified in a program by a deadline."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    program_slug: Mapped[str] = mapped_column(String(100))
    audience: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # count or percent
    value: Mapped[int]
    deadline: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    org_unit: Mapped[OrgUnit] = relationship()
