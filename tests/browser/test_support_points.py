"""Support points in a real browser with JavaScript off, in Vietnamese and English: a manager
opens a point and names a helper; the helper registers a person without a phone, prints their
card and logs the visit; the person signs in with card and PIN on the point's shared device
and presses "Xong". Every page at 360 and 1280 px, axe-clean, with a 360x640 screenshot."""
from __future__ import annotations

import subprocess

import pytest

from tests.browser.test_account_pages import check, page  # noqa: F401  (fixtures)
from tests.browser.test_staff_and_reports import PASSWORD, people  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

WORDS = {
    "vi": {"add": "Cho làm tình nguyện viên", "save": "Lưu điểm",
           "register": "Đăng ký và làm thẻ", "record": "Ghi lại",
           "start": "Bật chế độ dùng chung", "card": "Đăng nhập bằng thẻ học tập",
           "done": "Xong", "fixed": "Cố định"},
    "en": {"add": "Make them a helper", "save": "Save the point",
           "register": "Register and make the card", "record": "Record",
           "start": "Start support-point mode", "card": "Sign in with a learner card",
           "done": "Done", "fixed": "Fixed"},
}


def desktop_shot(page, screenshot, name: str) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(page, name)
    page.set_viewport_size({"width": 360, "height": 640})


def sign_in(page, live_server, phone: str, language: str) -> None:
    page.goto(f"{live_server}/language/{language}?next=/login")
    page.fill("#identifier", phone)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/me/")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_point_a_helper_a_card_and_a_shared_device(language, live_app, live_server, page,
                                                     check, people, screenshot_dir, screenshot,
                                                     tmp_path):
    words = WORDS[language]
    manager = people.add("Hà Quản Lý", "HN", role="manager", scope="HN")
    helper = people.add("Lê Tình Nguyện", "HN-BD")
    sign_in(page, live_server, manager, language)

    page.goto(live_server + "/support/helpers")
    page.fill("#identifier", helper)
    page.select_option("#unit", label="Phường Ba Đình")
    page.get_by_role("button", name=words["add"]).click()
    assert "Lê Tình Nguyện" in page.locator(".people-found").inner_text()
    check(page, f"support-{language}-helpers")

    page.goto(live_server + "/support/points/new")
    page.get_by_role("button", name=words["save"]).click()  # empty: every problem shown
    assert page.locator(".error").count() >= 4
    check(page, f"support-{language}-point-errors")
    page.fill("#name", "Nhà văn hoá tổ dân phố 5")
    page.fill("#address", "12 phố Đội Cấn")
    page.select_option("#commune", label="Phường Ba Đình")
    page.get_by_label(words["fixed"]).check()
    page.fill("#opening_times", "Thứ Bảy, 8:00–11:00")
    page.get_by_label("Lê Tình Nguyện").check()
    page.get_by_role("button", name=words["save"]).click()
    assert page.url.endswith("/support/points")
    check(page, f"support-{language}-points")
    page.goto(live_server + "/support/report")
    check(page, f"support-{language}-report-empty")
    page.goto(live_server + "/support/communes/HN-BD")
    assert "12 phố Đội Cấn" in page.content()
    check(page, f"support-{language}-commune-page")
    desktop_shot(page, screenshot, f"support-{language}-commune-page-desktop")
    page.locator("footer button[type=submit]").click()  # sign out

    sign_in(page, live_server, helper, language)
    page.goto(live_server + "/support/help")
    check(page, f"support-{language}-helper-home")
    page.goto(live_server + "/support/notice")
    check(page, f"support-{language}-notice")
    page.goto(live_server + "/support/people/new")
    page.fill("#full_name", "Lò Thị Mai")
    page.fill("#birth_year", "1950")
    page.select_option("#commune", label="Phường Ba Đình")
    page.fill("#pin", "123456")
    page.get_by_role("button", name=words["register"]).click()
    assert page.locator(".error").count() == 2  # a guessable PIN, and no consent yet
    check(page, f"support-{language}-register-errors")
    assert page.input_value("#full_name") == "Lò Thị Mai"
    page.fill("#pin", "250718")
    page.check("#read_aloud")
    page.get_by_role("button", name=words["register"]).click()
    number = page.locator(".facts-list code").inner_text().replace(" ", "")
    check(page, f"support-{language}-card")
    pdf = page.request.get(live_server + page.locator("a[href$='card.pdf']").get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "card.pdf").write_bytes(pdf.body())
    subprocess.run(["pdftoppm", "-png", "-r", "120", "-singlefile", str(tmp_path / "card.pdf"),
                    str(screenshot_dir / f"support-{language}-card-pdf")], check=True)

    page.goto(live_server + "/support/log")
    page.select_option("#place", index=1)
    page.get_by_label("VssID").check()
    page.fill("#person", number)
    page.locator("input[name=outcome][value=done]").check()
    page.fill("#minutes", "15")
    page.get_by_role("button", name=words["record"]).click()
    assert page.url.endswith("/support/log")
    check(page, f"support-{language}-log")
    desktop_shot(page, screenshot, f"support-{language}-log-desktop")

    page.goto(live_server + "/support/device")
    check(page, f"support-{language}-device")
    page.select_option("#point", label="Nhà văn hoá tổ dân phố 5")
    page.get_by_role("button", name=words["start"]).click()
    page.goto(f"{live_server}/language/{language}?next=/support/device")  # a fresh start: vi
    check(page, f"support-{language}-device-start")
    page.get_by_role("link", name=words["card"]).first.click()
    page.fill("#number", number)
    page.fill("#pin", "250718")
    check(page, f"support-{language}-card-sign-in")
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/me/") and "Lò Thị Mai" in page.content()
    assert page.locator(".idle-cover").count() == 1 and not page.locator(".idle-cover").is_visible()
    check(page, f"support-{language}-shared-me")
    page.get_by_role("button", name=words["done"], exact=True).click()
    assert page.url.endswith("/support/device") and "Lò Thị Mai" not in page.content()
    assert page.context.cookies() and not any(c["name"] == "remember_token"
                                               for c in page.context.cookies())
