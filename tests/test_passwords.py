"""Passwords per OWASP ASVS 5.0 V6.2: length, a block list, normalisation, uniform timing."""
import statistics
import time
import unicodedata

import pytest
from sqlalchemy import select

from lms.extensions import db
from lms.models import User
from lms.services import passwords
from lms.services.passwords import HASHER, PasswordRefused, check_new, common_passwords
from tests.conftest import PASSWORD

# Passwords people really choose, from breach lists and Vietnamese offices.
WEAK = ["P@ssw0rd", "123123123", "Abc@1234", "Matkhau@123", "Admin@123", "Qwerty@123",
        "1qaz2wsx", "iloveyou", "anhyeuem", "11111111", "Password1", "Zaq12wsx", "12345678",
        "abcd1234", "Aa123456", "Vietnam@2024", "Hanoi123", "Abcd@123", "Matkhau123",
        "qwertyuiop", "Password@2025", "Anhyeuem123", "98765432", "abcdefgh", "abcabcabc",
        "emyeuanh", "P a s s w o r d"]


def test_the_shipped_block_list_holds_at_least_10000_passwords():
    assert len(common_passwords()) >= 10_000


@pytest.mark.parametrize("password", WEAK)
def test_well_known_weak_passwords_are_refused(password):
    with pytest.raises(PasswordRefused):
        check_new(password)


@pytest.mark.parametrize("password", ["một câu dễ nhớ", "con mèo ngủ trên mái nhà",
                                      "correct horse battery", "Tr4ngXanh#hoa",
                                      "🌾 lúa chín vàng đồng 🌾", "x" * 40 + " dài lắm"])
def test_passphrases_and_any_unicode_are_welcome_without_composition_rules(password):
    check_new(password)


def test_a_password_holding_the_persons_phone_or_email_is_refused():
    with pytest.raises(PasswordRefused, match="contains-phone"):
        check_new("số tôi 0912 345 678", phone="+84912345678")
    with pytest.raises(PasswordRefused, match="contains-email"):
        check_new("dungnguyen rất vui", email="dungnguyen@example.vn")


def test_length_is_counted_after_normalisation():
    # Eight composed letters, typed as sixteen code points, are still eight characters.
    decomposed = unicodedata.normalize("NFD", "ấấấấbcdđ")
    assert len(decomposed) > 8
    assert passwords.normalised(decomposed) == unicodedata.normalize("NFC", "ấấấấbcdđ")
    with pytest.raises(PasswordRefused, match="too-long"):
        check_new("ạ" * 129)


def test_sign_up_explains_a_refused_password_in_plain_words(client, learners):
    client.get("/language/en")
    page = client.post("/register", data={"identifier": "0912345678", "full_name": "An",
                                          "password": "P@ssw0rd", "org_unit": learners.unit_id()})
    assert "on the lists that attackers try first" in page.get_data(as_text=True)
    page = client.post("/register", data={"identifier": "0912345678", "full_name": "An",
                                          "password": "0912345678abc",
                                          "org_unit": learners.unit_id()})
    assert "must not contain your phone number" in page.get_data(as_text=True)
    with client.application.app_context():
        assert db.session.query(User).count() == 0


def test_a_decomposed_vietnamese_passphrase_signs_in(app, learners):
    composed = unicodedata.normalize("NFC", "mùa thu Hà Nội đẹp")
    learners.register(identifier="0912345678", password=composed)
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert learners.login(app.test_client(), "0912345678", decomposed).status_code == 302


def test_a_hash_made_before_normalisation_keeps_working_and_is_upgraded(app, learners):
    learners.register(identifier="0912345678")
    decomposed = unicodedata.normalize("NFD", "mùa thu Hà Nội đẹp")
    with app.app_context():  # as stored before this change: the raw text, hashed
        user = db.session.scalar(select(User))
        user.password_hash = HASHER.hash(decomposed)
        db.session.commit()
    assert learners.login(app.test_client(), "0912345678", decomposed).status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(User)).password_hash
        assert HASHER.verify(stored, passwords.normalised(decomposed))
    ascii_user = "0987654321"
    learners.register(identifier=ascii_user, password="plain ascii words")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.phone == "+84987654321"))
        user.password_hash = HASHER.hash("plain ascii words")
        db.session.commit()
    assert learners.login(app.test_client(), ascii_user, "plain ascii words").status_code == 302


@pytest.mark.parametrize("raw", ["０９１２３４５６７８", "٠٩١٢٣٤٥٦٧٨", "0912３45678"])
def test_phone_numbers_with_non_ascii_digits_are_refused(client, learners, raw):
    client.get("/language/en")
    page = client.post("/register", data={"identifier": raw, "full_name": "An",
                                          "password": PASSWORD, "org_unit": learners.unit_id()})
    assert page.status_code == 200
    assert "Enter a Vietnamese mobile number" in page.get_data(as_text=True)


def _median_ms(client, identifier, runs=7):
    times = []
    for n in range(runs):
        start = time.perf_counter()
        client.post("/login", data={"identifier": identifier, "password": f"sai rồi nhé {n}"})
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_sign_in_takes_as_long_for_a_not_yet_activated_account(make_app, learners):
    app = make_app(RATELIMIT_ENABLED=False)
    learners.app = app
    learners.register(identifier="0912345678")
    with app.app_context():  # an imported civil servant who has not activated yet
        db.session.add(User(full_name="Chưa kích hoạt", phone="+84987654321", password_hash="!",
                            session_token="t"))
        db.session.commit()
    client = app.test_client()
    _median_ms(client, "0900000000", runs=2)  # warm up
    imported = _median_ms(client, "0987654321")
    real = _median_ms(client, "0912345678")
    unknown = _median_ms(client, "0933333333")
    print(f"sign-in median: imported {imported:.1f} ms, real {real:.1f} ms, "
          f"unknown {unknown:.1f} ms")
    assert imported > 0.6 * real and unknown > 0.6 * real
