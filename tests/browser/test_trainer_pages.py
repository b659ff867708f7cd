"""Trainers' pages in a real browser: importing a Moodle question file and reading the item
analysis, with JavaScript off at 360 px, and axe-clean at 360 and 1280 px."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.conftest import fill_sign_up
from tests.browser.test_learner_journey import answer_quiz

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).parent.parent / "content" / "samples"
COURSE = "ai-basics"
PHONE, DESKTOP = {"width": 360, "height": 640}, {"width": 1280, "height": 800}


def become_trainer(page, live_app, live_server, phone: str, bundled_catalog) -> None:
    """Signs up, takes the quiz once, then is made a trainer on the command line."""
    page.goto(live_server + "/register")
    fill_sign_up(page, phone, "Lê Thị Hoa", "một câu dễ nhớ")
    page.get_by_role("button", name="Tạo tài khoản").click()
    page.get_by_role("link", name=re.compile("Để sau")).click()
    page.goto(f"{live_server}/courses/{COURSE}/quiz/")
    answer_quiz(page, live_app, bundled_catalog.course(COURSE).quiz, right=True)
    page.get_by_role("button", name="Nộp bài").click()
    result = live_app.test_cli_runner().invoke(args=["users", "set-role", phone, "trainer"])
    assert result.exit_code == 0, result.output


def test_a_trainer_imports_a_moodle_file_with_javascript_off(browser, live_app, live_server,
                                                              bundled_catalog):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        become_trainer(page, live_app, live_server, "0987 654 321", bundled_catalog)
        page.goto(live_server + "/admin/content/")
        page.set_input_files("#file", str(SAMPLES / "ngan-hang-cau-hoi.xml"))
        page.select_option("#course", "online-public-services")
        page.get_by_role("button", name="Chuyển đổi").click()
        assert "3 câu hỏi đã được chuyển đổi" in page.content()
        assert "ngan-hang-cau-hoi.xml:151" in page.content()
        with page.expect_download() as download:
            page.get_by_role("button", name="Tải về online-public-services.md").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert text.startswith("---\ncourse: online-public-services\n") and text.count("\n## ") == 3
        # the item analysis, one question per page, reached by links alone
        page.goto(live_server + "/admin/questions/")
        page.get_by_role("link", name="Trí tuệ nhân tạo cơ bản").click()
        page.locator("ol.item-list a").first.click()
        assert page.locator("ol.option-shares").count() == 1
        page.locator("a[rel=next]").click()
        assert "/admin/questions/ai-basics/" in page.url
    finally:
        context.close()


def test_trainer_pages_fit_a_phone_and_pass_axe(phone_page, live_app, live_server,
                                                bundled_catalog, assert_accessible):
    page = phone_page
    become_trainer(page, live_app, live_server, "0987 654 322", bundled_catalog)
    paths = ["/admin/content/", "/admin/questions/", f"/admin/questions/{COURSE}/",
             f"/admin/questions/{COURSE}/1"]
    for path in paths:
        page.goto(live_server + path)
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{path} scrolls sideways at {viewport['width']} px"
            assert_accessible(page)
        page.set_viewport_size(PHONE)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"one question's page is {height} px tall at 360 px"
    page.goto(live_server + "/admin/content/")
    page.set_input_files("#file", str(SAMPLES / "an-toan-so.gift"))
    page.get_by_role("button", name="Chuyển đổi").click()
    assert "5 câu hỏi đã được chuyển đổi" in page.content()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert_accessible(page)
