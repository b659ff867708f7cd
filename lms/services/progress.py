"""Lesson progress and course completion, computed from the catalog and the learner's records."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.content.schema import Course, Lesson
from lms.models import LessonProgress, QuizAttempt


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    done_lessons: frozenset[str]
    best_score: int | None
    quiz_passed: bool
    attempts: int

    @property
    def lessons_done(self) -> int:
        return sum(1 for lesson in self.course.lessons if lesson.slug in self.done_lessons)

    @property
    def all_lessons_done(self) -> bool:
        return self.lessons_done == len(self.course.lessons)

    @property
    def complete(self) -> bool:
        return self.all_lessons_done and (self.quiz_passed or self.course.quiz is None)

    @property
    def started(self) -> bool:
        return bool(self.done_lessons) or self.attempts > 0

    @property
    def percent(self) -> int:
        steps = len(self.course.lessons) + (1 if self.course.quiz else 0)
        done = self.lessons_done + (1 if self.quiz_passed else 0)
        return round(100 * done / steps)

    @property
    def next_lesson(self) -> Lesson | None:
        """Where "continue" goes: the first lesson not yet done (None: the quiz is next)."""
        return next((l for l in self.course.lessons if l.slug not in self.done_lessons), None)


def mark_lesson_done(session: Session, user_id: int, course: Course, lesson: Lesson) -> None:
    """Idempotent: marking a lesson twice, or from two tabs at once, keeps one record."""
    exists = select(LessonProgress.id).where(
        LessonProgress.user_id == user_id, LessonProgress.course_slug == course.slug,
        LessonProgress.lesson_slug == lesson.slug)
    if session.scalar(exists):
        return
    try:
        with session.begin_nested():
            session.add(LessonProgress(user_id=user_id, course_slug=course.slug,
                                       lesson_slug=lesson.slug, content_hash=lesson.content_hash))
    except IntegrityError:
        pass  # a concurrent request recorded it first


def progress_for(session: Session, user_id: int, courses: tuple[Course, ...]
                 ) -> dict[str, CourseProgress]:
    """The learner's progress in each course, from two queries whatever the number of courses."""
    done: dict[str, set[str]] = {}
    for course_slug, lesson_slug in session.execute(
            select(LessonProgress.course_slug, LessonProgress.lesson_slug)
            .where(LessonProgress.user_id == user_id)):
        done.setdefault(course_slug, set()).add(lesson_slug)
    scores: dict[str, list[tuple[int, bool]]] = {}
    for course_slug, score, passed in session.execute(
            select(QuizAttempt.course_slug, QuizAttempt.score_percent, QuizAttempt.passed)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None))):
        scores.setdefault(course_slug, []).append((score, passed))
    return {
        course.slug: CourseProgress(
            course=course,
            done_lessons=frozenset(done.get(course.slug, ())),
            best_score=max((s for s, _ in scores.get(course.slug, [])), default=None),
            quiz_passed=any(p for _, p in scores.get(course.slug, [])),
            attempts=len(scores.get(course.slug, [])),
        )
        for course in courses
    }


def course_progress(session: Session, user_id: int, course: Course) -> CourseProgress:
    return progress_for(session, user_id, (course,))[course.slug]


def learner_courses(session: Session, user_id: int, catalog: Catalog) -> list[CourseProgress]:
    """The courses a learner has started, for their own page."""
    return [p for p in progress_for(session, user_id, catalog.courses).values() if p.started]
