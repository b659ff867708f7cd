"""A bare Flask app with one route returning "hello": the baseline for lesson_throughput.py.

    gunicorn -w 2 --chdir benchmarks hello_app:app

And, in an app of their own (`hello_app:floors`, so that "hello" stays bare: Flask-SQLAlchemy's
per-request teardown alone makes it half as costly again), the floors of lms's pages on this
stack: the least each kind of page must do, with nothing of lms's own. `/floor/page` returns a stored page the size of a
lesson's (the anonymous lesson's floor); `/floor/session` first reads Flask's signed session
cookie; `/floor/session-query` also makes the one indexed query a signed-in request cannot
do without (is this device still signed in?) through Flask-SQLAlchemy on PostgreSQL
(LMS_DATABASE_URL, as lms is configured: a pooled connection checked with pool_pre_ping);
`/floor/session-redis` asks Redis (LMS_REDIS_URL) instead, as a sign-in kept in Redis would.
`/floor/sign-in` hands out the session cookie they read.
"""
import os

from flask import Flask, session
from flask_sqlalchemy import SQLAlchemy
import redis
from sqlalchemy import text

app = Flask(__name__)

floors = Flask(f"{__name__}.floors")
floors.config.update(
    SECRET_KEY="bench",
    SQLALCHEMY_DATABASE_URI=os.environ.get("LMS_DATABASE_URL", "sqlite://").replace(
        "postgresql://", "postgresql+psycopg://", 1),
    SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True})
db = SQLAlchemy(floors)
store = redis.Redis.from_url(os.environ.get("LMS_REDIS_URL") or "redis://127.0.0.1:6379/0")
PAGE = "<!doctype html><p>" + "x" * 8700  # a lesson page's size
SIGNED_IN = text("SELECT expires_at FROM device_sessions WHERE token_hash = :token_hash")


@app.get("/")
def hello():
    return "hello"


@floors.get("/floor/sign-in")
def floor_sign_in():
    session["_user_id"] = "1:" + "t" * 43  # the shape of lms's session id
    return "signed in"


@floors.get("/floor/page")
def floor_page():
    return PAGE


@floors.get("/floor/session")
def floor_session():
    return PAGE if "_user_id" in session else ("no session", 403)


@floors.get("/floor/session-query")
def floor_session_query():
    if "_user_id" not in session:
        return "no session", 403
    db.session.execute(SIGNED_IN, {"token_hash": "0" * 64}).first()
    return PAGE


@floors.get("/floor/session-redis")
def floor_session_redis():
    if "_user_id" not in session:
        return "no session", 403
    store.get("lms-floor-signed-in")
    return PAGE
