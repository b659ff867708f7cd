"""Quiz attempts: the questions drawn, the order shown, the answers given and the grade."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base
from lms.models.user import utc_now


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # At most one unsubmitted attempt per learner and course, so two tabs share one draw.
        Index("uq_quiz_attempts_open", "user_id", "course_slug", unique=True,
              sqlite_where=text("submitted_at IS NULL"),
              postgresql_where=text("submitted_at IS NULL")),
        # The few attempts made with a helper, counted on the campaign dashboard.
        Index("ix_quiz_attempts_assisted", "user_id",
              sqlite_where=text("assisted_by_id IS NOT NULL"),
              postgresql_where=text("assisted_by_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Carried by the quiz form; a submission is accepted once per token.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    quiz_hash: Mapped[str] = mapped_column(String(64))
    # [{"key": question key, "order": [option indices in the order shown]}, ...]
    draw: Mapped[list] = mapped_column(JSON)
    # {question key: [chosen option indices]}; null until submitted.
    answers: Mapped[dict | None] = mapped_column(JSON)
    # The same, saved as the learner moves between questions, so nothing chosen is lost when
    # the session ends or the network drops before submitting.
    saved_answers: Mapped[dict | None] = mapped_column(JSON)
    correct_count: Mapped[int | None]
    question_count: Mapped[int]
    score_percent: Mapped[int | None]
    passed: Mapped[bool | None]
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # The helper at whose support-point device it was submitted: it counts the same.
    assisted_by_id: Mapped[int | None]
