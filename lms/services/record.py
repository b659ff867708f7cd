"""The record: who completed which course and holds which program, since when. The one owner.

Every page, export and report asks this module; none decides it for itself. The rules:

- A course is completed when every lesson is done and its quiz (if it has one) is passed.
  Its certificate is issued in the same transaction and is the proof: "completed" means
  "holds a valid (not revoked) course certificate", and the date is the certificate's.
- A program is held when its program certificate is valid. It is earned when every course of
  the program is completed and the person is in the program's audience.
- Revoking a certificate voids that completion until the person passes the quiz again (for a
  course without a quiz: marks a lesson done again; for a program: completes one of its courses
  again); then a new certificate with a new code is issued.
- Later edits of a course never take a completion away: the certificate stays.
- A course whose content has errors (`Catalog.withheld`) is never a path to a certificate;
  certificates earned before stay valid.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy import (ColumnElement, Integer, String, and_, bindparam, cast, exists, func, literal,
                        null, or_, select, union_all)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.content.schema import Course, Lesson, Program
from lms.models import Certificate, LessonProgress, OfflineAction, QuizAttempt, User
from lms.services import certificates, quizzes
from lms.services.clock import aware, end_of_day_utc, vietnam_date

DUE_SOON_DAYS = 7
ASSIGNMENT_STATES = ("overdue", "due-soon", "on-time", "done")


# --- one person's record ----------------------------------------------------------------------

@dataclass(frozen=True)
class CourseRecord:
    """A learner and one course: progress towards it, and the completion once it is earned."""

    course: Course
    done_lessons: frozenset[str]
    last_lesson_at: datetime | None
    attempts: int
    best_score: int | None
    last_pass_at: datetime | None
    certificate: Certificate | None  # the valid course certificate: the completion itself
    voided_at: datetime | None  # when the last course certificate was revoked
    withheld: bool  # the course has content errors: no new certificate until they are fixed

    @property
    def complete(self) -> bool:
        return self.certificate is not None

    @property
    def completed_on(self) -> date | None:
        return vietnam_date(self.certificate.issued_at) if self.certificate else None

    @property
    def lessons_done(self) -> int:
        return sum(1 for lesson in self.course.lessons if lesson.slug in self.done_lessons)

    @property
    def all_lessons_done(self) -> bool:
        return self.lessons_done == len(self.course.lessons)

    def _since_voided(self, moment: datetime | None) -> bool:
        return moment is not None and (self.voided_at is None
                                       or aware(moment) > aware(self.voided_at))

    @property
    def quiz_passed(self) -> bool:
        """Passed, and not since voided by a revocation."""
        return self.complete or self._since_voided(self.last_pass_at)

    @property
    def earned(self) -> bool:
        """Everything done for a certificate not held yet: issuing it is due now."""
        if self.complete or self.withheld or not self.all_lessons_done:
            return False
        if self.course.quiz is None:
            return self._since_voided(self.last_lesson_at)
        return self.quiz_passed

    @property
    def started(self) -> bool:
        return bool(self.done_lessons) or self.attempts > 0 or self.complete

    @property
    def percent(self) -> int:
        if self.complete:
            return 100
        steps = len(self.course.lessons) + (1 if self.course.quiz else 0)
        done = self.lessons_done + (1 if self.quiz_passed else 0)
        return round(100 * done / steps)

    @property
    def next_lesson(self) -> Lesson | None:
        """Where "continue" goes: the first lesson not yet done (None: the quiz is next)."""
        return next((l for l in self.course.lessons if l.slug not in self.done_lessons), None)


def course_records(session: Session, user_id: int, courses: tuple[Course, ...] | list[Course],
                   catalog: Catalog | None = None,
                   certificates: list[Certificate] | None = None) -> dict[str, CourseRecord]:
    """The learner's record in each course, whatever the number of courses, in one query (and
    one more to load the valid certificates, if any). `certificates`: every certificate the
    person holds, when the caller has read them already."""
    withheld = catalog.withheld if catalog else frozenset()
    slugs = [course.slug for course in courses]
    done: dict[str, set[str]] = {}
    last_lesson: dict[str, datetime] = {}
    attempts: dict[str, tuple[int, int | None, datetime | None]] = {}
    valid_ids: dict[str, int] = {}
    voided: dict[str, datetime] = {}
    rows = _RECORD_ROWS if certificates is None else _RECORD_ROWS_BUT_CERTIFICATES
    for part, slug, lesson_slug, at, number, best in session.execute(
            rows, {"user_id": user_id, "slugs": slugs}):
        if part == "lesson":
            done.setdefault(slug, set()).add(lesson_slug)
            if slug not in last_lesson or aware(at) > aware(last_lesson[slug]):
                last_lesson[slug] = at
        elif part == "quiz":
            attempts[slug] = (number, best, at)
        elif at is None:  # a certificate not revoked
            valid_ids[slug] = number
        elif slug not in voided or aware(at) > aware(voided[slug]):
            voided[slug] = at
    if certificates is None:
        valid = ({c.subject_slug: c for c in session.scalars(
            select(Certificate).where(Certificate.id.in_(valid_ids.values())))}
            if valid_ids else {})
    else:
        valid, voided = _valid_and_voided(c for c in certificates if c.kind == "course")
    records = {}
    for course in courses:
        count, best, last_pass = attempts.get(course.slug, (0, None, None))
        records[course.slug] = CourseRecord(
            course=course, done_lessons=frozenset(done.get(course.slug, ())),
            last_lesson_at=last_lesson.get(course.slug), attempts=count, best_score=best,
            last_pass_at=last_pass, certificate=valid.get(course.slug),
            voided_at=voided.get(course.slug), withheld=course.slug in withheld)
    return records


def _record_rows(with_certificates: bool):
    """The person's lesson marks, graded attempts per course and course certificates, as rows
    of (part, course, lesson, moment, number, best score) in one round trip: for a mark, when
    it was made; for attempts, when last passed, how many and the best score; for a
    certificate, when it was revoked (None: valid) and its id."""
    user_id, slugs = bindparam("user_id"), bindparam("slugs", expanding=True)
    no_text, no_number = cast(null(), String), cast(null(), Integer)
    parts = [
        select(literal("lesson"), LessonProgress.course_slug, LessonProgress.lesson_slug,
               LessonProgress.completed_at, no_number, no_number)
        .where(LessonProgress.user_id == user_id, LessonProgress.course_slug.in_(slugs)),
        select(literal("quiz"), QuizAttempt.course_slug, no_text,
               func.max(QuizAttempt.submitted_at).filter(QuizAttempt.passed.is_(True)),
               func.count(), func.max(QuizAttempt.score_percent))
        .where(QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None),
               QuizAttempt.course_slug.in_(slugs))
        .group_by(QuizAttempt.course_slug),
    ]
    if with_certificates:
        parts.append(select(literal("certificate"), Certificate.subject_slug, no_text,
                            Certificate.revoked_at, Certificate.id, no_number)
                     .where(Certificate.user_id == user_id, Certificate.kind == "course",
                            Certificate.subject_slug.in_(slugs)))
    return union_all(*parts)


# Built once: every signed-in course page and My learning runs one of them.
_RECORD_ROWS, _RECORD_ROWS_BUT_CERTIFICATES = _record_rows(True), _record_rows(False)


def _valid_and_voided(found) -> tuple[dict[str, Certificate], dict[str, datetime]]:
    """{subject: its valid certificate}, {subject: when its latest revoked one was revoked}."""
    valid: dict[str, Certificate] = {}
    voided: dict[str, datetime] = {}
    for certificate in found:
        slug = certificate.subject_slug
        if certificate.revoked_at is None:
            valid[slug] = certificate
        elif slug not in voided or aware(certificate.revoked_at) > aware(voided[slug]):
            voided[slug] = certificate.revoked_at
    return valid, voided


def course_record(session: Session, user_id: int, course: Course,
                  catalog: Catalog | None = None) -> CourseRecord:
    return course_records(session, user_id, (course,), catalog)[course.slug]


_LESSON_DONE = select(exists().where(LessonProgress.user_id == bindparam("user_id"),
                                     LessonProgress.course_slug == bindparam("course"),
                                     LessonProgress.lesson_slug == bindparam("lesson")))


def lesson_done(session: Session, user_id: int, course: Course, lesson: Lesson) -> bool:
    """Whether the learner has marked this lesson done: one indexed query, for the lesson page
    read on every step (its statement built once)."""
    return session.scalar(_LESSON_DONE, {"user_id": user_id, "course": course.slug,
                                         "lesson": lesson.slug})


@dataclass(frozen=True)
class OwnRecord:
    """What a learner's own page shows of the record."""

    started: list[CourseRecord]  # the courses started or completed, in the catalog's order
    certificates: list[Certificate]  # every one issued to them, valid or revoked, newest first


def own_record(session: Session, user_id: int, catalog: Catalog) -> OwnRecord:
    """The learner's own page's record: their certificates read once for both lists."""
    held = certificates_held(session, user_id)
    records = course_records(session, user_id, catalog.courses, catalog, certificates=held)
    return OwnRecord(started=[r for r in records.values() if r.started], certificates=held)


_HELD = (select(Certificate).where(Certificate.user_id == bindparam("user_id"))
         .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))


def certificates_held(session: Session, user_id: int) -> list[Certificate]:
    """Every certificate issued to the person, valid or revoked, newest first."""
    return list(session.scalars(_HELD, {"user_id": user_id}))


def programs_held(session: Session, user_id: int, today_: date) -> set[str]:
    """The programs whose certificate the person validly holds on `today_`."""
    return set(session.scalars(select(Certificate.subject_slug).where(
        valid_certificate(Certificate, user_id, "program", None, today_))))


# --- the same rules as SQL, for counting many people at once ---------------------------------

def valid_certificate(certificate, user_id, kind: str, slug: str | None,
                      today_: date) -> ColumnElement[bool]:
    """`certificate` (the model or an alias) proves that `user_id` (a value or a column) completed
    the course or holds the program `slug` (None: any of that kind) on the Vietnam day `today_`:
    of that kind, not revoked, issued that day or before."""
    return and_(certificate.user_id == user_id, certificate.kind == kind,
                certificate.subject_slug == slug if slug else True,
                certificate.revoked_at.is_(None),
                certificate.issued_at < end_of_day_utc(today_))


def has_completed(kind: str, slug: str | None, today_: date) -> ColumnElement[bool]:
    """Whether the person in the query's User row has completed the course (kind "course") or
    holds the program (kind "program") `slug` on `today_`, as an EXISTS the planner can turn
    into one hash (anti-)join over any number of people."""
    return exists().where(valid_certificate(Certificate, User.id, kind, slug, today_))


# --- assignments ---------------------------------------------------------------------------

def assignment_state(done: bool, due_on: date, today_: date) -> str:
    """A person's (or a group's) status on an assignment due on `due_on`."""
    if done:
        return "done"
    days_left = (due_on - today_).days
    if days_left < 0:
        return "overdue"
    return "due-soon" if days_left <= DUE_SOON_DAYS else "on-time"


def has_done(session: Session, user_id: int, subjects: set[tuple[str, str]],
             today_: date) -> set[tuple[str, str]]:
    """Which of these courses and programs, as (kind, slug), the person has completed or holds
    on `today_`: one query, however many."""
    if not subjects:
        return set()
    found = session.execute(select(Certificate.kind, Certificate.subject_slug).where(
        or_(*(valid_certificate(Certificate, user_id, kind, None, today_)
              for kind in sorted({kind for kind, _ in subjects}))),
        Certificate.subject_slug.in_(sorted({slug for _, slug in subjects}))))
    return {(kind, slug) for kind, slug in found} & subjects


# --- writing the record --------------------------------------------------------------------

def _program_earned(program: Program, user: User, records: dict[str, CourseRecord],
                    held: dict[str, Certificate], voided: dict[str, datetime]) -> bool:
    if program.slug in held or user.audience not in program.audience:
        return False
    completions = [records.get(slug) for slug in program.courses]
    if not all(r and r.complete for r in completions):
        return False
    revoked = voided.get(program.slug)
    return revoked is None or any(aware(r.certificate.issued_at) > aware(revoked)
                                  for r in completions)


def issue_earned(session: Session, user: User, catalog: Catalog,
                 now: datetime) -> list[Certificate]:
    """Issues, in the caller's transaction, every certificate `user` has earned and does not
    hold: the records only (the PDFs are drawn after the commit, see certificates.render_pdfs).
    """
    records = course_records(session, user.id, catalog.courses, catalog)
    issued, raced = [], False
    for slug, course_record_ in records.items():
        if course_record_.earned:
            certificate = certificates.new_certificate(session, user, "course",
                                                       course_record_.course, now)
            if certificate:
                issued.append(certificate)
                records[slug] = replace(course_record_, certificate=certificate)
            else:
                raced = True
    if raced:  # a concurrent request issued one of them: read what it wrote
        records = course_records(session, user.id, catalog.courses, catalog)
    held, voided = _valid_and_voided(session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.kind == "program")))
    for program in catalog.programs:
        if _program_earned(program, user, records, held, voided):
            certificate = certificates.new_certificate(session, user, "program", program, now)
            if certificate:
                issued.append(certificate)
    return issued


def first_time(session: Session, user: User, action_key: str | None, now: datetime) -> bool:
    """Whether the action a device queued offline under `action_key` is new (None: not queued).

    A device resends what it is not sure arrived; the key it gave the action makes the second
    arrival, or a simultaneous one, a no-op."""
    if not action_key:
        return True
    try:
        with session.begin_nested():
            session.add(OfflineAction(user_id=user.id, key=action_key, done_at=now))
    except IntegrityError:
        return False
    return True


def mark_lesson_done(session: Session, user: User, catalog: Catalog, course: Course,
                     lesson: Lesson, now: datetime,
                     assisted_by: int | None = None,
                     action_key: str | None = None) -> list[Certificate]:
    """Records the lesson (idempotent: twice, or from two tabs, keeps one record) and issues
    what that earns, in one transaction. Marking a done lesson again dates the mark anew,
    which is how a course without a quiz is completed again after a revocation; but a mark
    queued offline and sent again under the same `action_key` is carried out once.
    `assisted_by`: the helper at whose support point it was done; it counts the same."""
    if not first_time(session, user, action_key, now):
        return []
    existing = session.scalar(select(LessonProgress).where(
        LessonProgress.user_id == user.id, LessonProgress.course_slug == course.slug,
        LessonProgress.lesson_slug == lesson.slug))
    if existing is not None:
        if course.quiz is None:
            existing.completed_at = now
    else:
        try:
            with session.begin_nested():
                session.add(LessonProgress(user_id=user.id, course_slug=course.slug,
                                           lesson_slug=lesson.slug,
                                           content_hash=lesson.content_hash, completed_at=now,
                                           assisted_by_id=assisted_by))
        except IntegrityError:
            pass  # a concurrent request recorded it first
    return issue_earned(session, user, catalog, now)


def submit_quiz(session: Session, user: User, catalog: Catalog, course: Course, token: str,
                answers: dict[str, list[int]], now: datetime, shown: set[str] = frozenset(),
                assisted_by: int | None = None
                ) -> tuple[QuizAttempt, list[Certificate]]:
    """Grades the attempt once and, if it earns one, issues the certificate in the same
    transaction: a crash after the commit can lose the PDF (drawn again on demand), never the
    certificate. Raises quizzes.StaleSubmission / quizzes.QuizChanged / quizzes.QuizWithheld."""
    if course.slug in catalog.withheld:
        raise quizzes.QuizWithheld()
    attempt = quizzes.submit_attempt(session, user.id, course, token, answers, now, shown)
    if assisted_by is not None:  # graded by this very submission (a stale one raised)
        attempt.assisted_by_id = assisted_by
    issued = issue_earned(session, user, catalog, now) if attempt.passed else []
    return attempt, issued
