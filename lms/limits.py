"""Rate limits on guessing: what each guarded form is keyed on, how fast it may be tried,
and whether the counts are shared by every worker.

Sign-in, activation and codes are keyed on the address and the account together (and on
the address alone), never on the account alone: someone who knows only a phone number can
slow themselves down, not lock its owner out. Each rate is a ladder of windows, so the wait
grows with the attempts (a few a minute, then fewer an hour, then a day) instead of a block.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from lms.extensions import limiter
from lms.services import accounts

# Per address and account. Generous enough for a person who mistypes, hopeless for a guesser:
# 100 passwords a day against the block list, 30 codes a day against 10^8 activation codes.
SIGN_IN = "5 per minute;20 per hour;100 per day"
CODE_ENTRY = "5 per minute;15 per hour;30 per day"
SIGN_UP = "5 per minute;10 per hour"
# Asking for a code to be sent costs an SMS: few per account and address, fewer per hour.
CODE_REQUEST = "3 per 10 minutes;6 per day"
# Per address alone: a community digital point signs many people in from one connection.
PER_ADDRESS = "60 per minute"
SIGN_UP_PER_ADDRESS = "30 per hour"
CODE_REQUEST_PER_ADDRESS = "20 per hour"
# Re-authentication of a signed-in person (password change, deletion): per account is safe
# here, since only the person's own session can reach these forms.
REAUTHENTICATION = "5 per minute;20 per hour"


def address() -> str:
    return get_remote_address()


def address_and_account() -> str:
    """The address and the account being tried, whatever way its number is written."""
    raw = request.form.get("identifier", "")
    try:
        account = accounts.parse_identifier(raw).value
    except accounts.AccountError:
        account = raw.strip().lower()[:254]
    return f"{address()}|account:{account}"


def address_and_card() -> str:
    """The address and the learner card being tried (its digits, however they were typed)."""
    digits = "".join(ch for ch in request.form.get("number", "") if ch.isdigit())[:20]
    return f"{address()}|card:{digits}"


def failed(response) -> bool:
    """Only a refused attempt counts: a form shown again, not a redirect onwards."""
    return response.status_code != 302


def signed_in_person() -> str:
    return f"person:{current_user.get_id()}" if current_user.is_authenticated else address()


def storage_state() -> str:
    """ "shared" (Redis answers), "per-process" (memory, by configuration) or "unreachable"
    (Redis is configured but down: each worker counts on its own until it is back)."""
    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if uri.startswith("memory://"):
        return "per-process"
    if getattr(limiter, "_storage_dead", False):
        return "unreachable"
    try:
        return "shared" if limiter.storage.check() else "unreachable"
    except Exception:  # noqa: BLE001 - any storage failure means the same to an operator
        return "unreachable"


def init_app(app: Flask) -> None:
    # With Redis down, keep serving with limits counted in each worker's memory (and log
    # it) rather than answer 500 to everyone trying to sign in.
    # One limiter object serves every app this process builds: say each setting explicitly,
    # or one app's choice (a test turning limits off) would carry over to the next.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                          {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    limiter.init_app(app)
    # The limiter is one object for every app this process builds; a new app starts afresh.
    limiter._storage_dead = False
    if app.config.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://"):
        app.logger.warning(
            "Rate limits are counted per process (LMS_REDIS_URL is not set): with several "
            "workers each one allows the full rate, so sign-in guessing limits are multiplied "
            "by the number of workers. Set LMS_REDIS_URL in production.")
