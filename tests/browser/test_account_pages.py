"""The account pages of issue 10 in a real browser, JavaScript off, at 360x640 (and 1280x800):
sign-up in two steps with consent, confirming the number, forgot password, a new password,
the privacy notice, settings, deletion, and a manager's assisted recovery. Vietnamese and
English; each page passes axe-core and does not scroll sideways."""
from __future__ import annotations

import re
import secrets

import pytest

from lms.config import REPOSITORY_ROOT
from lms.extensions import db
from lms.messaging import read_outbox
from lms.models import OrgUnit, User
from lms.services.passwords import hash_password
from tests.browser.conftest import fill_sign_up

pytestmark = pytest.mark.browser

PASSWORD = "một câu dễ nhớ"
PHONE, DESKTOP = {"width": 360, "height": 640}, {"width": 1280, "height": 800}
WORDS = {
    "vi": {"register": "Tạo tài khoản", "send": "Gửi mã cho tôi", "save": "Lưu mật khẩu mới",
           "confirm": "Xác nhận", "find": "Tìm", "print": "In mã đặt lại mật khẩu",
           "forgot": "Quên mật khẩu?"},
    "en": {"register": "Create account", "send": "Send me a code", "save": "Save my new password",
           "confirm": "Confirm", "find": "Find", "print": "Print a reset code",
           "forgot": "Forgot your password?"},
}


@pytest.fixture
def page(js_off_page):
    return js_off_page


@pytest.fixture
def check(browser, assert_accessible, screenshot):
    """check(page, name): the page as the JavaScript-off browser received it, shown again in a
    browser that runs script (axe-core needs it): no sideways scrolling at 360 and 1280 px,
    no serious or critical axe violation, and a 360x640 screenshot."""
    context = browser.new_context(locale="vi-VN", bypass_csp=True, viewport=PHONE)
    mirror = context.new_page()

    css = (REPOSITORY_ROOT / "static" / "style.css").read_text(encoding="utf-8")

    def run(page, name: str) -> None:
        page.wait_for_load_state()  # a click waits for its page to start, not to finish loading
        # The style sheet inline, so the copy needs nothing from the server.
        html = re.sub(r'<link rel="stylesheet"[^>]*>', lambda _: f"<style>{css}</style>",
                      page.content(), count=1)
        mirror.set_content(html, wait_until="load")
        for viewport in (PHONE, DESKTOP):
            mirror.set_viewport_size(viewport)
            width = mirror.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
            assert_accessible(mirror)
        mirror.set_viewport_size(PHONE)
        screenshot(mirror, name)

    yield run
    context.close()


def code_in_outbox(live_app, to: str) -> str:
    text = read_outbox(live_app.config["LMS_OUTBOX_DIR"], to)[-1].text
    return re.search(r"\b(\d{6})\b", text).group(1)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_sign_up_confirm_forget_and_reset_with_javascript_off(
        language, live_app, live_server, page, check, browser):
    words = WORDS[language]
    page.goto(f"{live_server}/language/{language}?next=/register")
    check(page, f"account-{language}-register")
    fill_sign_up(page, "0912 345 678", "Nguyễn Thị Dung", PASSWORD, "1955")
    check(page, f"account-{language}-register-communes")
    page.get_by_role("button", name=words["register"]).click()
    assert "/prove" in page.url
    check(page, f"account-{language}-prove")
    page.fill("#code", code_in_outbox(live_app, "+84912345678"))
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    assert page.url.endswith("/me/")
    page.goto(live_server + "/me/settings")
    check(page, f"account-{language}-settings")
    page.goto(live_server + "/me/delete")
    check(page, f"account-{language}-delete")
    page.goto(live_server + "/privacy")
    check(page, f"account-{language}-privacy")

    other = browser.new_context(locale="vi-VN", java_script_enabled=False, viewport=PHONE)
    try:
        forgetful = other.new_page()
        forgetful.goto(f"{live_server}/language/{language}?next=/login")
        forgetful.get_by_role("link", name=words["forgot"]).click()
        check(forgetful, f"account-{language}-forgot")
        forgetful.fill("#identifier", "0912345678")
        forgetful.get_by_role("button", name=words["send"]).click()
        assert forgetful.url.endswith("/reset")
        check(forgetful, f"account-{language}-reset")
        forgetful.fill("#code", code_in_outbox(live_app, "+84912345678"))
        forgetful.fill("#password", "mật khẩu mới nhớ lâu")
        forgetful.get_by_role("button", name=words["save"]).click()
        assert forgetful.url.endswith("/me/")
    finally:
        other.close()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_manager_prints_a_reset_code_with_javascript_off(language, live_app, live_server,
                                                           page, check):
    words = WORDS[language]
    with live_app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code="HN-HK").one()
        db.session.add_all([
            User(phone="+84915000001", full_name="Cán bộ Quản lý", role="manager",
                 scope_unit_id=unit.id, org_unit_id=unit.id,
                 password_hash=hash_password(PASSWORD), session_token=secrets.token_hex(8)),
            User(phone="+84915000002", full_name="Bà Nguyễn Thị Tư", org_unit_id=unit.id,
                 password_hash=hash_password(PASSWORD), session_token=secrets.token_hex(8))])
        db.session.commit()
    page.goto(f"{live_server}/language/{language}?next=/login")
    page.fill("#identifier", "0915000001")
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(live_server + "/staff/people")
    page.fill("#q", "0915 000 002")
    page.get_by_role("button", name=words["find"], exact=True).click()
    check(page, f"account-{language}-staff-people")
    page.get_by_role("button", name=words["print"]).click()
    assert re.search(r"\d{4} \d{4}", page.locator(".big-code").inner_text())
    check(page, f"account-{language}-staff-code")
