"""Proving a phone number or email, and getting back in: by a sent code, or with a manager."""
import re
import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import AuditEntry, OneTimeCode, User
from lms.services import clock
from tests.conftest import PASSWORD, client_from, last_code, sent_to
from tests.test_staff_import import CSV, codes, confirm, signed_in, upload

NEW_PASSWORD = "mật khẩu mới của tôi"


def user(app, phone="+84912345678"):
    with app.app_context():
        found = db.session.scalar(select(User).where(User.phone == phone))
        db.session.expunge_all()
        return found


def test_sign_up_sends_a_code_by_sms_and_the_code_proves_the_number(app, learners):
    client = learners.register(identifier="0912345678")
    message, = sent_to(app, "+84912345678")
    assert message.channel == "sms" and message.kind == "prove-code"
    assert user(app).phone_proven_at is None
    assert client.post("/prove", data={"code": "000000" if last_code(app, "+84912345678")
                                       != "000000" else "111111"}).status_code == 422
    response = client.post("/prove", data={"code": last_code(app, "+84912345678")})
    assert response.status_code == 302
    assert user(app).phone_proven_at is not None
    assert client.get("/prove").headers["Location"] == "/me/settings"  # nothing left to prove


def test_an_email_is_proven_by_a_code_sent_by_email(app, learners):
    client = learners.register(identifier="an@example.vn")
    message, = sent_to(app, "an@example.vn")
    assert message.channel == "email" and message.subject
    client.post("/prove", data={"code": last_code(app, "an@example.vn")})
    with app.app_context():
        assert db.session.scalar(select(User.email_proven_at)) is not None


def test_a_proof_code_dies_after_five_wrong_tries_and_a_new_one_can_be_sent(app, learners):
    client = learners.register(identifier="0912345678")
    right = last_code(app, "+84912345678")
    wrong = f"{(int(right) + 1) % 10 ** 6:06d}"
    for _ in range(5):
        assert client.post("/prove", data={"code": wrong}).status_code == 422
    assert client.post("/prove", data={"code": right}).status_code in (422, 429)
    assert user(app).phone_proven_at is None


def test_sending_again_replaces_the_earlier_code(app, learners):
    client = learners.register(identifier="0912345678")
    first = last_code(app, "+84912345678")
    assert client.post("/prove/send").status_code == 302
    second = last_code(app, "+84912345678")
    assert len(sent_to(app, "+84912345678")) == 2
    if first != second:
        assert client.post("/prove", data={"code": first}).status_code == 422
    assert client.post("/prove", data={"code": second}).status_code == 302


def test_forgot_password_by_sms_sets_a_new_password_and_signs_out_everywhere(app, learners):
    old_device = learners.register(identifier="0912345678")
    client = app.test_client()
    client.get("/language/en")
    page = client.post("/forgot", data={"identifier": "0912 345 678"}, follow_redirects=True)
    assert "we have sent it a code" in page.get_data(as_text=True)
    assert 'value="0912 345 678"' in page.get_data(as_text=True)  # carried to the next step
    message = sent_to(app, "+84912345678")[-1]
    assert message.kind == "reset-code"
    response = client.post("/reset", data={"identifier": "0912345678",
                                           "code": last_code(app, "+84912345678"),
                                           "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200
    assert old_device.get("/me/").status_code == 302
    assert learners.login(app.test_client(), "0912345678", NEW_PASSWORD).status_code == 302
    assert user(app).phone_proven_at is not None  # the code reached this phone
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "password-reset"))
        assert entry.details["code"] == "sent"


def test_a_reset_code_works_once(app, learners):
    learners.register(identifier="an@example.vn")
    client = app.test_client()
    client.post("/forgot", data={"identifier": "an@example.vn"})
    code = last_code(app, "an@example.vn")
    data = {"identifier": "an@example.vn", "code": code, "password": NEW_PASSWORD}
    assert client.post("/reset", data=data).status_code == 302
    again = app.test_client().post("/reset", data={**data, "password": "một mật khẩu khác nữa"})
    assert again.status_code == 200


def test_a_reset_code_expires_after_15_minutes(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    client.post("/forgot", data={"identifier": "0912345678"})
    with app.app_context():
        row = db.session.scalar(select(OneTimeCode).where(OneTimeCode.purpose == "reset"))
        assert clock.aware(row.expires_at) - clock.aware(row.created_at) == timedelta(minutes=15)
        assert row.code_hash.startswith("$argon2id$")
        assert last_code(app, "+84912345678") not in row.code_hash
        row.expires_at = clock.now() - timedelta(seconds=1)  # as if 15 minutes had passed
        db.session.commit()
    assert client.post("/reset", data={"identifier": "0912345678",
                                       "code": last_code(app, "+84912345678"),
                                       "password": NEW_PASSWORD}).status_code == 200


def test_forgot_password_answers_the_same_for_an_unknown_account(app, learners):
    learners.register(identifier="0912345678")
    known = app.test_client().post("/forgot", data={"identifier": "0912345678"})
    unknown = app.test_client().post("/forgot", data={"identifier": "0987654321"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert sent_to(app, "+84987654321") == []


def test_forgot_password_shows_a_malformed_number_and_keeps_it(client):
    client.get("/language/en")
    page = client.post("/forgot", data={"identifier": "0123"})
    text = page.get_data(as_text=True)
    assert "Enter a Vietnamese mobile number" in text and 'value="0123"' in text


def test_requests_for_codes_are_limited_per_address_and_account(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    statuses = [client.post("/forgot", data={"identifier": "0912345678"}).status_code
                for _ in range(4)]
    assert statuses == [302] * 3 + [429]
    # The owner, from another address, can still ask for a code.
    assert client_from(app, "127.0.0.3").post(
        "/forgot", data={"identifier": "0912345678"}).status_code == 302


def test_reset_accepts_a_decomposed_vietnamese_password(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    client.post("/forgot", data={"identifier": "0912345678"})
    client.post("/reset", data={"identifier": "0912345678",
                                "code": last_code(app, "+84912345678"),
                                "password": unicodedata.normalize("NFD", NEW_PASSWORD)})
    assert learners.login(app.test_client(), "0912345678",
                          unicodedata.normalize("NFC", NEW_PASSWORD)).status_code == 302


def printed_code(page) -> str:
    return re.search(r'<p class="code big-code">(\d{4}(?: \d{4})+)</p>',
                     page.get_data(as_text=True)).group(1)


def test_a_manager_prints_a_reset_code_for_a_person_in_their_unit(app, learners):
    manager = signed_in(app, "manager", "HN-HK")
    learners.register(identifier="0912345678", name="Bà Tư")
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        person.org_unit_id = db.session.scalar(
            select(User.scope_unit_id).where(User.role == "manager"))
        db.session.commit()
        person_id = person.id
    found = manager.get("/staff/people?q=0912 345 678").get_data(as_text=True)
    assert "Bà Tư" in found and "Print a reset code" in found
    page = manager.post(f"/staff/people/{person_id}/code")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    code = printed_code(page)
    person = app.test_client()
    assert person.post("/reset", data={"identifier": "0912345678", "code": code,
                                       "password": NEW_PASSWORD}).status_code == 302
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions[-2:] == ["reset-code-issued", "password-reset"]
    assert user(app).phone_proven_at is None  # a printed code proves the person, not the phone


def test_a_manager_cannot_help_someone_outside_their_units(app, learners):
    manager = signed_in(app, "manager", "DB-MP")
    learners.register(identifier="0912345678", name="Người ngoài")
    person_id = user(app).id
    assert "Người ngoài" not in manager.get("/staff/people?q=Người").get_data(as_text=True)
    page = manager.post(f"/staff/people/{person_id}/code")
    assert page.status_code == 403
    assert "not in one of the units you manage" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(OneTimeCode).where(OneTimeCode.purpose == "reset")) is None


def test_a_manager_reissues_a_lost_activation_code(app):
    organiser = signed_in(app, "organiser", "HN")
    first = codes(confirm(organiser, upload(organiser, CSV.encode())))["Nguyễn Văn An"]
    found = organiser.get("/staff/people?q=Nguyễn Văn An").get_data(as_text=True)
    assert "New activation code" in found
    page = organiser.post(f"/staff/people/{user(app).id}/code")
    second = printed_code(page)
    assert "/activate" in page.get_data(as_text=True)
    activate = app.test_client()
    data = {"identifier": "0912345678", "password": NEW_PASSWORD}
    if first != second:
        assert activate.post("/activate", data={**data, "code": first}).status_code == 200
    assert activate.post("/activate", data={**data, "code": second}).status_code == 302


@pytest.mark.parametrize("url", ["/staff/people/99999999999/code", "/staff/people/0/code"])
def test_a_missing_person_is_404(app, url):
    manager = signed_in(app, "manager", "HN-HK")
    assert manager.post(url).status_code == 404


def test_people_search_is_for_staff_only(app, learners):
    learner = learners.register()
    assert learner.get("/staff/people?q=a").status_code == 403
