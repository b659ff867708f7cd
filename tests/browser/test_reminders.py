"""Reminders in a real browser, JavaScript off, at 360x640 (and 1280x800): the due-date notice
on "My learning" and the course page, and turning SMS reminders off on the settings page.
Each page passes axe-core and does not scroll sideways."""
from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta, timezone

import pytest

from lms.extensions import db
from lms.models import OrgUnit, User
from lms.campaign import assignments
from lms.services import audit
from lms.services import clock as app_clock
from lms.services.accounts import HASHER

pytestmark = pytest.mark.browser

PASSWORD = "một câu dễ nhớ"
PHONE, DESKTOP = {"width": 360, "height": 640}, {"width": 1280, "height": 800}


@pytest.fixture
def page(js_off_page):
    return js_off_page


@pytest.fixture(autouse=True)
def morning(clock):
    """10:00 today in Vietnam, within the hours reminders are sent."""
    clock.moment = datetime.combine(app_clock.today(), time(10), app_clock.VIETNAM).astimezone(
        timezone.utc)


@pytest.fixture
def check(browser, assert_accessible, screenshot):
    """check(page, name): the page the JavaScript-off browser shows, opened with its cookies in
    one that runs script (axe-core needs it): no sideways scrolling at 360 and 1280 px, no
    serious or critical axe violation, a screenshot at each width."""
    contexts = []

    def run(page, name: str) -> None:
        page.wait_for_load_state()  # a click waits for its page to start, not to finish loading
        context = browser.new_context(locale="vi-VN", bypass_csp=True,
                                      storage_state=page.context.storage_state())
        contexts.append(context)
        mirror = context.new_page()
        mirror.goto(page.url)
        for viewport in (DESKTOP, PHONE):
            mirror.set_viewport_size(viewport)
            width = mirror.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
            assert_accessible(mirror)
            screenshot(mirror, f"{name}-{viewport['width']}")

    yield run
    for context in contexts:
        context.close()


def test_the_notice_and_turning_sms_off_with_javascript_off(live_app, live_server, page, check):
    today = app_clock.today()
    with live_app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code="HN-HK").one()
        person = User(phone="+84912345678", phone_proven_at=app_clock.now(),
                      email="lan@example.vn", full_name="Nguyễn Thị Lan",
                      password_hash=HASHER.hash(PASSWORD), org_unit_id=unit.id,
                      session_token=secrets.token_hex(8))
        admin = User(phone="+84987654321", full_name="Quản Trị", role="admin",
                     password_hash="!", session_token=secrets.token_hex(8))
        db.session.add_all([person, admin])
        db.session.flush()
        catalog = live_app.extensions["lms.catalog"]
        for subject, days in (("course:ai-basics", 3), ("program:citizen-basic", 20)):
            assignments.create_assignment(db.session, admin, catalog, subject=subject,
                                          unit_code="HN-HK", people="",
                                          due_on=today + timedelta(days=days), today_=today,
                                          actor=audit.Actor.command_line())
        db.session.commit()
    page.goto(live_server + "/login")
    page.fill("#identifier", "0912345678")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.url.endswith("/me/")
    notice = page.locator(".due-notice")
    assert notice.get_by_role("heading", name="Hạn hoàn thành").is_visible()
    assert "Sắp đến hạn" in notice.inner_text() and "còn 3 ngày" in notice.inner_text()
    assert "Kỹ năng số cơ bản cho người dân" not in notice.inner_text()  # 20 days away
    check(page, "reminders-me")
    notice.get_by_role("link", name="Trí tuệ nhân tạo cơ bản").click()
    assert page.locator(".due-notice").is_visible()
    check(page, "reminders-course")

    page.goto(live_server + "/me/settings")
    sms = page.get_by_label("Nhận nhắc hạn qua SMS")
    assert sms.is_checked() and page.get_by_label("Nhận nhắc hạn qua email").is_checked()
    assert page.get_by_text("Gửi tới +84912345678.").is_visible()
    assert page.get_by_text("Địa chỉ email của bạn chưa được xác nhận").is_visible()
    check(page, "reminders-settings")
    sms.uncheck()
    page.get_by_role("button", name="Lưu lựa chọn").click()
    assert page.url.endswith("/me/settings#reminders")
    assert page.get_by_text("Đã lưu lựa chọn nhắc hạn của bạn.").is_visible()
    assert not page.get_by_label("Nhận nhắc hạn qua SMS").is_checked()
    assert page.get_by_label("Nhận nhắc hạn qua email").is_checked()
    with live_app.app_context():
        saved = db.session.query(User).filter_by(phone="+84912345678").one()
        assert saved.sms_reminders_off_at is not None and saved.email_reminders_off_at is None


def test_an_organiser_sees_what_was_sent_and_what_failed(live_app, live_server, page, check,
                                                         screenshot):
    from lms.campaign import reminders
    from lms.messaging import SendError

    today = app_clock.today()
    with live_app.app_context():
        unit = db.session.query(OrgUnit).filter_by(code="HN-HK").one()
        people = [User(phone=f"+8491234567{n}", full_name=name,
                       phone_proven_at=app_clock.now() if n < 3 else None,
                       password_hash="!", org_unit_id=unit.id, session_token=secrets.token_hex(8))
                  for n, name in enumerate(["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thị Mai",
                                            "Phạm Văn Tư"])]
        manager = User(phone="+84987654321", full_name="Đỗ Quản Lý", role="manager",
                       audience="civil-servant", scope_unit_id=unit.id, org_unit_id=unit.id,
                       password_hash=HASHER.hash(PASSWORD), session_token=secrets.token_hex(8))
        db.session.add_all([*people, manager])
        db.session.flush()
        assignments.create_assignment(db.session, manager, live_app.extensions["lms.catalog"],
                                      subject="course:ai-basics", unit_code="HN-HK", people="",
                                      due_on=today + timedelta(days=3), today_=today,
                                      actor=audit.Actor.command_line(), audience="citizen")
        db.session.commit()
        working = live_app.extensions["lms.messaging"]["sms"]

        def refuse_hung(config, message):
            if message.to == "+84912345671":
                raise SendError("SMS gateway: HTTP Error 503: Service Unavailable")
            working(config, message)

        live_app.extensions["lms.messaging"]["sms"] = refuse_hung
        try:
            reminders.send_due(db.session, live_app.extensions["lms.catalog"], app_clock.now,
                               "https://hoc.example.vn")
        finally:
            live_app.extensions["lms.messaging"]["sms"] = working
    page.goto(live_server + "/login")
    page.fill("#identifier", "0987654321")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server + "/reports/assignments/")
    card = page.locator(".card.assignment")
    assert "Nhắc hạn: đã gửi 2 · đang chờ 0 · gửi lỗi 1 · không gửi 5" in card.inner_text()
    card.locator("summary").click()  # <details> opens without JavaScript
    failures = card.locator("details").inner_text()
    assert "Trần Văn Hùng (Phường Hoàn Kiếm) · SMS, trước một tuần · gửi lỗi, sẽ gửi lại" \
        in failures and "HTTP Error 503" in failures
    assert "chưa có số điện thoại hoặc email đã xác nhận: 5" in failures
    screenshot(page, "reminders-organiser-opened-360")
    check(page, "reminders-organiser")
