"""Support points: helpers granted by managers, points listed per commune, people registered
with a learner card and signing in with it, and the shared device at a point."""
from __future__ import annotations

import re
import subprocess
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEntry, Consent, LearnerCard, OrgUnit, SupportPoint, User
from tests.conftest import PASSWORD


def unit_id(app, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def team(app, learners):
    """A manager of Hà Nội, and a helper they granted for Phường Ba Đình, on a point there."""
    manager = learners.with_role("manager", unit="HN")
    helper = learners.with_role("learner")
    response = manager.post("/support/helpers", data={"identifier": helper.phone,
                                                      "unit": unit_id(app, "HN-BD")})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        helper_id = db.session.scalar(select(User.id).where(User.role == "helper"))
    response = manager.post("/support/points/new", data={
        "name": "Nhà văn hoá tổ dân phố 5", "address": "12 phố Đội Cấn",
        "commune": unit_id(app, "HN-BD"), "kind": "fixed",
        "opening_times": "Thứ Bảy, 8:00–11:00", "helpers": [helper_id]})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        point_id = db.session.scalar(select(SupportPoint.id))
    return manager, helper, point_id


def register_person(helper, app, name="Lò Thị Mai", pin="250718", **extra):
    data = {"full_name": name, "birth_year": "1950", "commune": unit_id(app, "HN-BD"),
            "pin": pin, "read_aloud": "y", **extra}
    return helper.post("/support/people/new", data=data)


def card_of(app, name="Lò Thị Mai") -> LearnerCard:
    with app.app_context():
        card = db.session.scalar(select(LearnerCard).join(User, User.id == LearnerCard.user_id)
                                 .where(User.full_name == name, LearnerCard.revoked_at.is_(None)))
        db.session.expunge_all()
        return card


def test_a_point_opened_by_a_manager_is_listed_on_its_communes_public_page(app, team):
    manager, helper, _point = team
    page = app.test_client().get("/support/communes/HN-BD").get_data(as_text=True)
    assert "Nhà văn hoá tổ dân phố 5" in page and "12 phố Đội Cấn" in page
    assert "Thứ Bảy, 8:00–11:00" in page
    index = app.test_client().get("/support/").get_data(as_text=True)
    assert "/support/communes/HN-BD" in index and "/support/communes/HN-HK" not in index
    assert actions(app)[-2:] == ["role-granted", "support-point-saved"]
    # A commune with no point says so; an unknown code is a 404.
    assert "no support point" in app.test_client().get(
        "/support/communes/HN-HK", headers={"Accept-Language": "en"}).get_data(as_text=True) \
        or "chưa có" in app.test_client().get("/support/communes/HN-HK").get_data(as_text=True)
    assert app.test_client().get("/support/communes/NOPE").status_code == 404


def test_a_manager_cannot_grant_or_place_outside_their_units(app, learners):
    manager = learners.with_role("manager", unit="HN-HK")
    manager.get("/language/en")
    person = learners.with_role("learner")
    response = manager.post("/support/helpers", data={"identifier": person.phone,
                                                      "unit": unit_id(app, "DB-MP")})
    assert response.status_code == 422
    assert "Choose a commune or ward from the list." in response.get_data(as_text=True)
    response = manager.post("/support/helpers", data={"identifier": "0999 999 999",
                                                      "unit": unit_id(app, "HN-HK")})
    assert "No account signs in with this phone number" in response.get_data(as_text=True)
    response = manager.post("/support/points/new", data={
        "name": "", "address": "Bản Phăng", "commune": unit_id(app, "DB-MP"), "kind": "boat"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please fill this in." in text and "Choose a commune or ward from the list." in text
    assert "Choose whether the point is fixed or mobile." in text
    assert 'value="Bản Phăng"' in text  # nothing typed is lost
    with app.app_context():
        assert db.session.scalar(select(SupportPoint.id)) is None
    # Helpers and learners may not manage points.
    assert person.get("/support/points").status_code == 403


def test_a_helper_registers_a_person_who_signs_in_with_card_and_pin(app, team):
    _manager, helper, _point = team
    response = register_person(helper, app)
    assert response.status_code == 302, response.get_data(as_text=True)
    card = card_of(app)
    assert re.fullmatch(r"\d{10}", card.number)
    with app.app_context():
        person = db.session.get(User, card.user_id)
        assert (person.phone, person.email, person.birth_year) == (None, None, 1950)
        consent = db.session.scalar(select(Consent).where(Consent.user_id == person.id))
        helper_id = db.session.scalar(select(User.id).where(User.role == "helper"))
        assert (consent.recorded_by_id, consent.read_aloud) == (helper_id, True)
        assert consent.notice_version
        assert "250718" not in card.pin_hash
    assert actions(app)[-2:] == ["learner-registered", "learner-card-issued"]
    visitor = app.test_client()
    spaced = f"{card.number[:4]} {card.number[4:8]} {card.number[8:]}"
    assert visitor.post("/support/card", data={"number": spaced, "pin": "111222"}
                        ).status_code == 422
    response = visitor.post("/support/card", data={"number": spaced, "pin": "250718"})
    assert response.status_code == 302
    assert "Lò Thị Mai" in visitor.get("/me/").get_data(as_text=True)


def test_registration_shows_every_problem_and_keeps_what_was_typed(app, team):
    _manager, helper, _point = team
    helper.get("/language/en")
    response = register_person(helper, app, name="Hà Văn Páo", pin="123456",
                               read_aloud="", birth_year="1850")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the year of birth" in text and "easy to guess" in text
    assert "Read the notice to the person" in text and 'value="Hà Văn Páo"' in text
    response = register_person(helper, app, name="Hà Văn Páo", pin="12a4")
    assert "exactly 6 digits" in response.get_data(as_text=True)
    response = register_person(helper, app, name="Hà Văn Páo", commune=unit_id(app, "HN-HK"))
    assert "Choose a commune or ward from the list." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LearnerCard.id)) is None
        assert db.session.scalar(select(User.id).where(User.full_name == "Hà Văn Páo")) is None


def test_the_card_pdf_carries_name_number_and_a_qr_code_that_signs_in(app, team, tmp_path):
    _manager, helper, _point = team
    register_person(helper, app)
    card = card_of(app)
    response = helper.get(f"/support/cards/{card.id}/card.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "card.pdf").write_bytes(response.data)
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "Lò Thị Mai" in text
    assert f"{card.number[:4]} {card.number[4:8]} {card.number[8:]}" in text
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile",
                    str(tmp_path / "card.pdf"), str(tmp_path / "card")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "card.png")],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert decoded.endswith(f"/support/card?number={card.number}")
    assert actions(app)[-1] == "learner-card-printed"
    path = decoded[decoded.index("/support/"):]
    form = app.test_client().get(path).get_data(as_text=True)
    assert f'value="{card.number}"' in form  # the number is filled in; the PIN is not


def test_a_new_card_stops_the_old_one_and_a_revoked_card_signs_no_one_in(app, team):
    _manager, helper, _point = team
    register_person(helper, app)
    old = card_of(app)
    response = helper.post(f"/support/cards/{old.id}/replace", data={"pin": "111111"})
    assert response.status_code == 422  # a guessable PIN: the old card still works
    response = helper.post(f"/support/cards/{old.id}/replace", data={"pin": "607182"})
    assert response.status_code == 302
    new = card_of(app)
    assert new.number != old.number
    assert app.test_client().post("/support/card", data={"number": old.number,
                                                          "pin": "250718"}).status_code == 422
    assert app.test_client().post("/support/card", data={"number": new.number,
                                                          "pin": "607182"}).status_code == 302
    helper.post(f"/support/cards/{new.id}/revoke")
    assert app.test_client().post("/support/card", data={"number": new.number,
                                                          "pin": "607182"}).status_code == 422
    assert actions(app)[-3:] == ["learner-card-revoked", "learner-card-issued",
                                 "learner-card-revoked"]


def test_helpers_see_only_card_holders_of_their_communes_and_not_their_progress(app, team,
                                                                               learners):
    manager, helper, _point = team
    register_person(helper, app)
    card = card_of(app)
    found = helper.get("/support/help?q=Mai").get_data(as_text=True)
    assert "Lò Thị Mai" in found and f"/support/cards/{card.id}" in found
    page = helper.get(f"/support/cards/{card.id}").get_data(as_text=True)
    assert "Lò Thị Mai" in page and "1950" in page
    assert actions(app)[-1] == "learner-card-viewed"  # someone else's data, seen: traced
    seen = actions(app).count("learner-card-viewed")
    # Another commune's helper finds nothing, and cannot open the card.
    other = learners.with_role("learner")
    manager.post("/support/helpers", data={"identifier": other.phone,
                                           "unit": unit_id(app, "HN-SS")})
    assert "Lò Thị Mai" not in other.get("/support/help?q=Mai").get_data(as_text=True)
    assert other.get(f"/support/cards/{card.id}").status_code == 404
    assert other.get(f"/support/cards/{card.id}/card.pdf").status_code == 404
    assert actions(app).count("learner-card-viewed") == seen
    # Helpers see no reports.
    assert helper.get("/reports/").status_code == 403


def test_card_sign_in_is_rate_limited(app, team):
    _manager, helper, _point = team
    register_person(helper, app)
    card = card_of(app)
    guesser = app.test_client()
    codes = [guesser.post("/support/card", data={"number": card.number, "pin": f"{n:06d}"}
                          ).status_code for n in range(100, 106)]
    assert codes == [422] * 5 + [429]


def test_a_card_holder_links_a_phone_they_prove_with_the_code_sent(app, team):
    from tests.conftest import last_code

    _manager, helper, _point = team
    register_person(helper, app)
    card = card_of(app)
    person = app.test_client()
    person.post("/support/card", data={"number": card.number, "pin": "250718"})
    response = person.post("/support/my-phone", data={"phone": "0987 654 321"})
    assert response.status_code == 302 and response.location.endswith("/prove")
    code = last_code(app, "+84987654321")
    assert person.post("/prove", data={"code": code}).status_code == 302
    with app.app_context():
        user = db.session.get(User, card.user_id)
        assert user.phone == "+84987654321" and user.phone_proven_at is not None
    # A number another account has is refused.
    other = app.test_client()
    register_person(helper, app, name="Lò Văn Sáng", pin="418263")
    other.post("/support/card", data={"number": card_of(app, "Lò Văn Sáng").number,
                                      "pin": "418263"})
    response = other.post("/support/my-phone", data={"phone": "0987654321"})
    assert response.status_code == 422


# --- the shared device ------------------------------------------------------------------------

def shared_device(app, helper, point_id):
    response = helper.post("/support/device", data={"point": point_id})
    assert response.status_code == 302
    assert helper.get("/me/").status_code == 302  # the helper is signed out
    return helper


def test_two_people_in_a_row_on_a_shared_device_the_second_sees_nothing_of_the_first(
        app, team, learners):
    _manager, helper, point_id = team
    learners.register(name="Trần Văn Bình", identifier="0912 111 222")
    register_person(helper, app)
    card = card_of(app)
    device = shared_device(app, helper, point_id)
    assert actions(app)[-1] == "shared-device-started"
    # The first person signs in with "keep me signed in": it is not honoured.
    response = device.post("/login", data={"identifier": "0912 111 222", "password": PASSWORD,
                                           "remember": "y"})
    assert response.status_code == 302
    assert device.get_cookie("remember_token") is None
    assert "Trần Văn Bình" in device.get("/me/").get_data(as_text=True)
    response = device.post("/support/device/done")
    assert response.status_code == 302 and response.location.endswith("/support/device")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'  # saved pages too
    assert device.get("/me/").status_code == 302
    login = device.get("/login").get_data(as_text=True)
    assert "0912 111 222" not in login and "Trần Văn Bình" not in login
    assert 'name="remember"' not in login
    # The second person, by card: their own page, nothing of the first.
    device.post("/support/card", data={"number": card.number, "pin": "250718"})
    page = device.get("/me/").get_data(as_text=True)
    assert "Lò Thị Mai" in page and "Trần Văn Bình" not in page
    assert "/support/device/idle.css" in page and "/support/device/done" in page
    css = device.get("/support/device/idle.css").get_data(as_text=True)
    assert "animation: idle-cover 0s linear 600s forwards" in css


def test_a_shared_device_signs_its_person_out_after_a_few_idle_minutes(app, team, learners,
                                                                       clock):
    _manager, helper, point_id = team
    learners.register(name="Trần Văn Bình", identifier="0912 111 222")
    device = shared_device(app, helper, point_id)
    device.post("/login", data={"identifier": "0912 111 222", "password": PASSWORD})
    clock.advance(minutes=8)
    assert device.get("/me/").status_code == 200  # in use: the timeout moves on
    clock.advance(minutes=8)
    assert device.get("/me/").status_code == 200
    copied = device.get_cookie("session").value
    clock.advance(minutes=11)
    response = device.get("/me/")
    assert response.status_code == 302 and response.location.endswith("/support/device/ended")
    # What the person saved for offline use goes with the session, as on Xong.
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert device.get("/me/").status_code == 302
    # The server ended it: a copy of the cookie taken before is dead too.
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/me/").status_code == 302


def test_an_ordinary_device_keeps_its_long_session(app, learners, clock):
    client = learners.register(identifier="0912 111 222")
    clock.advance(minutes=30)
    assert client.get("/me/").status_code == 200


# --- the support log --------------------------------------------------------------------------

def log_form_token(helper) -> str:
    page = helper.get("/support/log").get_data(as_text=True)
    return re.search(r'name="token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_visit_sent_twice_is_recorded_once(app, team):
    from lms.models import SupportVisit

    _manager, helper, point_id = team
    register_person(helper, app)
    card = card_of(app)
    data = {"token": log_form_token(helper), "place": f"point-{point_id}",
            "person": card.number, "services": ["vneid", "learning-together"],
            "outcome": "done", "minutes": "25"}
    first = helper.post("/support/log", data=data, follow_redirects=True)
    second = helper.post("/support/log", data=data, follow_redirects=True)
    assert first.status_code == second.status_code == 200
    helper.get("/language/en")
    again = helper.post("/support/log", data=data, follow_redirects=True)
    assert "already recorded: it counts once" in again.get_data(as_text=True)
    with app.app_context():
        visits = db.session.scalars(select(SupportVisit)).all()
        assert len(visits) == 1
        visit = visits[0]
        assert (visit.person_id, visit.age_group, visit.people_count) == (card.user_id,
                                                                          "60-plus", 1)
        assert visit.services == ["learning-together", "vneid"] and visit.minutes == 25
    assert actions(app).count("support-visit-logged") == 1


def test_passers_by_are_a_count_and_an_age_group_and_bad_input_is_explained(app, team):
    from lms.models import SupportVisit

    _manager, helper, point_id = team
    helper.get("/language/en")
    token = log_form_token(helper)
    response = helper.post("/support/log", data={
        "token": token, "place": f"commune-{unit_id(app, 'HN-HK')}", "people_count": "0",
        "minutes": "0", "person": "0999 000 111", "services": ["no-such-service"]})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("Choose a commune or ward from the list.", "No one in your communes",
                    "Tick at least one thing", "Choose how it went.", "Enter the minutes"):
        assert message in text
    assert 'value="0999 000 111"' in text and f'value="{token}"' in text  # nothing lost
    response = helper.post("/support/log", data={
        "token": token, "place": f"commune-{unit_id(app, 'HN-BD')}", "people_count": "3",
        "age_group": "60-plus", "services": ["scam-advice"], "outcome": "partly",
        "minutes": "40"})
    assert response.status_code == 302
    with app.app_context():
        visit = db.session.scalar(select(SupportVisit))
        assert (visit.point_id, visit.people_count, visit.age_group) == (None, 3, "60-plus")


def test_organisers_add_and_retire_services_on_the_log(app, team, learners):
    _manager, helper, _point = team
    organiser = learners.with_role("organiser", unit="HN")
    assert organiser.post("/support/services", data={"name": "Ví điện tử VNPT Money"}
                          ).status_code == 302
    assert organiser.post("/support/services", data={"name": "ví điện tử  VNPT money"}
                          ).status_code == 422
    organiser.post("/support/services/etax-mobile/retire")
    page = helper.get("/support/log").get_data(as_text=True)
    assert "Ví điện tử VNPT Money" in page and 'value="etax-mobile"' not in page
    assert 'value="vssid"' in page
    organiser.post("/support/services/etax-mobile/bring-back")
    assert 'value="etax-mobile"' in helper.get("/support/log").get_data(as_text=True)
    assert helper.post("/support/services", data={"name": "x"}).status_code == 403


def test_progress_on_a_shared_device_counts_the_same_and_is_marked_assisted(
        app, team, bundled_catalog):
    from lms.models import LessonProgress, QuizAttempt
    from lms.services import record
    from tests.conftest import form_answers, right_answers

    _manager, helper, point_id = team
    register_person(helper, app)
    card = card_of(app)
    course = next(c for c in bundled_catalog.courses if c.quiz)
    device = shared_device(app, helper, point_id)
    device.post("/support/card", data={"number": card.number, "pin": "250718"})
    for lesson in course.lessons:
        assert device.post(f"/courses/{course.slug}/{lesson.slug}/done").status_code == 302
    page = device.get(f"/courses/{course.slug}/quiz/").get_data(as_text=True)
    token = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        answers = right_answers(attempt, course.quiz)
    form = {"attempt": token, **form_answers(app, token, answers)}
    assert device.post(f"/courses/{course.slug}/quiz/", data=form).status_code == 303
    with app.app_context():
        helper_id = db.session.scalar(select(User.id).where(User.role == "helper"))
        marks = db.session.scalars(select(LessonProgress.assisted_by_id).where(
            LessonProgress.user_id == card.user_id)).all()
        assert marks and set(marks) == {helper_id}
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.token == token))
        assert attempt.passed and attempt.assisted_by_id == helper_id
        person = db.session.get(User, card.user_id)
        assert record.course_record(db.session, person.id, course).complete


# --- reports ----------------------------------------------------------------------------------

def test_reports_count_people_services_and_help_per_point_helper_and_commune(app, team,
                                                                              learners):
    from openpyxl import load_workbook

    manager, helper, point_id = team
    register_person(helper, app)  # born 1950: 60 and over
    card = card_of(app)
    visits = [
        {"place": f"point-{point_id}", "person": card.number, "services": ["vneid"],
         "outcome": "done", "minutes": "20"},
        {"place": f"commune-{unit_id(app, 'HN-BD')}", "people_count": "4",
         "age_group": "30-59", "services": ["vssid", "etax-mobile"], "outcome": "partly",
         "minutes": "30"},
        {"place": f"point-{point_id}", "people_count": "2", "age_group": "60-plus",
         "services": ["vneid"], "outcome": "not-done", "minutes": "10"},
    ]
    for visit in visits:
        assert helper.post("/support/log", data={"token": log_form_token(helper), **visit}
                           ).status_code == 302
    manager.get("/language/en")
    page = manager.get("/support/report").get_data(as_text=True)
    assert "Help at support points" in page
    # 7 people, 3 of them 60+; VNeID done once (the not-done visit does not count).
    assert re.search(r"People helped</dt><dd>7<", page)
    assert re.search(r"Of them aged 60 and over</dt><dd>3<", page)
    assert "Installing VNeID: <strong>1</strong>" in page
    assert "Nhà văn hoá tổ dân phố 5" in page and "Door to door" in page
    csv_text = manager.get("/support/report.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeffSection,")
    assert "Support point,Nhà văn hoá tổ dân phố 5,2,3,0,0,3,0,30" in csv_text
    assert "Total,Total,3,7,0,4,3,0,60" in csv_text
    workbook = load_workbook(BytesIO(manager.get("/support/report.xlsx").data))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert ("Service done", "Installing VNeID", 1) == rows[next(
        i for i, r in enumerate(rows) if r[1] == "Installing VNeID")][:3]
    # Going down the tree: another commune has nothing; outside the scope is a 404.
    other = manager.get("/support/report?unit=HN-SS").get_data(as_text=True)
    assert re.search(r"People helped</dt><dd>0<", other)
    assert manager.get("/support/report?unit=DB").status_code == 404
    assert helper.get("/support/report").status_code == 403
    assert actions(app).count("support-visit-logged") == 3


def test_a_card_holder_sees_their_settings_and_deletes_their_account_with_the_pin(app, team):
    _manager, helper, _point = team
    register_person(helper, app)
    card = card_of(app)
    person = app.test_client()
    person.post("/support/card", data={"number": card.number, "pin": "250718"})
    person.get("/language/en")
    settings = person.get("/me/settings").get_data(as_text=True)
    assert "/support/my-phone" in settings and "Change password" not in settings
    assert person.post("/me/delete", data={"password": "000000"}).status_code == 200
    assert person.post("/me/delete", data={"password": "250718"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, card.user_id) is None
        assert db.session.scalar(select(LearnerCard.id)) is None
    assert app.test_client().post("/support/card", data={"number": card.number,
                                                          "pin": "250718"}).status_code == 422


def test_a_manager_changes_and_closes_a_point(app, team):
    manager, _helper, point_id = team
    form = manager.get(f"/support/points/{point_id}").get_data(as_text=True)
    assert 'value="12 phố Đội Cấn"' in form and "checked" in form
    response = manager.post(f"/support/points/{point_id}", data={
        "name": "Điểm lưu động tổ 5", "address": "Các ngõ phố Đội Cấn",
        "commune": unit_id(app, "HN-BD"), "kind": "mobile", "opening_times": "Chủ nhật"})
    assert response.status_code == 302
    with app.app_context():
        point = db.session.get(SupportPoint, point_id)
        assert (point.name, point.kind, point.helpers) == ("Điểm lưu động tổ 5", "mobile", [])
    manager.post(f"/support/points/{point_id}/close")
    assert "Điểm lưu động tổ 5" not in app.test_client().get(
        "/support/communes/HN-BD").get_data(as_text=True)
    assert actions(app)[-2:] == ["support-point-saved", "support-point-closed"]


def test_a_manager_removes_a_helper_who_then_can_no_longer_help(app, team, learners):
    manager, helper, point_id = team
    with app.app_context():
        helper_id = db.session.scalar(select(User.id).where(User.role == "helper"))
    other_manager = learners.with_role("manager", unit="DB")
    assert other_manager.post(f"/support/helpers/{helper_id}/remove").status_code == 403
    assert manager.post(f"/support/helpers/{helper_id}/remove").status_code == 302
    with app.app_context():
        assert db.session.get(User, helper_id).role == "learner"
        assert db.session.get(SupportPoint, point_id).helpers == []
    assert helper.get("/support/help").status_code == 403
    assert register_person(helper, app).status_code == 403
