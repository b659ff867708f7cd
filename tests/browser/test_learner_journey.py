"""A learner's whole journey on a 360 px phone, in Vietnamese and in English: sign up, read
every lesson, fail then pass the quiz, see the course complete. Every page passes axe-core."""
import re

import pytest

from tests.browser.conftest import fill_sign_up
from tests.conftest import form_answers

pytestmark = pytest.mark.browser

COURSE = "data-security"
TEXT = {
    "vi": {"register": "Tạo tài khoản", "later": "Để sau", "done": "Đánh dấu đã học và học tiếp",
           "submit": "Nộp bài", "failed": "Chưa đạt", "passed": "Chúc mừng, bạn đã đạt!",
           "complete": "Đã hoàn thành", "try_again": "Làm lại", "switch": None,
           "wait": "Nghỉ một chút nhé: bạn có thể làm lại sau 5 phút", "reread": "Hãy đọc lại"},
    "en": {"register": "Create account", "later": "Later", "done": "Mark as done and continue",
           "submit": "Submit my answers", "failed": "Not yet", "passed": "Well done, you passed!",
           "complete": "Completed", "try_again": "Try again", "switch": "English",
           "wait": "Take a short break: you can try again in 5 minutes", "reread": "Read these"},
}


def answer_quiz(page, app, quiz, right: bool) -> None:
    """Ticks every right option (or one wrong option) of each drawn question, one question per
    screen (the default; or all on one page, if chosen), and stops at the review of blanks.
    The page names options by their places, which the attempt's draw maps (form_answers)."""
    while True:
        token = page.locator('input[name="attempt"]').first.get_attribute("value")
        for key in dict.fromkeys(re.findall(r'name="q-([0-9a-f]{16})"', page.content())):
            question = quiz.question(key)
            wrong = [i for i in range(question.option_count) if i not in question.correct]
            picked = sorted(question.correct) if right else wrong[:1]
            for place in form_answers(app, token, {key: picked})[f"q-{key}"]:
                page.check(f'input[name="q-{key}"][value="{place}"]')
        # Each click posts a form: wait for the next page, or the loop would read this one
        # again and post it twice, skipping a question.
        if page.locator("button.next").count():
            with page.expect_navigation():
                page.locator("button.next").click()
        else:
            with page.expect_navigation():
                page.locator('button[name="go"][value="review"]').click()
            break
    assert "/quiz/review" in page.url


@pytest.mark.parametrize("language", ["vi", "en"])
def test_sign_up_read_every_lesson_fail_then_pass_the_quiz(
        language, live_server, live_app, phone_page, bundled_catalog, assert_accessible, screenshot,
        clock):
    page, words = phone_page, TEXT[language]
    course = bundled_catalog.course(COURSE)
    visited = []

    def check(name):
        page.wait_for_load_state()  # a click's navigation may still be under way
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        assert page.locator("html").get_attribute("lang") == language
        assert_accessible(page)
        visited.append(name)

    page.goto(live_server + "/")
    if words["switch"]:
        page.get_by_role("link", name=words["switch"]).click()
    check("home")

    # A first lesson can be read before signing up; signing up comes back to it.
    first = course.lessons[0]
    page.goto(f"{live_server}/courses/{COURSE}/{first.slug}/")
    check("lesson-anonymous")
    page.locator("main").get_by_role("link", name=re.compile("account", re.I) if language == "en"
                                     else re.compile("Tạo tài khoản")).click()
    check("register")
    fill_sign_up(page, "0912 345 678", "Nguyễn Thị Dung", "con mèo ngủ trên mái nhà", "1950")
    check("register-commune")
    page.get_by_role("button", name=words["register"]).click()
    assert "/prove" in page.url  # the code sent by SMS confirms the number
    check("prove")
    page.get_by_role("link", name=re.compile(words["later"])).click()
    assert page.url.endswith(f"/courses/{COURSE}/{first.slug}/")

    for lesson in course.lessons:
        assert page.url.endswith(f"/courses/{COURSE}/{lesson.slug}/")
        assert page.get_by_role("heading", level=1).inner_text() == lesson.title(language)
        check(f"lesson-{lesson.slug}")
        page.get_by_role("button", name=words["done"]).click()
    assert page.url.endswith(f"/courses/{COURSE}/quiz/")
    check("quiz")
    screenshot(page, f"journey-{language}-quiz")

    answer_quiz(page, live_app, course.quiz, right=False)
    page.get_by_role("button", name=words["submit"]).click()
    assert words["failed"] in page.locator(".result").inner_text()
    assert words["wait"] in page.locator(".notice").inner_text()
    assert page.get_by_role("link", name=words["try_again"]).count() == 0
    reread = page.locator(".reread")
    assert words["reread"] in reread.inner_text() and reread.get_by_role("link").count() >= 1
    check("result-failed")
    screenshot(page, f"journey-{language}-result-failed")
    page.goto(f"{live_server}/courses/{COURSE}/quiz/")  # too early: the waiting page
    assert words["wait"] in page.locator(".notice").inner_text()
    check("quiz-later")
    page.go_back()
    clock.advance(minutes=5)  # the wait after a failed attempt
    page.reload()
    page.get_by_role("link", name=words["try_again"]).click()

    answer_quiz(page, live_app, course.quiz, right=True)
    page.get_by_role("button", name=words["submit"]).click()
    assert words["passed"] in page.locator(".result").inner_text()
    assert "100%" in page.locator(".score").inner_text()
    check("result-passed")
    screenshot(page, f"journey-{language}-result")

    page.goto(live_server + "/me/")
    card = page.locator(".card:not(.certificate)", has_text=course.title(language))
    assert words["complete"] in card.inner_text()
    certificate = page.locator(".card.certificate", has_text=course.title(language))
    assert certificate.get_by_role("link").count() == 2  # the PDF in each language
    check("me")
    screenshot(page, f"journey-{language}-me")
    assert len(visited) == len(course.lessons) + 10


def test_the_quiz_works_with_javascript_off(browser, live_server, live_app, bundled_catalog,
                                           sign_up):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server + "/register")
        sign_up(page, "0987 654 321", "Trần Văn Ba", "một câu dễ nhớ")
        page.goto(f"{live_server}/courses/{COURSE}/quiz/")
        answer_quiz(page, live_app, bundled_catalog.course(COURSE).quiz, right=True)
        page.get_by_role("button", name="Nộp bài").click()
        assert "Chúc mừng, bạn đã đạt!" in page.content()
    finally:
        context.close()
