"""How fast are the campaign reports on a province-sized database?

Targets (issue "Mandatory training and campaign reporting"): the province dashboard and a
commune drill-down under 1 s each; the CSV export of a 5,000-person unit, streamed completely,
under 5 s. Seeds PostgreSQL with COPY (psycopg 3's cursor.copy): one province, ~40 communes and
wards, the remaining units below them; learners spread over them, one unit of exactly 5,000
people; about 10 lesson-progress rows per learner; program certificates (with passed quizzes and
every lesson) for ~30%; targets and assignments. Then counts the province once live, runs
`flask reports refresh` (the cron job that builds the reporting snapshot, timed), and times the
pages, which read that snapshot, through Flask's test client.

    python benchmarks/reports_scale.py --learners 100000          # reduced scale
    python benchmarks/reports_scale.py                            # 1,000,000 learners
    python benchmarks/reports_scale.py --reuse                    # time again, keep the data

The database (default postgresql://postgres@127.0.0.1:5432/test_reports_bench) is created if
missing and emptied before seeding; --reuse keeps data seeded earlier at the same scale, and
--drop removes the database at the end. The whole run stops after --time-limit seconds.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

from lms import create_app  # noqa: E402
from lms.config import _database_url  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.models import OrgUnit  # noqa: E402
from lms.campaign import dashboard  # noqa: E402
from lms.services import clock  # noqa: E402
from lms.services.accounts import HASHER  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test_reports_bench"
PASSWORD = "benchmark passphrase"
BIG_UNIT = "BP-C01-G0001"  # the unit whose 5,000 people are exported
BIG_UNIT_PEOPLE = 5000
COMMUNES = 40


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--lesson-rows-per-learner", type=float, default=10.0)
    parser.add_argument("--certified", type=float, default=0.30)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true",
                        help="keep data already seeded at this scale instead of seeding again")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--time-limit", type=int, default=3600,
                        help="give up after this many seconds (default 3600)")
    return parser.parse_args()


def admin_url(url: str) -> tuple[str, str]:
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name


def ensure_database(url: str) -> None:
    server, name = admin_url(url)
    with psycopg.connect(server, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                  (name,)).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    server, name = admin_url(url)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                           .format(sql.Identifier(name)))


def seeded_scale(url: str) -> str | None:
    with psycopg.connect(url) as connection:
        try:
            row = connection.execute("SELECT scale FROM bench_meta").fetchone()
        except psycopg.errors.UndefinedTable:
            return None
    return row[0] if row else None


SEED_VERSION = 2  # bump when the schema or the seeded rows change


def scale_key(args) -> str:
    return (f"v{SEED_VERSION}/{args.learners}/{args.units}/{args.lesson_rows_per_learner}/"
            f"{args.certified}")


def make_app(url: str, migrate: bool):
    return create_app({"SQLALCHEMY_DATABASE_URI": _database_url(url), "SECRET_KEY": "bench",
                       "LMS_AUTO_MIGRATE": migrate, "LMS_SEED_SAMPLE_UNITS": False,
                       "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})


def step(label: str, started: float) -> float:
    now = time.perf_counter()
    print(f"  {label}: {now - started:.1f} s", flush=True)
    return now


def seed(args, catalog) -> None:
    rng = random.Random(20261122)
    now = datetime.now(timezone.utc)
    lessons = [(c.slug, l.slug, l.content_hash) for c in catalog.courses for l in c.lessons]
    with psycopg.connect(args.database_url) as connection:
        cursor = connection.cursor()
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connection.commit()
    make_app(args.database_url, migrate=True)  # the real schema, from the migrations
    started = time.perf_counter()
    with psycopg.connect(args.database_url) as connection:
        cursor = connection.cursor()
        # Units: ids are assigned here, so the paths can be written in the same pass.
        units = [(1, "BP", "Tỉnh Bình Phước (thử)", "province", None, "/1/")]
        communes = []
        for n in range(1, COMMUNES + 1):
            unit_id = 1 + n
            communes.append(unit_id)
            kind = "ward" if n % 3 == 0 else "commune"
            units.append((unit_id, f"BP-C{n:02d}", f"{'Phường' if kind == 'ward' else 'Xã'} "
                          f"Thử {n}", kind, 1, f"/1/{unit_id}/"))
        groups = []
        for n in range(1, args.units - COMMUNES):
            unit_id = COMMUNES + 1 + n
            parent = communes[(n - 1) % COMMUNES]
            groups.append(unit_id)
            units.append((unit_id, f"BP-C{parent - 1:02d}-G{n:04d}", f"Tổ dân phố {n}", "group",
                          parent, f"/1/{parent}/{unit_id}/"))
        with cursor.copy("COPY org_units (id, code, name, kind, parent_id, path) FROM STDIN") as copy:
            for row in units:
                copy.write_row(row)
        cursor.execute("SELECT setval('org_units_id_seq', %s)", (len(units),))
        big_unit = next(u[0] for u in units if u[1] == BIG_UNIT)
        started = step(f"{len(units)} units", started)

        # Learners: ~1 in 10 a civil servant, 5% without a birth year; one unit of exactly 5,000.
        password_hash = HASHER.hash(PASSWORD)
        certified: list[tuple[int, str]] = []
        other_units = [u for u in groups if u != big_unit] + communes
        with cursor.copy("COPY users (id, full_name, birth_year, password_hash, org_unit_id, "
                         "role, audience, position, session_token, created_at) FROM STDIN") as copy:
            for user_id in range(1, args.learners + 1):
                unit = big_unit if user_id <= BIG_UNIT_PEOPLE else rng.choice(other_units)
                audience = "civil-servant" if rng.random() < 0.1 else "citizen"
                born = None if rng.random() < 0.05 else rng.randint(1940, 2007)
                copy.write_row((user_id, f"Người học Nguyễn Văn {user_id}", born, "!", unit,
                                "learner", audience,
                                "Chuyên viên" if audience == "civil-servant" else None,
                                "x", now))
                if rng.random() < args.certified:
                    certified.append((user_id, audience))
            staff_id = args.learners + 1
            copy.write_row((staff_id, "Người tổ chức", 1980, password_hash, 1, "organiser",
                            "civil-servant", "Trưởng ban", "bench", now))
        cursor.execute("UPDATE users SET scope_unit_id = 1, phone = '+84900000001' WHERE id = %s",
                       (staff_id,))
        cursor.execute("SELECT setval('users_id_seq', %s)", (staff_id,))
        started = step(f"{args.learners + 1} people", started)

        # Lesson progress: everything for the certified, a random start for the others, so the
        # average is --lesson-rows-per-learner rows per learner.
        certified_ids = {user_id for user_id, _ in certified}
        certified_rows = len(certified) * len(lessons)
        others = args.learners - len(certified)
        mean_other = max((args.lesson_rows_per_learner * args.learners - certified_rows)
                         / max(others, 1), 0)
        top = min(len(lessons), max(round(2 * mean_other), 0))
        count = 0
        with cursor.copy("COPY lesson_progress (user_id, course_slug, lesson_slug, content_hash, "
                         "completed_at) FROM STDIN") as copy:
            for user_id in range(1, args.learners + 1):
                done = len(lessons) if user_id in certified_ids else rng.randint(0, top)
                when = now - timedelta(days=rng.randint(0, 90), seconds=rng.randint(0, 86399))
                for course_slug, lesson_slug, content_hash in lessons[:done]:
                    copy.write_row((user_id, course_slug, lesson_slug, content_hash, when))
                count += done
        started = step(f"{count} lesson-progress rows", started)

        with cursor.copy("COPY quiz_attempts (token, user_id, course_slug, quiz_hash, draw, "
                         "answers, correct_count, question_count, score_percent, passed, "
                         "started_at, submitted_at) FROM STDIN") as copy:
            for user_id, _ in certified:
                for course in catalog.courses:
                    copy.write_row((f"t{user_id}-{course.slug}", user_id, course.slug, "x", "[]",
                                    "{}", 10, 10, 100, True, now, now))
        with cursor.copy("COPY certificates (code, serial, user_id, kind, subject_slug, "
                         "holder_name, titles, competences, issued_at, revoked_at) "
                         "FROM STDIN") as copy:
            for user_id, audience in certified:
                program = "civil-servant" if audience == "civil-servant" else "citizen-basic"
                issued = now - timedelta(days=rng.randint(0, 59), seconds=rng.randint(0, 86399))
                revoked = now if rng.random() < 0.01 else None
                copy.write_row((f"C{user_id:011d}", f"S{user_id:011d}", user_id, "program",
                                program, f"Người học Nguyễn Văn {user_id}", "{}", "[]", issued,
                                revoked))
                # As in the app: each completed course has its own certificate too.
                for n, course in enumerate(catalog.courses, start=1):
                    copy.write_row((f"K{user_id:010d}{n}", f"T{user_id:010d}{n}", user_id,
                                    "course", course.slug, f"Người học Nguyễn Văn {user_id}",
                                    "{}", "[]", issued, None))
        started = step(f"{len(certified)} certificates and {3 * len(certified)} quiz attempts",
                       started)

        deadline = date.today() + timedelta(days=120)
        cursor.executemany(
            "INSERT INTO targets (org_unit_id, program_slug, audience, kind, value, deadline, "
            "created_at) VALUES (%s, %s, %s, %s, %s, %s, now())",
            [(1, "citizen-basic", "citizen", "percent", 60, deadline),
             (1, "civil-servant", "civil-servant", "percent", 100, deadline),
             (2, "citizen-basic", "citizen", "count", 10000, deadline)])
        cursor.executemany(
            "INSERT INTO assignments (subject_kind, subject_slug, org_unit_id, due_on, "
            "created_at) VALUES (%s, %s, %s, %s, now())",
            [("program", "civil-servant", 1, date.today() + timedelta(days=5)),
             ("course", "data-security", 2, date.today() - timedelta(days=3))])
        cursor.execute("CREATE TABLE bench_meta (scale text)")
        cursor.execute("INSERT INTO bench_meta VALUES (%s)", (scale_key(args),))
        connection.commit()
    with psycopg.connect(args.database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    step("VACUUM ANALYZE", started)


def timed(client, url: str, runs: int) -> tuple[list[float], int, int]:
    times, status, size = [], 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.response)  # read the stream to its end
        times.append(time.perf_counter() - started)
        status = response.status_code
        response.close()
    return times, status, size


def main() -> None:
    args = parse_args()
    os.environ.setdefault("LMS_INSTANCE_DIR", tempfile.mkdtemp(prefix="lms-bench-"))
    signal.signal(signal.SIGALRM, lambda *_: sys.exit(f"stopped after {args.time_limit} s"))
    signal.alarm(args.time_limit)
    ensure_database(args.database_url)
    app = make_app(args.database_url, migrate=False)
    catalog = app.extensions["lms.catalog"]
    if args.reuse and seeded_scale(args.database_url) == scale_key(args):
        print(f"reusing the data seeded at {scale_key(args)}")
    else:
        print(f"seeding {args.learners} learners in {args.units} units ...", flush=True)
        seed(args, catalog)
    client = app.test_client()
    login = client.post("/login", data={"identifier": "0900000001", "password": PASSWORD})
    assert login.status_code == 302, login.status_code
    with psycopg.connect(args.database_url) as connection:
        people, lessons, certificates = connection.execute(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM lesson_progress), "
            "(SELECT count(*) FROM certificates)").fetchone()
    print(f"database: {people} people, {lessons} lesson-progress rows, "
          f"{certificates} certificates")
    # Counting live, as a dashboard does without a fresh snapshot: once, for comparison.
    with app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code="BP").one()
        started = time.perf_counter()
        dashboard.dashboard(db.session, unit, catalog, clock.today())
        print(f"province figures counted live (no snapshot): {time.perf_counter() - started:.2f} s")
    refresh = app.test_cli_runner().invoke(args=["reports", "refresh"])
    assert refresh.exit_code == 0, refresh.output
    print(f"flask reports refresh (the cron job): {refresh.output.strip()}")
    pages = [("province dashboard", "/reports/", 1.0),
             ("commune drill-down", "/reports/units/BP-C02/", 1.0),
             (f"CSV export of {BIG_UNIT} ({BIG_UNIT_PEOPLE} people)",
              f"/reports/units/{BIG_UNIT}/people.csv", 5.0)]
    failed = False
    for label, url, target in pages:
        times, status, size = timed(client, url, args.runs)
        median = statistics.median(times)
        verdict = "ok" if status == 200 and median < target else "TOO SLOW"
        failed |= verdict != "ok"
        print(f"{label}: median {median:.3f} s, first {times[0]:.3f} s, best {min(times):.3f} s "
              f"over {args.runs} runs; HTTP {status}, {size / 1024:.0f} KiB; target < {target:g} s"
              f" -> {verdict}")
    if args.drop:
        drop_database(args.database_url)  # WITH (FORCE) closes the app's pooled connections
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
