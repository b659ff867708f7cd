"""A property test of the record: random sequences of learners' and staff actions (mark lessons
done, pass or fail quizzes, revoke, pass again, edit a course), played through the real services
on SQLite and PostgreSQL. After each sequence every reader must agree, for every learner, with a
model of the rules in services/record.py: the learner's page, their assignments, the manager's
summary (live and from the snapshot), the dashboard (live and from the snapshot), both exports
and the personal-data export."""
from __future__ import annotations

import itertools
import os
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from lms.content.schema import AttemptRules
from lms.extensions import db
from lms.models import Certificate, OrgUnit, User
from lms.campaign import assignments, exports
from lms.campaign import dashboard, snapshot
from lms.services import audit, certificates, clock, personal_data, quizzes, record
from lms.campaign.units import add_units

from conftest import right_answers

LEARNERS = 3  # two citizens and a civil servant
EXAMPLES = int(os.environ.get("LMS_PROPERTY_EXAMPLES", "200"))
STAFF = audit.Actor(None, "property test", "127.0.0.1")
units = itertools.count(1)


def small_catalog(bundled):
    """Two courses of two lessons and a two-question draw, and programs needing both, so that
    random sequences reach completions, programs and revocations often; plus an edited version
    of each course with a third lesson added. Retakes are not limited here: the wait and the
    daily cap have their own tests, and would only thin out the sequences."""
    courses = []
    unlimited = AttemptRules(retry_wait_minutes=0, attempts_per_day=100)
    for course in bundled.courses[:2]:
        courses.append(replace(course, lessons=course.lessons[:2],
                               quiz=replace(course.quiz, questions_per_attempt=2,
                                            rules=unlimited)))
    slugs = tuple(c.slug for c in courses)
    programs = tuple(replace(p, courses=slugs) for p in bundled.programs)
    base = replace(bundled, courses=tuple(courses), programs=programs)
    edited = {c.slug: replace(c, lessons=bundled.course(c.slug).lessons[:3]) for c in courses}
    return base, edited


@dataclass
class Model:
    """The rules, written once more in the plainest way, to check the real thing against."""

    lessons: dict = field(default_factory=dict)  # (learner, course) -> set of lesson slugs
    last_pass: dict = field(default_factory=dict)  # (learner, course) -> time
    last_mark: dict = field(default_factory=dict)
    completed: dict = field(default_factory=dict)  # (learner, course) -> certificate time
    voided: dict = field(default_factory=dict)
    held: dict = field(default_factory=dict)  # (learner, program) -> certificate time
    program_voided: dict = field(default_factory=dict)

    def settle(self, learner, audience, catalog, now):
        for course in catalog.courses:
            key = (learner, course.slug)
            if key in self.completed:
                continue
            done = {lesson.slug for lesson in course.lessons} <= self.lessons.get(key, set())
            evidence = self.last_pass.get(key) if course.quiz else self.last_mark.get(key)
            if done and evidence and (key not in self.voided or evidence > self.voided[key]):
                self.completed[key] = now
        for program in catalog.programs:
            key = (learner, program.slug)
            if key in self.held or audience not in program.audience:
                continue
            times = [self.completed.get((learner, slug)) for slug in program.courses]
            if all(times) and (key not in self.program_voided
                               or any(t > self.program_voided[key] for t in times)):
                self.held[key] = now


actions = st.lists(st.one_of(
    # A learner who studies a whole course at once: every lesson, then the quiz passed.
    st.tuples(st.just("study"), st.integers(0, LEARNERS - 1), st.integers(0, 1), st.just(0)),
    st.tuples(st.just("lesson"), st.integers(0, LEARNERS - 1), st.integers(0, 1),
              st.integers(0, 2)),
    st.tuples(st.just("quiz"), st.integers(0, LEARNERS - 1), st.integers(0, 1), st.booleans()),
    st.tuples(st.just("revoke-course"), st.integers(0, LEARNERS - 1), st.integers(0, 1),
              st.just(0)),
    st.tuples(st.just("revoke-program"), st.integers(0, LEARNERS - 1), st.integers(0, 1),
              st.just(0)),
    st.tuples(st.just("edit"), st.just(0), st.integers(0, 1), st.booleans()),
), min_size=1, max_size=30)


@pytest.fixture
def world(app, bundled_catalog):
    base, edited = small_catalog(bundled_catalog)
    return app, base, edited


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=actions)
def test_every_reader_agrees_with_the_record(world, steps):
    app, base, edited = world
    with app.app_context():
        play_and_check(db.session, base, edited, steps)


def play_and_check(session, base, edited, steps):
    code = f"PT{next(units)}-{secrets.token_hex(2)}"
    add_units(session, [{"code": code, "name": f"Phường {code}", "parent_code": "",
                         "kind": "ward"}])
    unit = session.query(OrgUnit).filter_by(code=code).one()
    people = []
    for n in range(LEARNERS):
        people.append(User(full_name=f"Học Viên {n} {code}", password_hash="!",
                           session_token=secrets.token_hex(8), org_unit_id=unit.id,
                           phone=f"+849{secrets.randbelow(10**8):08d}",
                           audience="civil-servant" if n == LEARNERS - 1 else "citizen"))
    session.add_all(people)
    manager = User(full_name=f"Quản lý {code}", password_hash="!", role="manager",
                   session_token="x", scope_unit_id=unit.id, org_unit_id=unit.id,
                   phone=f"+848{secrets.randbelow(10**8):08d}")
    session.add(manager)
    session.flush()
    now = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
    for subject in [f"course:{c.slug}" for c in base.courses] + [
            f"program:{p.slug}" for p in base.programs]:
        assignments.create_assignment(session, manager, base, subject=subject, unit_code=code,
                                      people="", due_on=clock.vietnam_date(now) + timedelta(9),
                                      today_=clock.vietnam_date(now),
                                      actor=audit.Actor.of(manager, None))
    session.commit()

    model, catalog = Model(), base
    for kind, who, which, extra in steps:
        now += timedelta(minutes=1 + (who * 37 + which * 101 + int(extra)) % 700)
        learner = people[who]
        course = catalog.courses[which]
        if kind == "study":
            for lesson in course.lessons:
                now += timedelta(minutes=3)
                mark(session, model, catalog, who, learner, course, lesson, now)
            now += timedelta(minutes=3)
            take_quiz(session, model, catalog, who, learner, course, True, now)
        elif kind == "lesson":
            lesson = course.lessons[min(extra, len(course.lessons) - 1)]
            mark(session, model, catalog, who, learner, course, lesson, now)
        elif kind == "quiz":
            take_quiz(session, model, catalog, who, learner, course, extra, now)
        elif kind.startswith("revoke"):
            what = "course" if kind == "revoke-course" else "program"
            slug = course.slug if what == "course" else catalog.programs[which].slug
            valid = session.query(Certificate).filter_by(
                user_id=learner.id, kind=what, subject_slug=slug, revoked_at=None).one_or_none()
            if valid is not None:
                certificates.revoke(session, valid, "property test", STAFF, now)
                target = model.completed if what == "course" else model.held
                voided = model.voided if what == "course" else model.program_voided
                del target[(who, slug)]
                voided[(who, slug)] = now
        elif kind == "edit":  # a trainer adds a lesson to the course, or takes it out again
            version = edited[course.slug] if extra else base.course(course.slug)
            catalog = replace(catalog, courses=tuple(
                version if c.slug == course.slug else c for c in catalog.courses))
        session.commit()

    event(f"courses completed at the end: {len(model.completed)}")
    event(f"programs held at the end: {len(model.held)}")
    event(f"revocations: {len(model.voided) + len(model.program_voided)}")
    check_every_reader(session, catalog, model, people, unit, clock.vietnam_date(now))


def mark(session, model, catalog, who, learner, course, lesson, now):
    record.mark_lesson_done(session, learner, catalog, course, lesson, now)
    model.lessons.setdefault((who, course.slug), set()).add(lesson.slug)
    model.last_mark[(who, course.slug)] = now
    model.settle(who, learner.audience, catalog, now)


def take_quiz(session, model, catalog, who, learner, course, right, now):
    attempt = quizzes.open_attempt(session, learner.id, course, now)
    answers = right_answers(attempt, course.quiz) if right else {
        item["key"]: [i for i in range(course.quiz.question(item["key"]).option_count)
                      if i not in course.quiz.question(item["key"]).correct][:1]
        for item in attempt.draw}
    graded, _ = record.submit_quiz(session, learner, catalog, course, attempt.token, answers,
                                   now)
    assert graded.passed is bool(right)
    if right:
        model.last_pass[(who, course.slug)] = now
    model.settle(who, learner.audience, catalog, now)


def check_every_reader(session, catalog, model, people, unit, today):
    expected = {(who, c.slug): (who, c.slug) in model.completed
                for who in range(LEARNERS) for c in catalog.courses}
    expected_programs = {(who, p.slug): (who, p.slug) in model.held
                         for who in range(LEARNERS) for p in catalog.programs}
    columns = exports.person_columns(catalog)
    rows = {row[0]: row for row in exports.person_rows(session, unit.path, catalog, today)}
    made = snapshot.refresh(session, today)
    for who, learner in enumerate(people):
        page = record.course_records(session, learner.id, catalog.courses, catalog)
        mine = {(a.assignment.subject_kind, a.assignment.subject_slug): a.done
                for a in assignments.for_learner(session, learner, catalog, today)}
        data = personal_data.export(session, learner, catalog, clock.now())
        held = record.programs_held(session, learner.id, today)
        row = rows[learner.full_name]
        for course in catalog.courses:
            want = expected[(who, course.slug)]
            seen = {
                "learner page": page[course.slug].complete,
                "export": row[columns.index(exports.Column("course_completed",
                                                               course.slug))] is not None,
                "personal data": any(c["course"] == course.slug
                                     for c in data["courses_completed"]),
            }
            # The unit's assignment reaches only the course's declared audience.
            assert (("course", course.slug) in mine) is (learner.audience in course.audience)
            if ("course", course.slug) in mine:
                seen["assignment"] = mine[("course", course.slug)]
            assert seen == dict.fromkeys(seen, want), (who, course.slug, seen, want)
        for program in catalog.programs:
            want = expected_programs[(who, program.slug)]
            seen = {
                "held": program.slug in held,
                "export": bool(row[columns.index(exports.Column("certificate_code",
                                                                    program.slug))]),
            }
            assert (("program", program.slug) in mine) is (learner.audience in program.audience)
            if ("program", program.slug) in mine:
                seen["assignment"] = mine[("program", program.slug)]
            assert seen == dict.fromkeys(seen, want), (who, program.slug, seen, want)

    for snap in (None, made):
        summaries = assignments.summaries(session, unit.path, catalog, today, snapshot=snap)
        done = {(s.assignment.subject_kind, s.assignment.subject_slug): s.done for s in summaries}
        for course in catalog.courses:
            assert done[("course", course.slug)] == sum(
                expected[(who, course.slug)] for who in range(LEARNERS)
                if people[who].audience in course.audience), ("summary", snap)
        for program in catalog.programs:
            assert done[("program", program.slug)] == sum(
                expected_programs[(who, program.slug)] for who in range(LEARNERS)
                if people[who].audience in program.audience)
        board = dashboard.dashboard(session, unit, catalog, today, snap)
        for program in catalog.programs:
            assert board.total.programs[program.slug] == sum(
                expected_programs[(who, program.slug)] for who in range(LEARNERS)), (
                "dashboard", snap)
    unit_columns = exports.unit_columns(catalog)
    (unit_row,) = exports.unit_rows(session, unit.path, catalog, today)
    for program in catalog.programs:
        assert unit_row[unit_columns.index(exports.Column("program_certified",
                                                              program.slug))] == sum(
            expected_programs[(who, program.slug)] for who in range(LEARNERS))
    session.commit()
