"""Support points and the help given there: the points and their helpers, learner cards for
people without a phone or email of their own, and the support log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base
from lms.models.org import OrgUnit
from lms.models.user import User, utc_now

POINT_KINDS = ("fixed", "mobile")


class SupportPoint(Base):
    """A place where people get help: a fixed point (a cultural house) or a mobile one."""

    __tablename__ = "support_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    commune_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    opening_times: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # A point that closed stays for its log and reports, off the public list.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    commune: Mapped[OrgUnit] = relationship()
    helpers: Mapped[list[User]] = relationship(secondary="support_point_helpers",
                                               order_by="User.full_name")


class SupportPointHelper(Base):
    __tablename__ = "support_point_helpers"
    __table_args__ = (UniqueConstraint("point_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("support_points.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)


class LearnerCard(Base):
    """A printed card that signs its holder in with a short PIN. Only the PIN's hash is kept;
    a revoked card signs no one in, and a person has at most one card that works."""

    __tablename__ = "learner_cards"
    __table_args__ = (Index("ix_learner_cards_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(16), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SupportService(Base):
    """A service organisers added to the support log's list (the usual ones are built in)."""

    __tablename__ = "support_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))  # "" for a built-in one, named in code
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SupportVisit(Base):
    """One assisted session in the support log: a registered person, or only a count and an
    age group for passers-by; what was done, how it went, how long it took."""

    __tablename__ = "support_visits"
    __table_args__ = (Index("ix_support_visits_point_at", "point_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Carried by the log form: a form sent twice records one visit.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("support_points.id",
                                                            ondelete="SET NULL"))
    # Door to door: no point, but the commune the help happened in.
    commune_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    helper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    people_count: Mapped[int] = mapped_column(default=1)
    age_group: Mapped[str] = mapped_column(String(10))  # under-30, 30-59, 60-plus, unknown
    services: Mapped[list] = mapped_column(JSON)  # service codes
    outcome: Mapped[str] = mapped_column(String(10))  # done, partly, not-done
    minutes: Mapped[int]
