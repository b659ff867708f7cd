"""Reading lessons and keeping progress, over HTTP."""
import re


def test_lessons_can_be_read_without_an_account(client, bundled_catalog):
    course = bundled_catalog.course("ai-basics")
    page = client.get(f"/courses/ai-basics/{course.lessons[0].slug}/").get_data(as_text=True)
    assert course.lessons[0].title("vi") in page
    assert "Tạo tài khoản miễn phí" in page and "next=/courses/ai-basics/" in page


def test_unknown_course_or_lesson_is_a_404_page(client, learners):
    learners.register(client)
    for url in ("/courses/nope/", "/courses/ai-basics/nope/", "/courses/nope/quiz/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_previous_and_next_links_follow_the_file_order(client, bundled_catalog):
    lessons = bundled_catalog.course("data-security").lessons
    page = client.get(f"/courses/data-security/{lessons[1].slug}/").get_data(as_text=True)
    assert f'rel="prev" href="/courses/data-security/{lessons[0].slug}/"' in page
    assert f'rel="next" href="/courses/data-security/{lessons[2].slug}/"' in page


def test_marking_done_needs_an_account(client):
    response = client.post("/courses/ai-basics/what-is-ai/done")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_marking_done_moves_to_the_next_lesson_and_is_idempotent(client, learners, bundled_catalog):
    learners.register(client)
    lessons = bundled_catalog.course("ai-basics").lessons
    first = client.post(f"/courses/ai-basics/{lessons[0].slug}/done")
    again = client.post(f"/courses/ai-basics/{lessons[0].slug}/done")
    assert first.headers["Location"] == again.headers["Location"] == \
        f"/courses/ai-basics/{lessons[1].slug}/"
    outline = client.get("/courses/ai-basics/").get_data(as_text=True)
    assert f"Đã học 1/{len(lessons)} bài" in outline
    assert f'href="/courses/ai-basics/{lessons[1].slug}/">Học tiếp' in outline


def test_after_the_last_lesson_the_quiz_comes_next(client, learners, bundled_catalog):
    learners.register(client)
    lessons = bundled_catalog.course("ai-basics").lessons
    for lesson in lessons:
        response = client.post(f"/courses/ai-basics/{lesson.slug}/done")
    assert response.headers["Location"] == "/courses/ai-basics/quiz/"


def test_progress_is_kept_per_learner(app, learners):
    first = learners.register()
    second = learners.register()
    first.post("/courses/ai-basics/what-is-ai/done")
    assert "Đã học 1/" in first.get("/courses/ai-basics/").get_data(as_text=True)
    assert "Đã học 1/" not in second.get("/courses/ai-basics/").get_data(as_text=True)
    assert "Trí tuệ nhân tạo cơ bản" not in second.get("/me/").get_data(as_text=True)


def test_the_interface_switches_to_english_and_back(client, bundled_catalog):
    response = client.get("/language/en?next=/courses/ai-basics/")
    assert response.headers["Location"] == "/courses/ai-basics/"
    page = client.get("/courses/ai-basics/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert bundled_catalog.course("ai-basics").title("en") in page
    assert "Start the course" in page and "Tiếng Việt" in page
    client.get("/language/vi")
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_language_switch_refuses_unknown_languages_and_foreign_redirects(client):
    assert client.get("/language/fr").status_code == 404
    assert client.get("/language/en?next=https://evil.example/").headers["Location"] == "/"


def test_lesson_images_have_alt_text_and_load_lazily(client, bundled_catalog):
    course = next(c for c in bundled_catalog.courses if c.assets)
    for lesson in course.lessons:
        page = client.get(f"/courses/{course.slug}/{lesson.slug}/").get_data(as_text=True)
        for tag in re.findall(r"<img [^>]+>", page):
            assert re.search(r'alt="[^"]{5,}"', tag) and 'loading="lazy"' in tag


def test_a_shared_anonymous_page_is_never_served_to_a_signed_in_learner(app, learners):
    reader = app.test_client()
    anonymous = reader.get("/courses/ai-basics/what-is-ai/").get_data(as_text=True)
    assert "Tạo tài khoản miễn phí" in anonymous
    learners.register(reader)
    signed_in = reader.get("/courses/ai-basics/what-is-ai/").get_data(as_text=True)
    assert "Đánh dấu đã học và học tiếp" in signed_in and "Tạo tài khoản miễn phí" not in signed_in


def test_cached_lesson_pages_follow_the_chosen_language(app, bundled_catalog):
    vietnamese, english = app.test_client(), app.test_client()
    english.get("/language/en")
    lesson = bundled_catalog.course("ai-basics").lessons[0]
    for _ in range(2):  # the second round comes from the cache
        assert lesson.title("vi") in vietnamese.get("/courses/ai-basics/what-is-ai/").get_data(
            as_text=True)
        page = english.get("/courses/ai-basics/what-is-ai/").get_data(as_text=True)
        assert lesson.title("en") in page and '<html lang="en">' in page


def test_a_remembered_learner_without_a_session_gets_their_own_page(app, learners):
    reader = app.test_client()
    learners.register(reader, identifier="0912345678")
    reader.post("/logout")
    reader.post("/login", data={"identifier": "0912345678", "password": "một câu dễ nhớ",
                                "remember": "y"})
    assert reader.get_cookie("remember_token") is not None
    app.test_client().get("/courses/ai-basics/what-is-ai/")  # fills the shared copy
    reader.delete_cookie("session")  # the browser was closed; only "remember me" is left
    page = reader.get("/courses/ai-basics/what-is-ai/").get_data(as_text=True)
    assert "Đánh dấu đã học và học tiếp" in page
