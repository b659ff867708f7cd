"""Courses published through the web: each upload kept as a package, each publish or
rollback a release. The newest release per course decides what every worker serves."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base
from lms.models.user import utc_now


class ContentPackage(Base):
    """One uploaded version of a course: its files (a ZIP, repository layout) and what the
    content check found in them."""

    __tablename__ = "content_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100), index=True)
    archive: Mapped[bytes] = mapped_column(LargeBinary)
    file_count: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_by_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # ["path:line: message", ...] for this course's files, errors first.
    problems: Mapped[list] = mapped_column(JSON, default=list)
    error_count: Mapped[int] = mapped_column(Integer, default=0)


class ContentRelease(Base):
    """A publish (package_id set) or a return to the repository's files (package_id null)."""

    __tablename__ = "content_releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("content_packages.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(200))


class CoursePublisher(Base):
    """A trainer an administrator allowed to publish one course through the web."""

    __tablename__ = "course_publishers"
    __table_args__ = (UniqueConstraint("user_id", "course_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
