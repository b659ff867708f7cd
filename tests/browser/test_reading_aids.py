"""For weak readers on a 360 px phone: text up to 200% still fits the screen, and one quiz
question per screen with its review of blanks, with JavaScript off; axe-clean throughout."""
import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def no_script_phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, locale="vi-VN",
                                  java_script_enabled=False, bypass_csp=True)
    yield context.new_page()
    context.close()


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_text_at_200_percent_still_fits_a_phone(live_server, bundled_catalog, no_script_phone,
                                               phone_page, sign_up, assert_accessible,
                                               screenshot):
    page = no_script_phone
    course = bundled_catalog.course("data-security")
    lesson = f"{live_server}/courses/{course.slug}/{course.lessons[2].slug}/"
    page.goto(lesson)
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    for _ in range(4):
        page.get_by_role("link", name="A+").click()
        assert page.url == lesson
    assert page.get_by_role("link", name="A+").count() == 0  # 200% is the largest
    assert page.evaluate(
        "parseFloat(getComputedStyle(document.documentElement).fontSize)") == 2 * size
    assert fits(page)
    page.screenshot(path=str(screenshot(page, "text-200-lesson").with_name("text-200-lesson-top.png")))
    for url in (f"{live_server}/", f"{live_server}/courses/{course.slug}/", f"{live_server}/login"):
        page.goto(url)
        assert fits(page), url
    # axe needs script: the same size on a phone with JavaScript on
    phone_page.context.add_cookies([{"name": "text_size", "value": "200", "url": live_server}])
    phone_page.goto(lesson)
    assert_accessible(phone_page)


def test_one_question_per_screen_and_the_review_with_javascript_off(
        live_server, bundled_catalog, no_script_phone, sign_up, screenshot):
    page = no_script_phone
    page.goto(live_server + "/register")
    sign_up(page, "0912 345 670", "Lê Văn Tư", "con mèo ngủ trên mái nhà")
    page.goto(f"{live_server}/courses/ai-basics/quiz/")
    assert page.locator("h1").inner_text() == "Câu 1/10"
    page.locator("input[name^=q-]").first.check()
    page.get_by_role("button", name="Câu tiếp theo").click()
    assert page.locator("h1").inner_text() == "Câu 2/10" and "Đã trả lời 1/10 câu" in page.content()
    assert fits(page)
    page.screenshot(path=str(screenshot(page, "quiz-question-phone").with_name("quiz-question-phone-top.png")))
    page.get_by_role("button", name="Xem lại rồi nộp bài").click()
    assert "Còn 9 câu chưa trả lời" in page.content() and fits(page)
    screenshot(page, "quiz-review-phone")
    page.get_by_role("link", name="Câu 5").click()
    assert page.locator("h1").inner_text() == "Câu 5/10"
