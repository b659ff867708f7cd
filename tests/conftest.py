"""Shared fixtures: an app on every configured database, a client, a CLI runner, content trees."""
from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from redis.exceptions import ConnectionError
from sqlalchemy import create_engine, make_url, text

from lms import create_app
from lms.config import REPOSITORY_ROOT, _database_url
from lms.content import load_catalog
from lms.extensions import limiter

IN_CI = os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Optional backends skip on a developer's machine but must run in CI."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def bundled_catalog():
    return load_catalog(REPOSITORY_ROOT)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("LMS_TEST_DATABASE_URL")
    if not url:
        skip_or_fail("PostgreSQL tests need LMS_TEST_DATABASE_URL, "
                     "e.g. postgresql://postgres@127.0.0.1:5432/test")
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1... when run in parallel
    if worker:
        url = _database_of_worker(url, worker)
    engine = create_engine(_database_url(url))
    with engine.begin() as connection:  # start from an empty schema, then let migrations build it
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


def _database_of_worker(url: str, worker: str) -> str:
    """Each parallel test process gets a database of its own beside the configured one."""
    configured = make_url(_database_url(url))
    own = configured.set(database=f"{configured.database}_{worker}")
    engine = create_engine(configured, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                    {"name": own.database}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


def _empty_tables(app) -> None:
    from lms.extensions import db
    from lms.models import Base

    with app.app_context():
        names = ", ".join(table.name for table in Base.metadata.sorted_tables)
        # The audit trail refuses TRUNCATE by trigger; as the superuser, the tests step past it.
        db.session.execute(text("SET session_replication_role = replica"))
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def make_app(tmp_path, monkeypatch, database_url, bundled_catalog):
    """Builds an app on the test's database; extra settings override the defaults."""
    monkeypatch.setenv("LMS_INSTANCE_DIR", str(tmp_path / "instance"))
    # Commands speak Vietnamese unless LANG is English; the tests read their English output
    # (tests/test_cli_language.py runs them with LANG unset, and in Vietnamese).
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    apps = []

    def build(**settings):
        config = {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": _database_url(database_url),
            "LMS_AUTO_MIGRATE": True,
            "LMS_CATALOG": bundled_catalog,
            "WTF_CSRF_ENABLED": False,
            "LMS_CONTENT_RELOAD": False,  # tests that watch files turn it on
        }
        config.update(settings)
        app = create_app(config)
        with app.app_context():
            try:
                limiter.reset()  # each test starts with no attempts counted against it
            except ConnectionError:  # a test of a Redis that is down: nothing to reset
                pass
        apps.append(app)
        return app

    yield build
    for app in apps:
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
            _empty_tables(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


class Clock:
    """The app's clock (lms.services.clock.now), stopped at a moment a test moves on by hand."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment

    def advance(self, **delta):
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    from lms.services import clock as app_clock

    stopped = Clock(app_clock.now())
    monkeypatch.setattr(app_clock, "now", stopped)
    return stopped


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def editable(tmp_path):
    """A copy of the bundled content that a test may edit, as a trainer would."""
    import shutil

    root = tmp_path / "editable-content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, root / folder)
    return root


@pytest.fixture
def content_tree(tmp_path):
    """Writes files under a fresh content folder: content_tree({"courses/x/course.md": "..."})."""
    root = tmp_path / "content"

    def write(files: dict[str, str | bytes]) -> Path:
        for relative, body in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(body, bytes):
                path.write_bytes(body)
            else:
                path.write_text(body, encoding="utf-8")
        return root

    return write


@pytest.fixture
def bundled_copy(tmp_path) -> Path:
    """A copy of the bundled courses, quizzes and certificates that a test may break."""
    root = tmp_path / "content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, root / folder)
    return root


PASSWORD = "một câu dễ nhớ"
# Two provinces; the first with a commune (and a group below it) and a ward.
UNITS = [
    {"code": "P", "name": "Tỉnh Thử Nghiệm", "parent_code": "", "kind": "province"},
    {"code": "P-C1", "name": "Xã Một", "parent_code": "P", "kind": "commune"},
    {"code": "P-C1-G1", "name": "Tổ dân phố Một", "parent_code": "P-C1", "kind": "group"},
    {"code": "P-C2", "name": "Phường Hai", "parent_code": "P", "kind": "ward"},
    {"code": "Q", "name": "Tỉnh Khác", "parent_code": "", "kind": "province"},
    {"code": "Q-C1", "name": "Xã Khác", "parent_code": "Q", "kind": "commune"},
]


def client_from(app, address: str):
    """A test client whose requests come from another (loopback) address, as another phone."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


class Learners:
    """Signs people up and in through the real forms, as a browser would."""

    def __init__(self, app):
        self.app = app
        self.count = 0

    def unit_id(self) -> int:
        from lms.extensions import db
        from lms.campaign.units import learner_unit_choices

        with self.app.app_context():
            return learner_unit_choices(db.session)[0].id

    def register(self, client=None, name="Nguyễn Thị Dung", identifier=None, password=PASSWORD):
        client = client or self.app.test_client()
        self.count += 1
        identifier = identifier or f"0912 000 {self.count:03d}"
        response = client.post("/register", data={
            "identifier": identifier, "full_name": name, "password": password,
            "org_unit": self.unit_id(), "consent": "y"})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def login(self, client, identifier, password=PASSWORD):
        return client.post("/login", data={"identifier": identifier, "password": password})

    def with_role(self, role: str, unit: str = "HN-HK", client=None):
        """A signed-in client for someone who signed up and was then granted `role` from the
        command line, as a deployment grants it."""
        self.count += 1
        identifier = f"0913 000 {self.count:03d}"
        client = self.register(client, identifier=identifier)
        if role != "learner":
            scope = ["--unit", unit] if role in ("manager", "organiser") else []
            result = self.app.test_cli_runner().invoke(
                args=["users", "set-role", identifier, role, *scope])
            assert result.exit_code == 0, result.output
        client.phone = identifier
        return client


@pytest.fixture
def learners(app):
    return Learners(app)


def form_answers(app, token: str, answers: dict[str, list[int]]) -> dict[str, list[str]]:
    """Quiz form fields for answers given as the quiz file's option indices: the page sends
    each option's place on it, in the order the attempt drew (services/quizzes.py)."""
    from sqlalchemy import select

    from lms.extensions import db
    from lms.models import QuizAttempt

    with app.app_context():
        draw = db.session.scalar(select(QuizAttempt.draw).where(QuizAttempt.token == token))
    orders = {item["key"]: item["order"] for item in draw}
    return {f"q-{key}": [str(orders[key].index(i)) for i in picked]
            for key, picked in answers.items()}


def right_answers(attempt, quiz) -> dict[str, list[int]]:
    return {item["key"]: sorted(quiz.question(item["key"]).correct) for item in attempt.draw}


def complete_through_the_record(session, user, catalog, course, now):
    """What a learner does to complete a course, through the real services (never by writing
    certificate rows): every lesson marked done, then a drawn quiz answered right."""
    from lms.services import quizzes, record

    issued = []
    for lesson in course.lessons:
        issued += record.mark_lesson_done(session, user, catalog, course, lesson, now)
    if course.quiz:
        attempt = quizzes.open_attempt(session, user.id, course, now)
        _graded, more = record.submit_quiz(session, user, catalog, course, attempt.token,
                                           right_answers(attempt, course.quiz), now)
        issued += more
    return issued


def sent_to(app, to: str):
    """The messages the app wrote to its outbox (the development backend) for `to`."""
    from lms.messaging import read_outbox

    return read_outbox(app.config["LMS_OUTBOX_DIR"], to)


def last_code(app, to: str) -> str:
    import re

    return re.search(r"\b(\d{6})\b", sent_to(app, to)[-1].text).group(1)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1 (aiosmtpd); `.messages` holds what it received."""
    from aiosmtpd.controller import Controller

    class Keep:
        messages: list = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    handler = Keep()
    handler.messages = []
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, handler.messages
    finally:
        controller.stop()


@pytest.fixture
def sms_gateway():
    """A real HTTP server on 127.0.0.1 standing for an SMS provider's API; `.requests` holds
    (headers, JSON body) of each POST; `.status` is what it answers."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Gateway(ThreadingHTTPServer):
        requests: list
        status = 200

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.server.requests.append((dict(self.headers), json.loads(body)))
            self.send_response(self.server.status)
            self.end_headers()
            self.wfile.write(b'{"ok": true}')

        def log_message(self, *args):
            pass

    server = Gateway(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
