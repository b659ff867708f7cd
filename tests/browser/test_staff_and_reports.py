"""Certificates, campaign reports and the staff import in a real browser: each page at 360x640
and at 1280x800, without sideways scrolling of the page, passing axe-core."""
from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, timedelta

import pytest

from lms.config import REPOSITORY_ROOT
from lms.extensions import db
from lms.models import Certificate, OrgUnit, User
from lms.services.accounts import HASHER
from tests.browser.test_learner_journey import answer_quiz

pytestmark = pytest.mark.browser

PASSWORD = "một câu dễ nhớ"
PHONE, DESKTOP = {"width": 360, "height": 640}, {"width": 1280, "height": 800}


@pytest.fixture
def check(assert_accessible):
    """check(page, name): at 360 px then at 1280 px the page does not scroll sideways (wide
    tables scroll inside their .table-wrap) and passes axe-core; the page ends back at 360 px."""
    def run(page, name: str) -> None:
        page.wait_for_load_state()  # a click waits for its page to start, not to finish loading
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
            assert_accessible(page)
        page.set_viewport_size(PHONE)

    return run


@pytest.fixture
def people(live_app):
    """people.add(...) writes someone straight to the database; returns the phone they use."""
    numbers = iter(range(1, 1000))

    class People:
        password_hash = HASHER.hash(PASSWORD)

        @staticmethod
        def unit_id(code: str) -> int:
            return db.session.query(OrgUnit).filter_by(code=code).one().id

        def add(self, name: str, unit: str, role: str = "learner", scope: str | None = None,
                audience: str = "citizen", birth_year: int | None = None,
                certified_days_ago: int | None = None) -> str:
            number = next(numbers)
            with live_app.app_context():
                user = User(phone=f"+84915{number:06d}", full_name=name,
                            password_hash=self.password_hash, org_unit_id=self.unit_id(unit),
                            role=role, audience=audience, birth_year=birth_year,
                            scope_unit_id=self.unit_id(scope) if scope else None,
                            session_token=secrets.token_hex(8))
                db.session.add(user)
                if certified_days_ago is not None:
                    db.session.flush()
                    program = "citizen-basic" if audience == "citizen" else "civil-servant"
                    db.session.add(Certificate(
                        code=secrets.token_hex(6).upper(), serial=secrets.token_hex(8),
                        user_id=user.id, kind="program", subject_slug=program, holder_name=name,
                        titles={}, competences=[],
                        issued_at=datetime.now(UTC) - timedelta(days=certified_days_ago,
                                                                         hours=1)))
                db.session.commit()
            return f"0915{number:06d}"

    return People()


def sign_in(page, live_server, phone: str) -> None:
    page.goto(live_server + "/login")
    page.fill("#identifier", phone)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    assert page.url.endswith("/me/")


def test_a_learner_gets_a_certificate_and_anyone_can_check_it(
        live_server, live_app, phone_page, bundled_catalog, check, screenshot, sign_up):
    page, course = phone_page, bundled_catalog.course("data-security")
    page.goto(live_server + "/register")
    sign_up(page, "0912 345 678", "Nguyễn Thị Dung", PASSWORD)
    page.goto(f"{live_server}/courses/{course.slug}/{course.lessons[0].slug}/")
    for _ in course.lessons:
        page.get_by_role("button", name="Đánh dấu đã học và học tiếp").click()
    assert page.url.endswith(f"/courses/{course.slug}/quiz/")
    answer_quiz(page, live_app, course.quiz, right=True)
    page.get_by_role("button", name="Nộp bài").click()
    assert "Chúc mừng, bạn đã đạt!" in page.locator(".result").inner_text()

    page.goto(live_server + "/me/")
    assert page.get_by_role("heading", name="Giấy chứng nhận của tôi").is_visible()
    certificate = page.locator(".card.certificate", has_text=course.title("vi"))
    downloads = certificate.get_by_role("link")
    assert downloads.count() == 2
    hrefs = {downloads.nth(i).get_attribute("href") for i in range(2)}
    assert {re.sub(r"^.*/", "", href) for href in hrefs} == {"vi.pdf", "en.pdf"}
    check(page, "me with a certificate")
    code = certificate.locator("code").inner_text()

    page.goto(live_server + "/verify/")
    check(page, "verify form")
    page.fill("#code", code.lower().replace("-", " "))  # as read aloud over the phone
    page.get_by_role("button", name="Kiểm tra").click()
    assert page.url.endswith(f"/verify/{code}")
    assert "Hợp lệ" in page.locator(".result.passed").inner_text()
    assert "Nguyễn T. D." in page.locator(".facts-list").inner_text()
    check(page, "verify valid")
    screenshot(page, "verify-code-phone")

    response = page.goto(live_server + "/verify/7K3M-9QXD-2HRT-W8FN")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Không tìm thấy giấy chứng nhận"
    check(page, "verify unknown")


def test_an_organiser_sets_a_target_assigns_training_and_reads_the_report(
        live_server, phone_page, people, check, screenshot):
    organiser = people.add("Hà Tổ Chức", "HN", role="organiser", scope="HN")
    for n, (unit, days_ago) in enumerate([("HN-HK", 0), ("HN-HK", 3), ("HN-HK", None),
                                          ("HN-BD", 12), ("HN-BD", None), ("HN-SS", 29),
                                          ("HN-SS", None), ("HN-SS", None)]):
        people.add(f"Người Học {n}", unit, birth_year=1950 + 9 * n, certified_days_ago=days_ago)
    people.add("Công Chức Một", "HN-HK", audience="civil-servant", certified_days_ago=1)
    page = phone_page
    sign_in(page, live_server, organiser)
    deadline = (date.today() + timedelta(days=60)).isoformat()

    page.locator(".top-nav").get_by_role("link", name=re.compile("Báo cáo|Reports")).click()
    assert page.url.endswith("/reports/")
    page.get_by_role("link", name="Chỉ tiêu", exact=True).first.click()
    check(page, "targets, none yet")
    page.fill("#unit", "HN")
    page.select_option("#program", "citizen-basic")
    page.select_option("#audience", "citizen")
    page.get_by_label("Tỷ lệ phần trăm số người").check()
    page.fill("#value", "80")
    page.fill("#deadline", deadline)
    with page.expect_navigation():  # the form's own address is the list's: wait for the load
        page.get_by_role("button", name="Lưu chỉ tiêu").click()
    assert page.url.endswith("/reports/targets/")
    assert page.locator(".report-table tbody tr").count() == 1
    check(page, "targets")

    page.goto(live_server + "/reports/assignments/")
    check(page, "assignments, none yet")
    page.select_option("#subject", index=1)
    page.fill("#unit", "HN-HK")
    page.fill("#due_on", deadline)
    with page.expect_navigation():
        page.get_by_role("button", name="Giao").click()
    assert page.url.endswith("/reports/assignments/")
    assert page.locator(".card.assignment").count() == 1
    check(page, "assignments")

    page.goto(live_server + "/reports/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thành phố Hà Nội"
    charts = page.locator("svg.chart")
    assert charts.count() == 3  # certificates per day, by audience, by age group
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert charts.nth(index).is_visible() and box["width"] >= 300, box
    # Four-column number tables fit a phone: "Certified" and "%" are not hidden off to the right.
    # The sub-unit tables put share and gap first; their other figures may scroll.
    assert page.eval_on_selector_all(
        ".table-wrap:not(:has(.standings))",
        "wraps => wraps.filter(w => w.scrollWidth > w.clientWidth).length") == 0
    check(page, "dashboard")
    screenshot(page, "reports-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "reports-desktop")
    page.set_viewport_size(PHONE)

    page.locator("#sub-units ~ .table-wrap").get_by_role("link", name="Phường Hoàn Kiếm").click()
    assert page.url.endswith("/reports/units/HN-HK/")
    assert page.get_by_role("heading", level=1).inner_text() == "Phường Hoàn Kiếm"
    assert page.locator(".breadcrumb").get_by_role("link", name="Thành phố Hà Nội").is_visible()
    assert page.locator("svg.chart").first.is_visible()
    check(page, "unit drill-down")


STAFF_CSV = ("Họ và tên,Số điện thoại hoặc email,Mã đơn vị,Chức vụ\n"
             "Phạm Văn Minh,0913 222 333,HN-HK,Chuyên viên phụ trách văn hoá - xã hội\n"
             "Lê Thị Hoa,hoa.le@hoankiem.gov.vn,HN-HK,Phó Chủ tịch Ủy ban nhân dân phường\n")


def test_a_manager_imports_staff_who_then_activate_their_accounts(
        live_server, phone_page, browser, people, check, screenshot):
    manager = people.add("Đỗ Quản Lý", "HN-HK", role="manager", scope="HN-HK")
    page = phone_page
    sign_in(page, live_server, manager)

    page.goto(live_server + "/staff/import")
    check(page, "import form")
    page.set_input_files("#file", files=[{"name": "can-bo.csv", "mimeType": "text/csv",
                                          "buffer": STAFF_CSV.encode("utf-8")}])
    page.get_by_role("button", name="Kiểm tra tệp").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kiểm tra trước khi nhập"
    rows = page.locator(".data-table tbody tr")
    assert rows.count() == 2
    # What happens to each person is on screen at 360 px, next to their name.
    outcome = rows.first.locator("td").nth(2)
    assert outcome.inner_text() == "Tạo tài khoản mới"
    assert outcome.bounding_box()["x"] + 40 < PHONE["width"]
    check(page, "import plan")
    screenshot(page, "staff-plan-phone")

    page.get_by_role("button", name="Nhập những người này").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Mã kích hoạt"
    codes = {card.locator(".slip-who").inner_text().split(" · ")[0]:
             card.locator(".code").inner_text() for card in page.locator(".slip-card").all()}
    assert len(codes) == 2
    check(page, "activation codes")
    screenshot(page, "staff-codes-phone")

    context = browser.new_context(locale="vi-VN", bypass_csp=True, viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    try:
        newcomer = context.new_page()
        newcomer.goto(live_server + "/activate")
        check(newcomer, "activate")
        phone = next(identifier for identifier in codes if "@" not in identifier)
        newcomer.fill("#identifier", phone)
        newcomer.fill("#code", codes[phone])
        newcomer.fill("#password", "tôi học kỹ năng số mỗi tối")
        newcomer.get_by_role("button", name="Kích hoạt tài khoản").click()
        assert newcomer.url.endswith("/me/")
        assert "Phạm Văn Minh" in newcomer.locator(".flash").inner_text()
        assert newcomer.get_by_role("button", name="Đăng xuất").is_visible()
        check(newcomer, "me after activating")
    finally:
        context.close()


def test_a_trainer_previews_a_lesson_and_a_quiz_with_its_key(live_server, phone_page, people,
                                                            check, screenshot):
    page = phone_page
    sign_in(page, live_server, people.add("Trần Văn Giảng", "HN-HK", role="trainer"))
    page.goto(f"{live_server}/admin/preview/")
    check(page, "preview index")
    page.locator(".preview-course a").first.click()
    assert page.get_by_role("heading", name="Vấn đề trong tệp này").count() == 1
    check(page, "lesson preview")
    page.get_by_role("link", name="English").last.click()
    assert page.locator("article.prose").get_attribute("lang") == "en"
    check(page, "lesson preview in English")
    page.goto(f"{live_server}/admin/preview/data-security/quiz/")
    assert page.locator(".options .is-right").count() >= 30
    check(page, "quiz preview")
    screenshot(page, "preview-quiz-phone")


def test_an_administrator_uploads_previews_and_publishes_a_course(live_server, phone_page,
                                                                  people, check, tmp_path):
    import zipfile

    root = REPOSITORY_ROOT / "courses/ai-basics"
    archive = tmp_path / "ai-basics.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in root.rglob("*"):
            if path.is_file():
                out.write(path, "ai-basics/" + path.relative_to(root).as_posix())
        for name, target in (("ai-basics.md", "quiz.md"), ("ai-basics.en.md", "quiz.en.md")):
            out.write(REPOSITORY_ROOT / "quizzes" / name, f"ai-basics/{target}")
    page = phone_page
    sign_in(page, live_server, people.add("Lê Quản Trị", "HN-HK", role="admin"))
    page.goto(f"{live_server}/admin/publishers/")
    check(page, "publishers")
    page.goto(f"{live_server}/admin/publish/")
    check(page, "publish")
    page.set_input_files("#file", str(archive))
    page.get_by_role("button", name="Kiểm tra và giữ phiên bản này").click()
    assert "Không có vấn đề nào." in page.content()
    check(page, "staged version")
    page.locator("main ol a").first.click()
    check(page, "staged lesson")
    page.go_back()
    page.get_by_role("button", name="Đăng phiên bản này").click()
    assert "Đã đăng" in page.locator(".flash").inner_text()
    check(page, "versions")
