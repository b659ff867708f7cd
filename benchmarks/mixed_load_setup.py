"""Prepares the database for the mixed load test (locustfile.py) and writes what the
simulated people need: their session cookies and the quizzes' right answers.

Run with the load test's LMS_* environment (mixed_load.py does): migrates the database
given by LMS_DATABASE_URL (which must be empty), then signs up LEARNERS learners, all in one
commune (ward HN-HK of the sample units) so that the burst is one commune's final quiz, each
with every lesson of the final course already marked done; and one manager of that commune. Every
person is signed in on a device through the real sign-in function.

    python benchmarks/mixed_load_setup.py LEARNERS OUTPUT.json
"""
from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import session  # noqa: E402
from flask_wtf.csrf import generate_csrf  # noqa: E402
from sqlalchemy import select  # noqa: E402

from lms import create_app  # noqa: E402
from lms.services import access  # noqa: E402
from lms.catalog import current_catalog  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import LessonProgress, OrgUnit, User  # noqa: E402
from lms.security import sign_in  # noqa: E402
from lms.services import audit, clock, passwords  # noqa: E402

COMMUNE = "HN-HK"
FINAL_COURSE = "data-security"


def main() -> None:
    count, output = int(sys.argv[1]), Path(sys.argv[2])
    app = create_app({"LMS_AUTO_MIGRATE": True})
    serializer = app.session_interface.get_signing_serializer(app)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    with app.app_context():
        catalog, now = current_catalog(), clock.now()
        final = catalog.course(FINAL_COURSE)
        unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == COMMUNE))
        # One Argon2 hash for everyone: the benchmark never signs in with the password.
        password_hash = passwords.hash_password(secrets.token_urlsafe(12))
        people = []
        for number in range(count + 1):
            people.append(User(full_name=f"Người học {number}", phone=f"+8491{number:07d}",
                               org_unit_id=unit.id, password_hash=password_hash,
                               session_token=secrets.token_hex(16)))
        db.session.add_all(people)
        db.session.flush()
        manager, learners = people[0], people[1:]
        access.grant_role(db.session, manager, "manager", COMMUNE, audit.Actor.command_line())
        # The lessons as marked done, written at once (what the record reads; the load test
        # is about the quiz and the certificate it issues, through the app).
        db.session.add_all(LessonProgress(user_id=learner.id, course_slug=final.slug,
                                          lesson_slug=lesson.slug,
                                          content_hash=lesson.content_hash, completed_at=now)
                           for learner in learners for lesson in final.lessons)
        db.session.commit()
        ids = [person.id for person in people]
        cookies = {}
        for person_id in ids:
            with app.test_request_context("/login", method="POST"):
                sign_in(db.session.get(User, person_id))
                generate_csrf()  # as the first page a browser opens would
                cookies[person_id] = f"{cookie_name}={serializer.dumps(dict(session))}"
        manager_id, learner_ids = ids[0], ids[1:]
        # The right options as the quiz page shows them (in Vietnamese, the learners'
        # language): the page sends an option by its place, which is drawn per attempt.
        answers = {course.slug: {question.key: [question.texts.get("vi").options_html[index]
                                                for index in sorted(question.correct)]
                                 for question in course.quiz.questions}
                   for course in catalog.courses if course.quiz}
        lessons = {course.slug: [lesson.slug for lesson in course.lessons]
                   for course in catalog.courses}
    output.write_text(json.dumps({
        "manager": cookies[manager_id], "learners": [cookies[one] for one in learner_ids],
        "commune": COMMUNE, "final_course": FINAL_COURSE, "answers": answers,
        "lessons": lessons}))


if __name__ == "__main__":
    main()
