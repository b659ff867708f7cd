"""A shared device at a support point: which point it serves (a signed cookie a helper sets),
and its rules: nothing remembered, a few minutes idle signs the person out, "Xong" ends the
session and the next person starts clean. lms/security.py asks this module at each sign-in."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "lms_shared_device"
# The cookie outlives browser restarts: the device stays a shared one until a helper stops it.
COOKIE_DAYS = 365


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="lms.shared-device")


def current() -> dict | None:
    """{"point": id, "helper": id} when this browser is a support point's shared device."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, dict) and {"point", "helper"} <= value.keys() else None


def assisting_helper() -> int | None:
    """The helper whose point's shared device this is, when someone else is learning on it:
    what they do there is recorded as assisted."""
    device = current()
    if device is None or not current_user.is_authenticated or current_user.id == device[
            "helper"]:
        return None
    return device["helper"]


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["LMS_SHARED_DEVICE_IDLE_MINUTES"])


def mark(response: Response, point_id: int, helper_id: int) -> Response:
    response.set_cookie(COOKIE, _serializer().dumps({"point": point_id, "helper": helper_id}),
                        max_age=COOKIE_DAYS * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def unmark(response: Response) -> Response:
    response.delete_cookie(COOKIE, httponly=True, samesite="Lax",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def forget_saved_copies(response: Response) -> Response:
    """When a person's session on the device ends (Xong, or idle): the browser forgets what
    they saved for offline use and what waits to be sent (the service worker's caches, local
    storage), so none of it stays for the next person; the device's own cookie stays."""
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response
