"""Sessions: one per device, a new identifier at each sign-in, "remember me" for 30 days."""
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from tests.conftest import PASSWORD


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_remember_me_lasts_at_most_30_days(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    response = client.post("/login", data={"identifier": "0912345678", "password": PASSWORD,
                                           "remember": "y"})
    cookie = next(value for value in response.headers.getlist("Set-Cookie")
                  if value.startswith("remember_token="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - datetime.now(timezone.utc) <= timedelta(days=30, minutes=1)


def test_a_remembered_device_signed_out_elsewhere_stays_out(app, learners):
    this_phone = learners.register(identifier="0912345678")
    lost_phone = app.test_client()
    lost_phone.post("/login", data={"identifier": "0912345678", "password": PASSWORD,
                                    "remember": "y"})
    remembered = lost_phone.get_cookie("remember_token").value
    this_phone.post("/me/settings/sign-out-others")
    thief = app.test_client()  # a new browser session holding only the remember cookie
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/me/").status_code == 302


def test_sign_out_my_other_devices_keeps_this_one(app, learners):
    this_phone = learners.register(identifier="0912345678")
    others = [app.test_client() for _ in range(2)]
    for other in others:
        learners.login(other, "0912345678")
    this_phone.get("/language/en")
    assert "signed in on 3 devices" in this_phone.get("/me/settings").get_data(as_text=True)
    response = this_phone.post("/me/settings/sign-out-others", follow_redirects=True)
    assert "Signed out on 2 other devices." in response.get_data(as_text=True)
    assert this_phone.get("/me/").status_code == 200
    assert [other.get("/me/").status_code for other in others] == [302, 302]


def test_each_sign_in_gets_a_new_session_identifier(app, learners):
    learners.register(identifier="0912345678")
    client = app.test_client()
    client.get("/language/en")  # a session exists before signing in
    before = session_cookie(client)
    learners.login(client, "0912345678")
    first = session_cookie(client)
    learners.login(client, "0912345678")
    assert len({before, first, session_cookie(client)}) == 3
    # The earlier signed-in cookie, replayed, is no longer signed in.
    replay = app.test_client()
    replay.set_cookie("session", first)
    assert replay.get("/me/").status_code == 200  # still a device of its own until signed out
    client.post("/logout")
    assert replay.get("/me/").status_code == 200
    replay.post("/logout")
    again = app.test_client()
    again.set_cookie("session", first)
    assert again.get("/me/").status_code == 302


def test_a_password_change_rotates_this_devices_session(app, learners):
    client = learners.register(identifier="0912345678")
    before = session_cookie(client)
    client.post("/me/settings/password", data={"password-current_password": PASSWORD,
                                               "password-password": "một câu mới dễ nhớ"})
    assert session_cookie(client) != before and client.get("/me/").status_code == 200
    stale = app.test_client()
    stale.set_cookie("session", before)
    assert stale.get("/me/").status_code == 302


def test_a_forged_session_id_signs_no_one_in(app, learners):
    learners.register(identifier="0912345678")
    with app.test_request_context():
        from flask import session as flask_session

        from lms.security import load_user
        for forged in ("1:", "1:t", "１:x", "x:y", "99999999999999:abc"):
            assert load_user(forged) is None, forged
        assert not flask_session
