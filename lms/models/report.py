"""Reporting snapshot: per-unit tallies refreshed every few minutes for fast dashboards."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base


class UnitTally(Base):
    """People of one unit, audience and age group, and how many hold each certificate."""

    __tablename__ = "unit_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"),
                                             index=True)
    audience: Mapped[str] = mapped_column(String(20))
    age_group: Mapped[int] = mapped_column(SmallInteger)  # index into campaign.audiences.AGE_GROUPS
    people: Mapped[int]
    certified: Mapped[int]  # holding at least one valid program certificate
    programs: Mapped[dict] = mapped_column(JSON)  # {program slug: people certified}
    courses: Mapped[dict] = mapped_column(JSON)  # {course slug: people who completed it}


class DailyCompletion(Base):
    """Program certificates issued (and not revoked) in one unit on one Vietnam day."""

    __tablename__ = "daily_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"),
                                             index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    certified: Mapped[int]


class ReportSnapshot(Base):
    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    seconds: Mapped[float]
