"""Learning without a network on a 360 px phone: a course saved on the device is read offline,
lessons marked done and a quiz answered offline are sent when the network returns, and a resend
(a lost answer, a second tab) changes nothing: nothing lost, nothing doubled."""
import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import QuizAttempt, User
from lms.services import record
from tests.conftest import form_answers

pytestmark = pytest.mark.browser

READING = "data-security"  # without its quiz here: a mark made twice would date it anew
QUIZ = "ai-basics"


@pytest.fixture
def live_app_settings(bundled_catalog):
    return {"LMS_CATALOG": replace(bundled_catalog, courses=tuple(
        replace(c, quiz=None) if c.slug == READING else c for c in bundled_catalog.courses))}


def save_course(page, live_server, sign_up, slug):
    """Signs up (the service worker comes with the first page), then saves the course."""
    page.goto(live_server + "/register")
    sign_up(page, "0912 345 678", "Nguyễn Thị Dung", "con mèo ngủ trên mái nhà")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{live_server}/courses/{slug}/")
    page.get_by_role("button", name="Lưu để học khi không có mạng").click()
    status = page.locator(".offline-save [role=status]")
    status.filter(has_text="Đã lưu trên máy").wait_for()
    return status.inner_text()


def the_record(live_app, slug):
    with live_app.app_context():
        user = db.session.scalar(select(User))
        course = live_app.config["LMS_CATALOG"].course(slug)
        mine = record.course_record(db.session, user.id, course)
        attempts = list(db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.course_slug == slug)))
        return mine, [(a.token, a.submitted_at is not None, a.score_percent) for a in attempts]


def test_lessons_read_and_marked_offline_are_sent_once(
        live_server, live_app, phone_page, sign_up, assert_accessible, screenshot):
    page = phone_page
    lessons = live_app.config["LMS_CATALOG"].course(READING).lessons
    said = save_course(page, live_server, sign_up, READING)
    assert re.search(rf"{len(lessons) + 2} trang \(\d+ KB\)", said), said
    assert_accessible(page)
    screenshot(page, "offline-course-saved")

    page.context.set_offline(True)
    page.goto(f"{live_server}/courses/{READING}/{lessons[0].slug}/")  # from the device
    assert page.get_by_role("heading", level=1).inner_text() == lessons[0].title("vi")
    assert "Không có mạng" in page.locator(".outbox").inner_text()
    for lesson in lessons[:2]:
        page.get_by_role("button", name="Đánh dấu đã học và học tiếp").click()
        assert "sẽ được gửi khi có mạng" in page.locator(".pending-note").inner_text()
        page.locator("a[rel=next]").click()
    waiting = page.locator(".outbox").inner_text()
    assert "Đang chờ gửi khi có mạng" in waiting
    assert all(f"Đã học xong bài: {lesson.title('vi')}" in waiting for lesson in lessons[:2])
    assert_accessible(page)
    screenshot(page, "offline-waiting")
    page.goto(f"{live_server}/me/")  # never saved: the device says so, instead of an error
    assert "Trang này chưa được lưu trên máy" in page.content()
    assert the_record(live_app, READING)[0].done_lessons == frozenset()

    outbox = page.evaluate("localStorage.getItem('lms-outbox')")
    page.context.set_offline(False)
    page.locator(".outbox", has_text="Đã gửi").wait_for()
    mine, _ = the_record(live_app, READING)
    assert mine.done_lessons == {lesson.slug for lesson in lessons[:2]}
    marked_at = mine.last_lesson_at

    # The same marks sent again (the device never heard back): the server keeps the first.
    page.evaluate("outbox => localStorage.setItem('lms-outbox', outbox)", outbox)
    page.goto(f"{live_server}/courses/{READING}/")
    page.locator(".outbox", has_text="Đã gửi").wait_for()
    assert page.evaluate("localStorage.getItem('lms-outbox')") == "[]"
    again, _ = the_record(live_app, READING)
    assert again.done_lessons == mine.done_lessons and again.last_lesson_at == marked_at
    assert f"Đã học 2/{len(lessons)} bài" in page.content()


def test_a_quiz_drawn_online_and_answered_offline_is_graded_once(
        live_server, live_app, phone_page, sign_up, assert_accessible, screenshot):
    page = phone_page
    quiz = live_app.config["LMS_CATALOG"].course(QUIZ).quiz
    save_course(page, live_server, sign_up, QUIZ)

    def answer_this_question():
        key = re.search(r'name="q-([0-9a-f]{16})"', page.content()).group(1)
        token = page.locator('input[name="attempt"]').first.get_attribute("value")
        right = sorted(quiz.question(key).correct)
        for place in form_answers(live_app, token, {key: right})[f"q-{key}"]:
            page.check(f'input[name="q-{key}"][value="{place}"]')

    page.goto(f"{live_server}/courses/{QUIZ}/quiz/")  # drawn online; its pages saved with it
    page.wait_for_function(
        "caches.open('lms-pages').then(c => c.keys()).then(k => k.filter(r => r.url.includes('?q=')).length === 10)")
    answer_this_question()
    page.locator("button.next").click()  # question 1, saved on the server
    page.context.set_offline(True)
    for number in range(2, 11):
        assert f"Câu {number}/10" in page.locator("h1").inner_text()
        answer_this_question()
        if number < 10:
            page.locator("button.next").click()
    page.locator('button[name="go"][value="review"]').click()
    waiting = page.locator(".outbox").inner_text()
    assert "đã trả lời 10/10 câu" in waiting, waiting
    assert "Bài làm: " in waiting
    assert_accessible(page)
    screenshot(page, "offline-quiz-waiting")
    assert [graded for _, graded, _ in the_record(live_app, QUIZ)[1]] == [False]

    outbox = page.evaluate("localStorage.getItem('lms-outbox')")
    page.context.set_offline(False)
    page.locator(".outbox", has_text="Đã gửi").wait_for()
    [(token, graded, score)] = the_record(live_app, QUIZ)[1]
    assert graded and score == 100  # the answer saved online and the nine given offline
    page.get_by_role("link", name="Xem kết quả bài kiểm tra").click()
    assert "100%" in page.locator(".score").inner_text()

    page.evaluate("outbox => localStorage.setItem('lms-outbox', outbox)", outbox)  # resent
    page.goto(f"{live_server}/courses/{QUIZ}/")
    page.locator(".outbox", has_text="Đã gửi").wait_for()
    assert the_record(live_app, QUIZ)[1] == [(token, True, 100)]  # graded once, nothing new drawn
