"""Limits that protect without locking out, and that keep serving when Redis is down."""
import logging

import pytest
import redis

from tests.conftest import PASSWORD, skip_or_fail

REDIS_URL = "redis://127.0.0.1:6379/13"
# Nothing listens on port 1: a Redis that has gone away.
DEAD_REDIS_URL = "redis://127.0.0.1:1/13"


def wrong_sign_ins(client, identifier, count):
    return [client.post("/login", data={"identifier": identifier,
                                        "password": f"đoán thử {n}"}).status_code
            for n in range(count)]


def test_with_redis_unreachable_sign_in_keeps_working_with_per_process_limits(make_app, learners,
                                                                           caplog):
    app = make_app(RATELIMIT_STORAGE_URI=DEAD_REDIS_URL)
    learners.app = app
    caplog.set_level(logging.WARNING)
    learners.register(identifier="0912345678")  # sign-up works too
    client = app.test_client()
    assert learners.login(client, "0912345678").status_code == 302
    assert wrong_sign_ins(app.test_client(), "0912345678", 6) == [200] * 5 + [429]
    assert "Rate limit storage unreachable" in caplog.text
    health = app.test_client().get("/healthz")
    assert health.status_code == 200  # keep serving: the load balancer reads the code
    assert health.get_json() == {"status": "degraded", "database": "ok",
                                 "rate_limits": "unreachable"}


def test_activation_keeps_working_with_redis_unreachable(make_app):
    app = make_app(RATELIMIT_STORAGE_URI=DEAD_REDIS_URL)
    response = app.test_client().post("/activate", data={
        "identifier": "0912345678", "code": "12345678", "password": PASSWORD})
    assert response.status_code == 200


def test_healthz_says_shared_when_redis_answers(make_app):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        skip_or_fail("Redis is not running on 127.0.0.1:6379")
    app = make_app(RATELIMIT_STORAGE_URI=REDIS_URL)
    assert app.test_client().get("/healthz").get_json()["rate_limits"] == "shared"
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_per_process_limits_are_logged_at_start_and_degraded_in_production(make_app, caplog):
    caplog.set_level(logging.WARNING)
    app = make_app(LMS_ENV="production")
    assert "Rate limits are counted per process" in caplog.text
    assert app.test_client().get("/healthz").get_json()["status"] == "degraded"


@pytest.mark.parametrize("url, data", [
    ("/me/settings/password", {"password-current_password": "sai rồi", "password-password":
                               "một câu mới dễ nhớ"}),
    ("/me/delete", {"password": "sai rồi"})])
def test_re_authentication_is_limited(app, learners, url, data):
    client = learners.register(identifier="0912345678")
    statuses = [client.post(url, data=data).status_code for _ in range(6)]
    assert statuses[-1] == 429 and 429 not in statuses[:5]
