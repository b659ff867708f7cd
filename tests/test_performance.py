"""What keeps pages fast and light: few queries per signed-in page, a lesson page rendered
once for everyone in the same state (only the form token personal), compressed pages, and
static files under versioned addresses cached for a year."""
import gzip
import io
import json
import re
from contextlib import contextmanager

import brotli
from pypdf import PdfReader
from sqlalchemy import event

from lms.extensions import db
from tests.conftest import complete_through_the_record

LESSON = "/courses/ai-basics/what-is-ai/"


@contextmanager
def counted_queries(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        # SQLite's BEGIN is no round trip; the look for newly published content is once a
        # second per process, not per request.
        if statement != "BEGIN" and "content_releases" not in statement:
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_signed_in_lesson_costs_two_queries_the_session_check_and_its_done_mark(
        app, client, learners):
    learners.register(client)
    client.get(LESSON)  # the first request of a process renders and keeps the shared copy
    with counted_queries(app) as statements:
        assert client.get(LESSON).status_code == 200
    assert len(statements) <= 2, statements
    assert "device_sessions" in statements[0]  # the sign-in is still checked every request


def test_a_page_rendered_after_its_commit_reloads_nothing(app, client, learners):
    """The quiz page commits its draw, then renders with the person and the attempt it has
    loaded: no query after the commit reads them again."""
    learners.register(client)
    client.get("/quiz-layout/all")
    with counted_queries(app) as statements:
        assert client.get("/courses/ai-basics/quiz/").status_code == 200  # draws and commits
    reads_of_people = [s for s in statements if s.lstrip().startswith("SELECT users.")]
    assert len(reads_of_people) == 1, statements  # the sign-in check, and only it
    assert not [s for s in statements[statements.index(reads_of_people[0]) + 1:]
                if s.lstrip().startswith("SELECT quiz_attempts.")
                and "quiz_attempts.id = " in s], statements  # the new attempt, not reloaded


def test_signed_in_course_page_and_own_page_keep_a_bounded_number_of_queries(
        app, client, learners):
    learners.register(client)
    for url, most in (("/courses/ai-basics/", 3), ("/me/", 6)):
        client.get(url)
        with counted_queries(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= most, (url, statements)


def test_the_course_page_and_own_page_cost_the_same_queries_however_much_the_record_holds(
        app, client, learners, bundled_catalog):
    from datetime import timedelta

    from lms.models import User
    from lms.services import clock

    learners.register(client, identifier="0912 345 678")
    client.get("/")  # the welcome message
    organiser = learners.with_role("organiser", unit="HN")
    with app.app_context():
        user = db.session.query(User).filter_by(role="learner").one()
        unit = user.org_unit.code

    def assign(subject: str, unit: str = "", people: str = "", days: int = 30) -> None:
        due_on = (clock.today() + timedelta(days=days)).isoformat()
        response = organiser.post("/reports/assignments/", data={
            "subject": subject, "unit": unit, "people": people, "audience": "",
            "due_on": due_on})
        assert response.status_code == 302, response.get_data(as_text=True)

    def queries() -> dict[str, int]:
        counted = {}
        for url in ("/courses/ai-basics/", "/me/"):
            client.get(url)
            with counted_queries(app) as statements:
                page = client.get(url)
            assert page.status_code == 200
            counted[url] = len(statements)
        # Marking a lesson done looks at the whole record for what it earns.
        with counted_queries(app) as statements:
            assert client.post(f"/courses/{first.slug}/{first.lessons[0].slug}/done"
                               ).status_code == 302
        counted["mark done"] = len(statements)
        return counted

    def complete(*courses) -> None:
        with app.app_context():
            learner = db.session.get(User, user.id)
            for course in courses:
                complete_through_the_record(db.session, learner, bundled_catalog, course,
                                            clock.now())
            db.session.commit()

    # A little in the record: the course completed, and assigned to the person's unit.
    first, *others = bundled_catalog.courses
    complete(first)
    assign(f"course:{first.slug}", unit=unit)
    little = queries()
    # Much more: every other course completed too, and the program with them (more lessons,
    # attempts and certificates); more courses and a program assigned, by unit and by name.
    complete(*others)
    for days, subject in enumerate([f"course:{c.slug}" for c in others] +
                                   ["program:citizen-basic"]):
        assign(subject, unit=unit, days=10 + days)
        assign(subject, people="0912 345 678", days=20 + days)
    page = client.get("/me/").get_data(as_text=True)
    assert page.count("/me/certificates/") == 2 * (len(bundled_catalog.courses) + 1)
    assert page.count("state-done") == len(bundled_catalog.courses) + 1
    assert queries() == little
    # The session check, the record in one query, the completed course's certificate, the
    # assignments (for the due-date notice) and whether each is done; for /me, the session
    # check, all certificates, the record, the last results, the assignments and whether
    # each is done; for marking a lesson done, the session check, the lesson's mark, the
    # record and the course certificates it holds (one query however many), the program
    # certificates, then the course's record again for the next lesson.
    assert little == {"/courses/ai-basics/": 5, "/me/": 6, "mark done": 7}, little


def test_a_shared_lesson_page_carries_each_learners_own_token_and_state(make_app, learners):
    app = make_app()
    learners.app = app
    first, second = learners.register(), learners.register()
    for client in (first, second):
        client.get("/")  # the welcome message is shown: the pages after it may be shared
    app.config["WTF_CSRF_ENABLED"] = True  # from here on, as in production
    page = first.get(LESSON).get_data(as_text=True)
    other = second.get(LESSON).get_data(as_text=True)
    assert form_token(page) != form_token(other)  # the same copy, each one's own token
    assert "form-token-" not in page + other
    # The token in the shared copy works, and only for its own session.
    action = f"{LESSON}done"
    assert second.post(action, data={"csrf_token": form_token(page)}).status_code == 400
    assert first.post(action, data={"csrf_token": form_token(page)}).status_code == 302
    done, not_yet = first.get(LESSON).get_data(as_text=True), second.get(LESSON).get_data(
        as_text=True)
    assert "Bạn đã học xong bài này" in done and "Bạn đã học xong bài này" not in not_yet
    # Signing out still works from the shared page's footer.
    assert first.post("/logout", data={"csrf_token": form_token(done)}).status_code == 302
    assert "Bạn đã học xong bài này" not in first.get(LESSON).get_data(as_text=True)


def signed_in_id(page: str):
    """Who the page's scripts think is signed in (offline.js files queued marks under it)."""
    texts = re.search(r'<script type="application/json" id="script-texts">(.*?)</script>', page,
                      re.S).group(1)
    return json.loads(texts)["user"]


def user_id(app, phone: str) -> int:
    from lms.services import accounts

    with app.app_context():
        return accounts.find_account(db.session, accounts.parse_identifier(phone)).id


def test_a_shared_lesson_page_names_each_reader_as_themselves(app, learners):
    first, second = learners.register(), learners.register()
    for client in (first, second):
        client.get("/")  # the welcome message is shown: the pages after it may be shared
    first_page = first.get(LESSON).get_data(as_text=True)  # rendered, and kept for both
    second_page = second.get(LESSON).get_data(as_text=True)
    assert user_id(app, "0912 000 001") != user_id(app, "0912 000 002")
    assert signed_in_id(first_page) == user_id(app, "0912 000 001")
    assert signed_in_id(second_page) == user_id(app, "0912 000 002")
    assert signed_in_id(app.test_client().get(LESSON).get_data(as_text=True)) is None
    assert "signed-in-" not in first_page + second_page


def menu_and_footer(page: str) -> str:
    return re.search(r'<nav class="top-nav".*?</nav>', page, re.S).group(0) + re.search(
        r'<footer class="site-footer">.*?</footer>', page, re.S).group(0)


def test_the_shared_page_frame_shows_each_person_their_own_menu_token_and_language(
        make_app, learners):
    app = make_app()
    learners.app = app
    admin, learner = learners.with_role("admin"), learners.register()
    for client in (admin, learner):
        client.get("/")  # the welcome message
    app.config["WTF_CSRF_ENABLED"] = True  # from here on, as in production
    admin_page = admin.get("/me/").get_data(as_text=True)  # the frame's parts rendered, kept
    learner_page = learner.get("/me/").get_data(as_text=True)
    assert 'href="/admin/' in menu_and_footer(admin_page)
    assert 'href="/admin/' not in menu_and_footer(learner_page)
    assert "Đăng xuất" in learner_page and "form-token-" not in admin_page + learner_page
    # Each one's own sign-out token, working for their own session only.
    assert form_token(admin_page) != form_token(learner_page)
    assert learner.post("/logout", data={"csrf_token": form_token(admin_page)}).status_code \
        == 400
    # The same frame in English is its own copy.
    learner.get("/language/en")
    english = learner.get("/me/").get_data(as_text=True)
    assert "Sign out" in menu_and_footer(english) and "Đăng xuất" not in english
    assert "Đăng xuất" in admin.get("/me/").get_data(as_text=True)
    assert learner.post("/logout", data={"csrf_token": form_token(english)}).status_code == 302


def test_each_course_page_offers_its_own_lessons_to_save_offline(client, learners,
                                                                 bundled_catalog):
    learners.register(client)
    client.get("/")  # the welcome message
    for course in bundled_catalog.courses * 2:  # the second time, from the shared part
        page = client.get(f"/courses/{course.slug}/").get_data(as_text=True)
        saved = re.search(r'data-offline-course="([^"]+)"[^>]*data-pages="([^"]+)"', page)
        assert saved.group(1) == course.slug
        assert saved.group(2).split() == [f"/courses/{course.slug}/"] + [
            f"/courses/{course.slug}/{lesson.slug}/" for lesson in course.lessons] + ["/"]


def test_a_device_signed_out_elsewhere_is_signed_out_on_the_next_lesson_page(app, learners):
    phone = learners.register()
    assert 'action="/logout"' in phone.get(LESSON).get_data(as_text=True)
    # Signing out every other device from the second one reaches the first at once.
    second = app.test_client()
    learners.login(second, "0912 000 001")
    second.post("/me/settings/sign-out-others")
    page = phone.get(LESSON).get_data(as_text=True)
    assert 'action="/logout"' not in page and "/login" in page


# --- fewer bytes ------------------------------------------------------------------------------

def test_pages_are_sent_with_brotli_or_gzip_as_the_browser_accepts(client):
    plain = client.get(LESSON, headers={"Accept-Encoding": "identity"})
    assert plain.headers.get("Content-Encoding") is None
    assert "Accept-Encoding" in plain.headers["Vary"]
    for accepted, used, unpack in (("gzip, deflate, br", "br", brotli.decompress),
                                   ("gzip", "gzip", gzip.decompress)):
        response = client.get(LESSON, headers={"Accept-Encoding": accepted})
        assert response.headers["Content-Encoding"] == used
        assert "Accept-Encoding" in response.headers["Vary"]
        assert unpack(response.data) == plain.data
        assert len(response.data) < len(plain.data) / 2
        # Compression keeps every other header.
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_signed_in_page_compressed_is_still_never_stored(client, learners):
    learners.register(client)
    response = client.get(LESSON, headers={"Accept-Encoding": "br"})
    assert (response.headers["Content-Encoding"], response.headers["Cache-Control"]) == \
        ("br", "no-store")
    assert b"Sign out" in brotli.decompress(response.data) or \
        "Đăng xuất".encode() in brotli.decompress(response.data)


def test_the_stylesheet_is_compressed_and_still_answers_not_modified(client):
    address = stylesheet_address(client)
    response = client.get(address, headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    css = brotli.decompress(response.get_data())
    assert b"body" in css and len(response.get_data()) < len(css) / 2
    again = client.get(address, headers={"Accept-Encoding": "br",
                                         "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    response.close()
    again.close()


def test_streamed_exports_and_pdfs_are_never_compressed(app, client, learners,
                                                        bundled_catalog):
    admin = learners.with_role("admin")
    export = admin.get("/admin/audit.csv", headers={"Accept-Encoding": "gzip, br"})
    assert export.status_code == 200 and export.is_streamed
    assert export.headers.get("Content-Encoding") is None
    assert export.get_data().startswith("\ufeff".encode())  # the plain CSV, BOM first
    from lms.models import User
    from lms.services import clock

    learners.register(client, identifier="0912345678")
    with app.app_context():
        user = db.session.query(User).filter_by(role="learner").one()
        issued = complete_through_the_record(
            db.session, user, bundled_catalog, bundled_catalog.course("data-security"),
            clock.now())
        db.session.commit()
        code = next(c.code for c in issued if c.kind == "course")
    pdf = client.get(f"/me/certificates/{code}/vi.pdf", headers={"Accept-Encoding": "gzip, br"})
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers.get("Content-Encoding") is None
    assert "Nguyễn Thị Dung" in PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()


# --- versioned static addresses ---------------------------------------------------------------

def stylesheet_address(client) -> str:
    return re.search(r'<link rel="stylesheet" href="([^"]+)"',
                     client.get("/").get_data(as_text=True)).group(1)


def test_the_stylesheet_address_carries_its_content_hash_and_is_kept_a_year(client):
    import hashlib

    from lms.config import REPOSITORY_ROOT

    address = stylesheet_address(client)
    digest = hashlib.sha256((REPOSITORY_ROOT / "static" / "style.css").read_bytes()).hexdigest()
    assert address == f"/static/style.css?v={digest[:12]}"
    response = client.get(address)
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable and response.cache_control.public
    response.close()


def test_an_unversioned_or_old_static_address_gets_a_short_cache(client):
    for address in ("/static/style.css", "/static/style.css?v=0123456789ab"):
        response = client.get(address)
        assert response.status_code == 200, address
        assert response.cache_control.max_age <= 3600 and not response.cache_control.immutable
        response.close()


def test_an_upgraded_stylesheet_gets_a_new_version(tmp_path):
    from lms.static_files import content_hashes

    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "style.css").write_text("body { color: black }")
    before = content_hashes(str(tmp_path))
    (tmp_path / "css" / "style.css").write_text("body { color: navy }")
    after = content_hashes(str(tmp_path))
    assert set(before) == set(after) == {"css/style.css"}
    assert before["css/style.css"] != after["css/style.css"]
