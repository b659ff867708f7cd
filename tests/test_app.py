"""The first pages, served over real HTTP through the app on each database."""
import shutil

from lms.config import REPOSITORY_ROOT
from lms.content import load_catalog


def test_index_lists_every_course_with_title_summary_and_minutes(client, bundled_catalog):
    page = client.get("/").get_data(as_text=True)
    assert bundled_catalog.courses
    for course in bundled_catalog.courses:
        text = course.texts.get("vi")
        assert text.title in page and text.summary in page
        assert f"khoảng {course.minutes} phút" in page
    assert '<html lang="vi">' in page


def test_index_is_served_from_memory_without_reading_content_files(make_app, tmp_path):
    content = tmp_path / "content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, content / folder)
    # Without reloading (production's setting): while trainers edit, files are read again
    # a second after start, and this machine may take that long to build the app.
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(content), LMS_CONTENT_RELOAD=False)
    shutil.rmtree(content)
    page = app.test_client().get("/").get_data(as_text=True)
    assert load_catalog(REPOSITORY_ROOT).courses[0].texts.get("vi").title in page


def test_a_broken_course_leaves_the_site_up_with_the_valid_ones(make_app, tmp_path, caplog):
    content = tmp_path / "content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, content / folder)
    broken = sorted((content / "courses").iterdir())[0]
    (broken / "course.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(content))
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert f"courses/{broken.name}/course.md:2: front matter is not valid" in caplog.text
    titles = [c.texts.get("vi").title for c in app.extensions["lms.catalog"].courses]
    assert titles and all(title in response.get_data(as_text=True) for title in titles)


def test_healthz_answers_200_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (
        200, {"status": "ok", "database": "ok", "rate_limits": "per-process"})


def test_healthz_answers_503_when_the_database_is_not(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/lms.sqlite3",
                   LMS_AUTO_MIGRATE=False)
    assert app.test_client().get("/healthz").status_code == 503


def test_lesson_images_are_served_but_sources_are_not(client, bundled_catalog):
    course = next((c for c in bundled_catalog.courses if c.assets), None)
    if course is None:
        course = bundled_catalog.courses[0]
    for asset in course.assets:
        response = client.get(f"/courses/{course.slug}/files/{asset}")
        assert response.status_code == 200
        assert response.cache_control.max_age and response.cache_control.max_age >= 86400
        response.close()
    source = course.lessons[0].source.rsplit("/", 1)[1]
    assert client.get(f"/courses/{course.slug}/files/{source}").status_code == 404
    assert client.get(f"/courses/{course.slug}/files/../../pyproject.toml").status_code == 404
    assert client.get("/courses/no-such-course/files/x.svg").status_code == 404


def test_database_is_migrated_on_first_start(app):
    from sqlalchemy import inspect

    from lms.extensions import db

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {"users", "org_units", "alembic_version"} <= tables


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(make_app, database_url):
    from sqlalchemy import text

    from lms.extensions import db

    if not database_url.startswith("sqlite"):
        return  # the PostgreSQL run of this test has nothing to check
    app = make_app()
    with app.app_context():
        mode = db.session.execute(text("PRAGMA journal_mode")).scalar()
        timeout = db.session.execute(text("PRAGMA busy_timeout")).scalar()
    assert (mode, timeout) == ("wal", 10000)


def test_content_errors_are_shown_to_trainers(make_app, tmp_path):
    from lms.extensions import db
    from lms.models import User
    from tests.conftest import Learners

    content = tmp_path / "content"
    for folder in ("courses", "quizzes", "certificates"):
        shutil.copytree(REPOSITORY_ROOT / folder, content / folder)
    quiz = content / "quizzes" / "ai-basics.md"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("- [x]", "- [ ]", 1), encoding="utf-8")
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(content))
    client = Learners(app).register(identifier="0912345678")
    with app.app_context():
        db.session.query(User).one().role = "admin"
        db.session.commit()
    page = client.get("/admin/content/").get_data(as_text=True)
    assert "quizzes/ai-basics.md:" in page and "câu hỏi này chưa có đáp án đúng" in page
    client.get("/language/en")
    page = client.get("/admin/content/").get_data(as_text=True)
    assert "this question has no right option" in page


def test_workers_starting_together_migrate_one_at_a_time(tmp_path, database_url):
    """gunicorn starts its workers at once; each migrates at start-up and none may fail."""
    import os
    import subprocess
    import sys

    if database_url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        from lms.config import _database_url
        engine = create_engine(_database_url(database_url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    script = ("from lms import create_app; "
              "create_app({'SQLALCHEMY_DATABASE_URI': %r, 'LMS_AUTO_MIGRATE': True, "
              "'SECRET_KEY': 'x'})" % database_url.replace("postgresql://", "postgresql+psycopg://"))
    env = {**os.environ, "LMS_INSTANCE_DIR": str(tmp_path / "instance")}
    workers = [subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE,
                                text=True, cwd=REPOSITORY_ROOT) for _ in range(4)]
    results = [(worker.wait(timeout=120), worker.stderr.read()) for worker in workers]
    for worker in workers:
        worker.stderr.close()
    assert [code for code, _ in results] == [0, 0, 0, 0], [err[-500:] for _, err in results]
