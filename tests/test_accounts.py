"""Accounts: sign-up rules, sign-in, rate limits, sessions, a learner's own data."""
import pytest

from lms.extensions import db
from lms.models import User
from lms.services.accounts import AccountError, check_new_password, parse_identifier
from tests.conftest import PASSWORD, client_from


@pytest.mark.parametrize("raw", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678",
                                 "84912345678", "+84-912-345-678"])
def test_vietnamese_mobile_numbers_are_stored_in_one_form(raw):
    assert parse_identifier(raw).value == "+84912345678"


@pytest.mark.parametrize("raw", ["012345678", "0212345678", "091234567", "+1 912 345 678", "abc"])
def test_malformed_phone_numbers_are_refused(raw):
    with pytest.raises(AccountError, match="bad-phone"):
        parse_identifier(raw)


def test_emails_are_lower_cased():
    assert parse_identifier(" Dung.Nguyen@Example.VN ").value == "dung.nguyen@example.vn"


@pytest.mark.parametrize("password, code", [("short", "too-short"), ("12345678", "too-common"),
                                            ("MatKhau123", "too-common"), ("aaaaaaaaaa", "too-common"),
                                            ("x" * 129, "too-long")])
def test_weak_passwords_are_refused_with_a_reason(password, code):
    with pytest.raises(AccountError, match=code):
        check_new_password(password)


def test_long_passphrases_without_composition_rules_are_accepted():
    check_new_password("con mèo ngủ trên mái nhà")
    check_new_password(("sáng nay trời mưa to quá " * 3)[:64])  # 64 characters


def test_registration_stores_normalised_phone_and_argon2id_hash(app, learners):
    learners.register(identifier="0912.345.678")
    with app.app_context():
        user = db.session.query(User).one()
        assert user.phone == "+84912345678"
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert PASSWORD not in user.password_hash


def test_registration_problems_are_named_next_to_the_field(client, learners):
    page = client.post("/register", data={"identifier": "0123", "full_name": "",
                                          "password": "123456789", "org_unit": learners.unit_id()})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Vui lòng điền thông tin này." in text  # the empty name
    client.post("/register", data={"identifier": "0123", "full_name": "An",
                                   "password": "123456789", "org_unit": learners.unit_id()})


def test_a_taken_phone_number_is_refused_in_any_spelling(client, learners):
    learners.register(identifier="0912345678")
    page = client.post("/register", data={"identifier": "+84 912 345 678", "full_name": "B",
                                          "password": PASSWORD, "org_unit": learners.unit_id()})
    assert "Đã có tài khoản với số điện thoại hoặc email này" in page.get_data(as_text=True)


def test_sign_up_returns_the_learner_to_where_they_were(client, learners):
    response = client.post("/register", data={
        "identifier": "0987654321", "full_name": "Trần Văn Ba", "password": PASSWORD,
        "org_unit": learners.unit_id(), "consent": "y", "next": "/courses/ai-basics/chatbots/"})
    # First the page that confirms the number, whose "later" link leads back to the lesson.
    assert response.headers["Location"] == "/prove?next=/courses/ai-basics/chatbots/"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/courses/ai-basics/chatbots/"' in page


def test_sign_up_never_redirects_to_another_site(client, learners):
    response = client.post("/register", data={
        "identifier": "0987654322", "full_name": "Lê Thị Cúc", "password": PASSWORD,
        "org_unit": learners.unit_id(), "consent": "y", "next": "//evil.example/phish"})
    assert response.headers["Location"] == "/prove"
    page = client.get("/prove?next=//evil.example/phish").get_data(as_text=True)
    assert 'href="//evil.example' not in page and 'href="/me/"' in page


def test_wrong_password_and_unknown_account_get_the_same_answer(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    wrong = client.post("/login", data={"identifier": "0912345678", "password": "sai mật khẩu rồi"})
    unknown = client.post("/login", data={"identifier": "0999999999", "password": "sai mật khẩu rồi"})
    assert wrong.status_code == unknown.status_code == 200

    def message(response):
        return response.get_data(as_text=True).split('<p class="error"', 1)[1].split("</p>")[0]
    assert message(wrong) == message(unknown)
    assert "Số điện thoại, email hoặc mật khẩu chưa đúng." in message(wrong)


def test_sign_in_works_with_phone_in_any_spelling_or_email(app, learners):
    learners.register(identifier="0912345678")
    learners.register(identifier="an@example.vn")
    for identifier in ("+84 912 345 678", "AN@example.vn"):
        response = learners.login(app.test_client(), identifier)
        assert response.headers["Location"] == "/me/"


def test_rapid_sign_ins_from_one_address_are_slowed_but_the_owner_still_gets_in(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    statuses = [client.post("/login", data={"identifier": "0912 345 678",
                                            "password": f"đoán thử {n}"}).status_code
                for n in range(6)]
    assert statuses == [200] * 5 + [429]
    slowed = client.post("/login", data={"identifier": "0912345678", "password": PASSWORD})
    assert slowed.status_code == 429 and 0 < int(slowed.headers["Retry-After"]) <= 60
    assert "Vui lòng chờ một phút" in slowed.get_data(as_text=True)
    # Another account from the same address is not slowed: the key is address and account.
    assert client.post("/login", data={"identifier": "0977777777",
                                       "password": "x" * 8}).status_code == 200
    # The owner, from their own phone, signs in at once: a guesser cannot lock them out.
    owner = client_from(app, "127.0.0.2")
    assert learners.login(owner, "0912345678").status_code == 302


def test_sign_out_ends_this_device_only(app, learners):
    phone = learners.register(identifier="0912345678")
    other_device = app.test_client()
    learners.login(other_device, "0912345678")
    assert other_device.get("/me/").status_code == 200
    phone.post("/logout")
    assert phone.get("/me/").status_code == 302
    assert other_device.get("/me/").status_code == 200


def test_changing_the_password_ends_other_sessions_but_keeps_this_one(app, learners):
    this_phone = learners.register(identifier="0912345678")
    other_device = app.test_client()
    learners.login(other_device, "0912345678")
    response = this_phone.post("/me/settings/password", data={
        "password-current_password": PASSWORD, "password-password": "một câu mới dễ nhớ"})
    assert response.status_code == 302
    assert this_phone.get("/me/").status_code == 200
    assert other_device.get("/me/").status_code == 302
    assert learners.login(app.test_client(), "0912345678", "một câu mới dễ nhớ").status_code == 302


def test_wrong_current_password_changes_nothing(app, learners):
    client = learners.register(identifier="0912345678")
    response = client.post("/me/settings/password", data={
        "password-current_password": "không đúng đâu", "password-password": "một câu mới dễ nhớ"})
    assert response.status_code == 422
    assert learners.login(app.test_client(), "0912345678").status_code == 302


def test_a_learner_can_change_name_and_unit(app, learners):
    client = learners.register()
    response = client.post("/me/settings/profile", data={"profile-full_name": "  Phạm   Thị  Em ",
                                                         "profile-org_unit": learners.unit_id()})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(User).one().full_name == "Phạm Thị Em"


def test_a_learner_can_download_their_data(client, learners):
    learners.register(client, identifier="0912345678")
    client.post("/courses/ai-basics/what-is-ai/done")
    response = client.get("/me/data.json")
    data = response.get_json()
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert data["account"]["phone"] == "+84912345678"
    assert data["lessons_done"][0]["lesson"] == "what-is-ai"


def test_deleting_the_account_removes_the_person_and_their_records(app, learners):
    client = learners.register(identifier="0912345678")
    client.post("/courses/ai-basics/what-is-ai/done")
    assert client.post("/me/delete", data={"password": "sai"}).status_code == 200
    assert client.post("/me/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        from lms.models import LessonProgress
        assert db.session.query(User).count() == 0
        assert db.session.query(LessonProgress).count() == 0
    assert learners.login(app.test_client(), "0912345678").status_code == 200


def test_rate_limits_are_shared_through_redis_when_configured(make_app, learners):
    import redis

    from tests.conftest import skip_or_fail

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    redis.Redis.from_url(url).flushdb()
    # Two apps stand for two workers: attempts on one count on the other.
    first, second = make_app(RATELIMIT_STORAGE_URI=url), make_app(RATELIMIT_STORAGE_URI=url)
    tries = [(first if n % 2 else second).test_client().post(
        "/login", data={"identifier": "0912345678", "password": f"đoán {n}"}).status_code
        for n in range(6)]
    assert tries == [200] * 5 + [429]
    redis.Redis.from_url(url).flushdb()


def test_repeated_sign_ups_for_one_number_are_slowed(client, learners):
    learners.register(identifier="0912345678")
    statuses = [client.post("/register", data={
        "identifier": "0912.345.678", "full_name": "Ai Đó", "password": "một câu dễ nhớ",
        "org_unit": learners.unit_id()}).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429  # the first try was the sign-up
