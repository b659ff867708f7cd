"""Response headers that every page carries, and signing a device in and out."""
from __future__ import annotations

from flask import Flask, Response, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user

from lms.extensions import db, limiter, login_manager
from lms.models import User
from lms.services import clock, sessions

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
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


def add_security_headers(response: Response) -> Response:
    response.headers.extend(SECURITY_HEADERS)  # no view sets these itself
    return response


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
    user.device_token = sessions.start(db.session, user, clock.now(),
                                       request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)


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
    app.after_request(add_security_headers)
    app.session_interface = SessionInterface()
