"""Who completed what, person by person and unit by unit: the rows behind the report exports."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterator

from sqlalchemy import and_, or_, select
from sqlalchemy import func
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.models import Certificate, LessonProgress, OrgUnit, QuizAttempt, User
from lms.services.reports import (AUDIENCES, VIETNAM, Tally, day_start_utc, in_subtree,
                                  unit_counts)

# People are read this many at a time, so a 1,000,000-person export streams in constant memory.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    key: str
    subject: str | None = None  # the course or program slug the column is about


def _vietnam_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite hands back UTC without saying so
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM).date()


def person_columns(catalog: Catalog) -> list[Column]:
    return ([Column("name"), Column("unit_code"), Column("unit"), Column("position"),
             Column("audience")]
            + [Column("course_completed", c.slug) for c in catalog.courses]
            + [column for p in catalog.programs
               for column in (Column("certificate_code", p.slug), Column("certified_on", p.slug))])


def person_rows(session: Session, prefix: str, catalog: Catalog, today_: date,
                chunk: int = CHUNK) -> Iterator[list]:
    """One row per person in the subtree, in unit then name order, as `person_columns` says.

    A course counts as completed, as on the learner's own page, when every current lesson is
    done and the quiz (if any) is passed; its date is when the last of these happened.
    """
    courses = [c for c in catalog.courses if c.lessons]
    lesson_filter = or_(*[and_(LessonProgress.course_slug == c.slug,
                               LessonProgress.lesson_slug.in_([l.slug for l in c.lessons]))
                          for c in courses]) if courses else False
    until = day_start_utc(today_ + timedelta(days=1))
    people = (select(User.id, User.full_name, OrgUnit.code, OrgUnit.name, User.position,
                     User.audience)
              .join(OrgUnit, OrgUnit.id == User.org_unit_id).where(in_subtree(prefix))
              .order_by(OrgUnit.path, User.full_name, User.id)
              .execution_options(yield_per=chunk))
    for partition in session.execute(people).partitions():
        ids = [row[0] for row in partition]
        lessons = {(user_id, slug): (count, last) for user_id, slug, count, last in session.execute(
            select(LessonProgress.user_id, LessonProgress.course_slug, func.count(),
                   func.max(LessonProgress.completed_at))
            .where(LessonProgress.user_id.in_(ids), lesson_filter)
            .group_by(LessonProgress.user_id, LessonProgress.course_slug))}
        passed = {(user_id, slug): first for user_id, slug, first in session.execute(
            select(QuizAttempt.user_id, QuizAttempt.course_slug, func.min(QuizAttempt.submitted_at))
            .where(QuizAttempt.user_id.in_(ids), QuizAttempt.passed.is_(True),
                   QuizAttempt.submitted_at.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.course_slug))}
        certificates = {(user_id, slug): (code, issued) for user_id, slug, code, issued in
                        session.execute(
            select(Certificate.user_id, Certificate.subject_slug, Certificate.code,
                   Certificate.issued_at)
            .where(Certificate.user_id.in_(ids), Certificate.kind == "program",
                   Certificate.revoked_at.is_(None), Certificate.issued_at < until))}
        for user_id, name, unit_code, unit_name, position, audience in partition:
            row = [name, unit_code, unit_name, position or "", audience]
            for course in catalog.courses:
                count, last = lessons.get((user_id, course.slug), (0, None))
                quiz_done = passed.get((user_id, course.slug))
                complete = count == len(course.lessons) and (course.quiz is None or quiz_done)
                row.append(_vietnam_day(max(m for m in (last, quiz_done) if m is not None))
                           if complete and (last or quiz_done) else None)
            for program in catalog.programs:
                code, issued = certificates.get((user_id, program.slug), (None, None))
                row += [code or "", _vietnam_day(issued)]
            yield row


def unit_columns(catalog: Catalog) -> list[Column]:
    return ([Column("unit_code"), Column("unit"), Column("kind"), Column("parent_code"),
             Column("people")] + [Column("audience_people", a) for a in AUDIENCES]
            + [Column("certified"), Column("certified_percent")]
            + [Column("program_certified", p.slug) for p in catalog.programs])


def unit_rows(session: Session, prefix: str, catalog: Catalog, today_: date) -> Iterator[list]:
    """One row per unit in the subtree; each counts its own people and everyone below it."""
    programs = tuple(p.slug for p in catalog.programs)
    totals: dict[str, Tally] = defaultdict(Tally)
    audiences: dict[tuple[str, str], int] = defaultdict(int)
    for path, audience, _age, people, certified, per_program in unit_counts(
            session, prefix, programs, today_):
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):  # the unit and every unit above it
            above = "/" + "/".join(parts[:depth]) + "/"
            totals[above].add(people, certified, per_program)
            audiences[(above, audience)] += people
    parent = OrgUnit.__table__.alias("parent")
    units = session.execute(select(OrgUnit.path, OrgUnit.code, OrgUnit.name, OrgUnit.kind,
                                   parent.c.code)
                            .outerjoin(parent, parent.c.id == OrgUnit.parent_id)
                            .where(in_subtree(prefix)).order_by(OrgUnit.path))
    for path, code, name, kind, parent_code in units:
        tally = totals.get(path, Tally())
        yield ([code, name, kind, parent_code or "", tally.people]
               + [audiences.get((path, a), 0) for a in AUDIENCES]
               + [tally.certified, tally.percent]
               + [tally.programs[slug] for slug in programs])
