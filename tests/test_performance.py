"""What keeps signed-in pages fast: few queries per page, a lesson page rendered once for
everyone in the same state, with only the form token personal."""
import re
from contextlib import contextmanager

from sqlalchemy import event

from lms.extensions import db

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


def test_signed_in_course_page_and_own_page_keep_a_bounded_number_of_queries(
        app, client, learners):
    learners.register(client)
    for url, most in (("/courses/ai-basics/", 4), ("/me/", 8)):
        client.get(url)
        with counted_queries(app) as statements:
            assert client.get(url).status_code == 200
        assert len(statements) <= most, (url, statements)


def test_a_shared_lesson_page_carries_each_learners_own_token_and_state(make_app, learners):
    app = make_app()
    learners.app = app
    first, second = learners.register(), learners.register()
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
    assert form_token(done) == form_token(page)  # the footer's sign-out form
    # Signing out still works from the shared page's footer.
    assert first.post("/logout", data={"csrf_token": form_token(done)}).status_code == 302
    assert "Bạn đã học xong bài này" not in first.get(LESSON).get_data(as_text=True)


def test_a_device_signed_out_elsewhere_is_signed_out_on_the_next_lesson_page(app, learners):
    phone = learners.register()
    assert 'action="/logout"' in phone.get(LESSON).get_data(as_text=True)
    # Signing out every other device from the second one reaches the first at once.
    second = app.test_client()
    learners.login(second, "0912 000 001")
    second.post("/me/settings/sign-out-others")
    page = phone.get(LESSON).get_data(as_text=True)
    assert 'action="/logout"' not in page and "/login" in page
