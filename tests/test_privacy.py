"""Privacy: a notice and recorded consent at sign-up, a complete export, a deletion that
keeps certificates verifiable with the name masked."""
import re

from sqlalchemy import select

from lms.extensions import db
from lms.models import Certificate, Consent, LessonProgress, QuizAttempt, User
from tests.conftest import PASSWORD
from tests.test_certificates import complete_course
from tests.test_staff_import import confirm, signed_in, upload


def test_sign_up_without_consent_keeps_nothing_and_says_why(app, client, learners):
    client.get("/language/en")
    page = client.post("/register", data={"identifier": "0912345678", "full_name": "An",
                                          "password": PASSWORD, "org_unit": learners.unit_id()})
    text = page.get_data(as_text=True)
    assert "To create an account, tick this box" in text
    assert "Your personal data, in short" in text and 'href="/privacy"' in text
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_consent_is_recorded_with_the_notice_version(app, learners):
    learners.register(identifier="0912345678")
    with app.app_context():
        consent = db.session.scalar(select(Consent))
        assert consent.notice_version and consent.given_at and consent.address == "127.0.0.1"


def test_the_privacy_notice_says_who_sees_what_for_how_long_in_both_languages(client):
    vi = client.get("/privacy").get_data(as_text=True)
    client.get("/language/en")
    en = client.get("/privacy").get_data(as_text=True)
    assert '<html lang="vi">' in vi
    for heading in ("What we collect", "Why", "Who sees it", "For how long", "Your rights"):
        assert f"<h2>{heading}</h2>" in en
    assert "91/2025/QH15" in en and "356/2025" in en


def test_my_data_holds_profile_progress_certificates_assignments_consents_and_audit(
        app, bundled_catalog):
    organiser = signed_in(app, "organiser", "HN")
    confirm(organiser, upload(organiser, "Họ và tên,Số điện thoại,Mã đơn vị,Chức vụ\n"
                                         "Nguyễn Văn An,0912345678,HN-HK,Chuyên viên\n".encode()))
    organiser.post("/reports/assignments/", data={"subject": "course:data-security",
                                                     "unit": "HN-HK", "due_on": "2030-01-01"})
    from tests.test_recovery import printed_code
    with app.app_context():
        person_id = db.session.scalar(select(User.id).where(User.phone == "+84912345678"))
    code = printed_code(organiser.post(f"/staff/people/{person_id}/code"))
    client = app.test_client()
    client.post("/activate", data={"identifier": "0912345678", "code": code,
                                   "password": PASSWORD})
    complete_course(client, bundled_catalog, "data-security")
    data = client.get("/me/data.json").get_json()
    assert data["account"]["position"] == "Chuyên viên"
    assert data["account"]["audience"] == "civil-servant"
    assert data["account"]["unit_code"] == "HN-HK"
    assert data["certificates"][0]["subject"] == "data-security"
    assert data["quiz_attempts"] and data["lessons_done"]
    actions = {entry["action"] for entry in data["audit_entries_about_me"]}
    assert {"staff-imported", "activation-code-issued"} <= actions
    assert data["assignments"] == [{"kind": "course", "subject": "data-security",
                                    "due_on": "2030-01-01", "done": True}]
    assert data["consents"] == []  # imported, not signed up: no sign-up consent


def test_deleting_an_account_keeps_its_certificate_verifiable_with_the_name_masked(
        app, client, learners, bundled_catalog):
    learners.register(client, name="Nguyễn Thị Ánh Dương", identifier="0912345678")
    complete_course(client, bundled_catalog, "data-security")
    with app.app_context():
        code = db.session.scalar(select(Certificate.code))
    client.get("/language/en")
    page = client.get("/me/delete").get_data(as_text=True)
    assert "What is kept, and why" in page and "name masked" in page
    assert client.post("/me/delete", data={"password": PASSWORD}).status_code == 302
    verify = client.get(f"/verify/{code}")
    text = verify.get_data(as_text=True)
    assert verify.status_code == 200 and "Valid" in text
    assert "Nguyễn T. Á. D." in text and "Ánh Dương" not in text
    assert "deleted their account" in text
    with app.app_context():
        holder = db.session.scalar(select(User))
        assert (holder.phone, holder.email, holder.birth_year) == (None, None, None)
        assert holder.full_name == "Nguyễn T. Á. D." and holder.deleted_at is not None
        assert db.session.query(LessonProgress).count() == 0
        assert db.session.query(QuizAttempt).count() == 0
        assert db.session.query(Consent).count() == 0
    assert learners.login(app.test_client(), "0912345678").status_code == 200
    # The number is free again: its owner can sign up anew.
    learners.register(identifier="0912345678")
