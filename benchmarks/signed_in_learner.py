"""Prepares a benchmark database and prints the session cookie of a signed-in learner.

Run with the benchmark's LMS_* environment: migrates the database, signs a learner up who has
done two lessons of the first course, passed the quiz of another and holds its certificate
(so that /me and the course page show a real record), signs them in on a new device through
the real sign-in function and prints "<cookie name>=<value>" for the load generator.

    python benchmarks/signed_in_learner.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_wtf.csrf import generate_csrf  # noqa: E402

from lms import create_app  # noqa: E402
from lms.catalog import current_catalog  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.security import sign_in  # noqa: E402
from lms.services import accounts, clock, quizzes, record  # noqa: E402
from lms.campaign.units import learner_unit_choices  # noqa: E402


def main() -> None:
    app = create_app({"LMS_AUTO_MIGRATE": True})
    with app.app_context():
        catalog, now = current_catalog(), clock.now()
        user = accounts.register(db.session, identifier="0912 345 678",
                                 full_name="Nguyễn Thị Dung", password="bench-password-1234",
                                 org_unit_id=learner_unit_choices(db.session)[0].id)
        first, *others = catalog.courses
        for lesson in first.lessons[:2]:
            record.mark_lesson_done(db.session, user, catalog, first, lesson, now)
        for course in [one for one in others if one.quiz][:1]:
            for lesson in course.lessons:
                record.mark_lesson_done(db.session, user, catalog, course, lesson, now)
            attempt = quizzes.open_attempt(db.session, user.id, course, now)
            answers = {item["key"]: sorted(course.quiz.question(item["key"]).correct)
                       for item in attempt.draw}
            record.submit_quiz(db.session, user, catalog, course, attempt.token, answers, now)
        db.session.commit()
        # As the load generator comes: from 127.0.0.1 with no User-Agent. Signed in from
        # anywhere else, Flask-Login's session protection marks the session not fresh on the
        # first request, and every later one (the same cookie sent again) re-sends it.
        with app.test_request_context("/login", method="POST",
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            from flask import session

            sign_in(user)
            generate_csrf()  # a browser keeps the form token the first page puts in its session
            cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    print(f"{app.config['SESSION_COOKIE_NAME']}={cookie}")


if __name__ == "__main__":
    main()
