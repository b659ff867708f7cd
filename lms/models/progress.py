"""What a learner has done: lessons marked done, keyed by content slug, never by database id."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base
from lms.models.user import utc_now


class LessonProgress(Base):
    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "course_slug", "lesson_slug"),
        # The few marks made with a helper, counted on the campaign dashboard.
        Index("ix_lesson_progress_assisted", "user_id",
              sqlite_where=text("assisted_by_id IS NOT NULL"),
              postgresql_where=text("assisted_by_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    lesson_slug: Mapped[str] = mapped_column(String(100))
    # The lesson's hash when it was done: editing a lesson never rewrites anyone's record.
    content_hash: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    # The helper at whose support-point device it was done: it counts the same, and says so.
    assisted_by_id: Mapped[int | None]


class OfflineAction(Base):
    """An action a device queued while offline and sent later, by the key the device gave it:
    sent twice (a retry after a lost answer), it is carried out once."""

    __tablename__ = "offline_actions"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    done_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
