"""Response headers that every page carries, and the session loader that enforces sign-outs."""
from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface

from lms.extensions import db, limiter, login_manager
from lms.models import User

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
    for name, value in SECURITY_HEADERS:
        # A view may set a stricter one of its own (course images carry a sandbox policy).
        if name not in response.headers:
            response.headers[name] = value
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
    """Session ids are "<user id>:<session token>"; a rotated token signs the session out."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user and token and user.session_token == token else None


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
