"""Response headers every page carries (caching included), requests refused at the door, and
signing a device in and out."""
from __future__ import annotations

from flask import Flask, Response, abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user

from lms.extensions import db, limiter, login_manager
from lms.models import User
from lms.services import accounts, clock, sessions
from lms.support import shared_device

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
)
# Production is served over HTTPS only (its cookies are Secure): browsers are told to never
# try plain HTTP for a year, so a first request on a café's Wi-Fi cannot be downgraded.
STRICT_TRANSPORT_SECURITY = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")

# Every page of these areas is about someone (sign-in forms, a person's own pages, staff
# tools), signed in or not; other pages are personal once someone is signed in.
PERSONAL_BLUEPRINTS = frozenset({"auth", "me", "quiz", "certificates", "admin", "staff",
                                 "reports", "support"})
# The same bytes for everyone, signed in or not: these keep their long cache lifetimes.
SHARED_FILES = frozenset({"static", "learn.course_file", "learn.audio_file"})


def add_security_headers(response: Response) -> Response:
    for name, value in current_app.extensions["lms.security_headers"]:
        # A view may set a stricter one of its own (course images carry a sandbox policy).
        if name not in response.headers:
            response.headers[name] = value
    if is_personal():
        response.headers["Cache-Control"] = "no-store"  # no shared or back-button copy
    return response


def is_personal() -> bool:
    """The one rule for which responses no cache may keep.

    Decided from the session and cookies, without loading the user: a stale sign-in only
    makes a page uncached, never the reverse. The public verification pages (blueprint
    "certificates") count too: they name a holder, and a revocation must show at once.
    """
    if request.endpoint in SHARED_FILES:
        return False
    return (request.blueprint in PERSONAL_BLUEPRINTS or "_user_id" in session
            or current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies)


# The bodies Werkzeug parses into request.form; any other is not a form.
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def refuse_nul_characters() -> None:
    """No text here contains NUL, and PostgreSQL refuses it in a query (a 500): refuse it
    at the door, for every address, query and form, as a bad request."""
    # (A multipart part may come with no name at all: None.) Only a form body has a form:
    # reading request.form of every GET would parse an empty one each time.
    sources = (request.args, request.form) if request.mimetype in FORM_TYPES else (request.args,)
    if "\0" in request.path or any("\0" in f"{key}{value}" for source in sources
                                   for key, value in source.items(multi=True)):
        abort(400)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once instead of per request."""

    def get_signing_serializer(self, app: Flask):
        signer = app.extensions.get("lms.session_signer")
        if signer is None:
            signer = app.extensions["lms.session_signer"] = super().get_signing_serializer(app)
        return signer


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Session ids are "<user id>:<device token>"; a device signed out has no row any more."""
    user_id, _, token = session_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and token) or len(user_id) > 12:
        return None
    user = sessions.find(db.session, int(user_id), token, clock.now())
    if user is not None:
        user.device_token = token
    return user


def sign_in(user: User, remember: bool = False) -> None:
    """Signs `user` in on this device under a new identifier: whatever the session held
    before (but the language) is dropped, so no one can plant a session and then use it."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
        accounts.remember_language(user, language)
    # A support point's shared device remembers no one, and signs its person out when idle.
    shared = shared_device.current() is not None
    user.device_token = sessions.start(
        db.session, user, clock.now(), request.user_agent.string,
        lasts=shared_device.idle_limit() if shared else sessions.LASTS)
    db.session.commit()
    login_user(user, remember=remember and not shared)


def sign_out() -> None:
    """Signs this device out; the person's other devices stay signed in."""
    if current_user.is_authenticated and current_user.device_token:
        sessions.end(db.session, current_user.device_token)
        db.session.commit()
    logout_user()


@limiter.request_filter
def _public_reading() -> bool:
    """Reading lessons and static files has no limit: skip the limiter's per-request work."""
    return request.blueprint == "learn" or request.endpoint == "static"


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the sign-in page explains itself
    app.extensions["lms.security_headers"] = SECURITY_HEADERS + (
        (STRICT_TRANSPORT_SECURITY,) if app.config["LMS_ENV"] == "production" else ())
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    app.session_interface = SessionInterface()
