"""Trainers see what they write: a preview of every lesson and quiz with its problems, and
content read again when its files change."""
from __future__ import annotations

import re
import shutil

import pytest

from lms import catalog as catalog_module
from lms.config import REPOSITORY_ROOT
from lms.extensions import cache, db
from lms.models import User
from lms.services import access, audit


def test_only_trainers_and_administrators_preview(app, learners, bundled_catalog):
    lesson = bundled_catalog.course("ai-basics").lessons[0]
    urls = ["/admin/preview/", f"/admin/preview/ai-basics/{lesson.slug}/",
            "/admin/preview/ai-basics/quiz/"]
    learner = learners.register()
    assert [learner.get(url).status_code for url in urls] == [403, 403, 403]
    assert app.test_client().get(urls[0]).status_code == 302  # to sign in
    for role in ("trainer", "admin"):
        learners.app = app
        client = learners.with_role(role)
        assert [client.get(url).status_code for url in urls] == [200, 200, 200]


def test_the_quiz_preview_shows_every_question_with_its_answer_key(app, learners,
                                                                   bundled_catalog):
    learners.app = app
    client = learners.with_role("trainer")
    quiz = bundled_catalog.course("data-security").quiz
    page = client.get("/admin/preview/data-security/quiz/").get_data(as_text=True)
    assert page.count('class="question"') == len(quiz.questions) >= 30
    assert page.count(">đáp án đúng<") == sum(len(q.correct) for q in quiz.questions)
    for question in quiz.questions:
        assert question.texts.get("vi").explanation_html[:60] in page
    english = client.get("/admin/preview/data-security/quiz/?language=en").get_data(as_text=True)
    assert quiz.questions[0].texts.get("en").prompt_html in english
    assert client.get("/admin/preview/data-security/quiz/?language=xx").status_code == 200


def test_a_lesson_preview_lists_that_files_problems_and_no_other(make_app, learners, editable):
    lesson_file = editable / "courses/ai-basics/01-what-is-ai.md"
    text = lesson_file.read_text(encoding="utf-8")
    lesson_file.write_text(text + '\n!!! danger "Chú ý"\n    Cẩn thận.\n', encoding="utf-8")
    (editable / "courses/ai-basics/02-chatbots.en.md").unlink()  # a problem elsewhere
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(editable))
    learners.app = app
    learners.app = app
    client = learners.with_role("trainer")
    page = client.get("/admin/preview/ai-basics/what-is-ai/").get_data(as_text=True)
    assert 'không có loại khung &#34;danger&#34;' in page  # in the page's language
    assert "courses/ai-basics/01-what-is-ai.md:" in page
    assert "02-chatbots" not in page
    clean = client.get("/admin/preview/ai-basics/chatbots/").get_data(as_text=True)
    assert "chưa có bản dịch en" in clean
    index = client.get("/admin/preview/").get_data(as_text=True)
    assert index.count("1 vấn đề") == 2


def test_saved_files_show_within_a_second_without_a_restart(make_app, learners, editable,
                                                            monkeypatch):
    monkeypatch.setattr(catalog_module, "LOOK_EVERY_SECONDS", 0)
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(editable), LMS_CONTENT_RELOAD=True)
    reader = app.test_client()
    url = "/courses/ai-basics/what-is-ai/"
    assert "Một câu mới của giảng viên" not in reader.get(url).get_data(as_text=True)
    lesson_file = editable / "courses/ai-basics/01-what-is-ai.md"
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") +
                           "\nMột câu mới của giảng viên.\n", encoding="utf-8")
    assert "Một câu mới của giảng viên" in reader.get(url).get_data(as_text=True)  # not cached
    (editable / "courses/ai-basics/01-what-is-ai.md").unlink()
    (editable / "courses/ai-basics/01-what-is-ai.en.md").unlink()
    assert reader.get(url).status_code == 404


def test_without_reloading_the_files_are_read_once(make_app, editable, monkeypatch):
    monkeypatch.setattr(catalog_module, "LOOK_EVERY_SECONDS", 0)
    app = make_app(LMS_CATALOG=None, LMS_CONTENT_DIR=str(editable), LMS_CONTENT_RELOAD=False)
    lesson_file = editable / "courses/ai-basics/01-what-is-ai.md"
    lesson_file.write_text(lesson_file.read_text(encoding="utf-8") + "\nCâu mới.\n",
                           encoding="utf-8")
    assert "Câu mới." not in app.test_client().get(
        "/courses/ai-basics/what-is-ai/").get_data(as_text=True)


def test_junk_query_strings_share_one_cached_page(app):
    client = app.test_client()
    with app.app_context():
        cache.clear()
    pages = {client.get(f"/courses/ai-basics/what-is-ai/?junk={n}").get_data() for n in range(50)}
    assert len(pages) == 1
    with app.app_context():
        keys = [k for k in cache.cache._cache if "what-is-ai" in k]
    assert len(keys) == 1 and keys[0].endswith("/courses/ai-basics/what-is-ai/")


def test_gunicorn_reloads_content_on_hup_without_dropping_a_request(tmp_path, editable):
    """The production way documented in the README: new workers read the new files while
    the old ones finish; every request meanwhile is answered."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LMS_CONTENT_DIR": str(editable), "LMS_CONTENT_RELOAD": "0",
           "LMS_INSTANCE_DIR": str(tmp_path / "instance")}
    env.pop("LMS_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=REPOSITORY_ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/courses/ai-basics/what-is-ai/"

    def read() -> str:
        # Slow is allowed (a new worker loads the content first); failing is not.
        with urllib.request.urlopen(url, timeout=90) as response:
            assert response.status == 200
            return response.read().decode()

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert "Câu do giảng viên vừa thêm" not in read()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "did not start"
                time.sleep(0.2)
        lesson_file = editable / "courses/ai-basics/01-what-is-ai.md"
        lesson_file.write_text(lesson_file.read_text(encoding="utf-8") +
                               "\nCâu do giảng viên vừa thêm.\n", encoding="utf-8")
        time.sleep(1.5)
        assert "Câu do giảng viên vừa thêm" not in read()  # no reloading in production
        server.send_signal(signal.SIGHUP)
        while "Câu do giảng viên vừa thêm" not in read():  # read() fails on any dropped request
            assert time.monotonic() < deadline + 60, "the new content never arrived"
            time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def test_a_certificate_template_is_previewed_as_a_pdf_with_sample_data(app, learners,
                                                                      bundled_catalog):
    import io

    from pypdf import PdfReader

    client = learners.with_role("trainer")
    index = client.get("/admin/preview/").get_data(as_text=True)
    assert "/admin/preview/templates/default.pdf?language=vi" in index
    for language, heading in (("vi", "GIẤY CHỨNG NHẬN"), ("en", "CERTIFICATE")):
        response = client.get(f"/admin/preview/templates/default.pdf?language={language}")
        assert response.mimetype == "application/pdf"
        text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        assert "Nguyễn Thị Ánh Dương" in text and heading in text.upper()
    assert client.get("/admin/preview/templates/nope.pdf").status_code == 404
    assert learners.with_role("learner").get(
        "/admin/preview/templates/default.pdf").status_code == 403
