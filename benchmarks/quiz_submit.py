"""How long a passing quiz submission holds the learner: the response, and the server's work
after it (where its certificate's PDF in the learner's language is drawn since issue 14).

Empties the database given, signs up learners who have done every lesson of a course, and
submits each one's quiz with the right answers through the app in-process (Flask's test
client: the WSGI interface gunicorn calls). For each submission it times the response (what
the learner waits for, until the redirect to the result is ready) and the WSGI close after it
(gunicorn calls it once the response is sent; the sync worker takes its next request after
it), wall and CPU, and checks that every certificate has its PDFs in the end.

    python benchmarks/quiz_submit.py [--database-url postgresql://postgres@127.0.0.1:5432/lms_bench]
        [--learners 20] [--course data-security]

To compare with code that drew the PDFs in the request, run the same file from a checkout
of that code (`git archive <commit> | tar -x -C /tmp/old`, copy this file into
/tmp/old/benchmarks/, run it there).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lesson_throughput import DEFAULT_DATABASE, empty_database  # noqa: E402

PASSWORD = "bench-password-1234"


def summary(name: str, seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    return (f"{name}: median {statistics.median(ms):.1f} ms, "
            f"p90 {ms[int(0.9 * (len(ms) - 1))]:.1f} ms, max {ms[-1]:.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE,
                        help="a database this benchmark may empty (default: %(default)s)")
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--course", default="data-security")
    args = parser.parse_args()

    if args.database_url.startswith("postgresql"):
        empty_database(args.database_url)
    os.environ.update(LMS_INSTANCE_DIR=tempfile.mkdtemp(prefix="lms-quiz-submit-"),
                      LMS_SECRET_KEY="bench", LMS_ENV="development",
                      LMS_DATABASE_URL=args.database_url)
    os.environ.pop("LMS_REDIS_URL", None)

    from lms import create_app
    from lms.campaign.units import learner_unit_choices
    from lms.catalog import current_catalog
    from lms.extensions import db
    from lms.models import Certificate, CertificatePdf
    from lms.services import accounts, clock, quizzes, record

    app = create_app({"LMS_AUTO_MIGRATE": True, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    submissions = []  # (client, form)
    with app.app_context():
        catalog = current_catalog()
        course = catalog.course(args.course)
        if course is None or course.quiz is None:
            parser.error(f"no course with a quiz called {args.course}")
        unit = learner_unit_choices(db.session)[0].id
        for number in range(args.learners):
            identifier = f"0912 {number:06d}"
            user = accounts.register(db.session, identifier=identifier,
                                     full_name="Nguyễn Thị Dung", password=PASSWORD,
                                     org_unit_id=unit)
            for lesson in course.lessons:
                record.mark_lesson_done(db.session, user, catalog, course, lesson, clock.now())
            attempt = quizzes.open_attempt(db.session, user.id, course, clock.now())
            form = {"attempt": attempt.token, "shown": [item["key"] for item in attempt.draw]}
            for item in attempt.draw:
                right = sorted(course.quiz.question(item["key"]).correct)
                # The page sends an option by its place in the attempt's drawn order.
                form[f"q-{item['key']}"] = [str(item["order"].index(index)) for index in right]
            db.session.commit()
            client = app.test_client()
            signed_in = client.post("/login", data={"identifier": identifier,
                                                    "password": PASSWORD})
            assert signed_in.status_code == 302, signed_in.status_code
            submissions.append((client, form))

    url = f"/courses/{course.slug}/quiz/"
    submissions[0][0].get("/")  # warm-up: templates, fonts (the first PDF loads them)
    responses, closes, response_cpu, close_cpu = [], [], [], []
    for index, (client, form) in enumerate(submissions):
        wall, cpu = time.perf_counter(), time.thread_time()
        response = client.post(url, data=form)
        answered, answered_cpu = time.perf_counter(), time.thread_time()
        if response.status_code != 303:
            print(f"the submission answered {response.status_code}", file=sys.stderr)
            return 2
        response.close()  # what the server does once the response is sent
        if index:  # the first one loads WeasyPrint's fonts
            responses.append(answered - wall)
            response_cpu.append(answered_cpu - cpu)
            closes.append(time.perf_counter() - answered)
            close_cpu.append(time.thread_time() - answered_cpu)
    with app.app_context():
        certificates = db.session.query(Certificate).count()
        pdfs = db.session.query(CertificatePdf).count()
    print(f"{len(submissions)} passing submissions of {course.slug} in-process "
          f"({app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}); the first left out")
    print(summary("  response (the learner waits)", responses))
    print(summary("  response CPU", response_cpu))
    print(summary("  after the response (WSGI close)", closes))
    print(summary("  after the response CPU", close_cpu))
    print(f"  {certificates} certificates, {pdfs} PDFs stored")
    return 0 if pdfs == certificates == len(submissions) else 1


if __name__ == "__main__":
    sys.exit(main())
