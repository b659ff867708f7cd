"""Interface languages (Vietnamese first, English second) and how dates are written in them.

Every date a person sees is Vietnam's date, written by Babel in the page's language: the
`day` and `moment` template filters here, and format_day for PDFs and exports.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_skeleton
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, gettext

from lms.services.clock import VIETNAM, aware, vietnam_date

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
# Babel's locale for each language: English dates day first (1 December 2026, 01/12/2026), as
# they are written in Vietnam, not the American month first.
BABEL_LOCALES = {"vi": "vi", "en": "en_GB"}


def select_language() -> str:
    if not has_request_context():  # commands, jobs
        return DEFAULT_LANGUAGE
    chosen = session.get("lang") or request.args.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def _babel_locale() -> str:
    return BABEL_LOCALES[select_language()]


def _locale_for(language: str | None):
    return BABEL_LOCALES[language] if language else (get_locale() or DEFAULT_LANGUAGE)


def format_day(value: date | datetime | None, language: str | None = None,
               style: str = "numeric") -> str:
    """A day as people read it: "1/12/2026" (vi), "01/12/2026" (en); style "long" for
    certificates: "1 tháng 12, 2026", "1 December 2026". A stored moment counts in Vietnam."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = vietnam_date(value)
    locale = _locale_for(language)
    if style == "long":
        return format_date(value, "long", locale=locale)
    return format_skeleton("yMd", value, locale=locale)


def format_moment(value: datetime | None, language: str | None = None) -> str:
    """A stored moment as Vietnam's time and day: "6:30 1/12/2026"."""
    if value is None:
        return ""
    return f"{format_time_of_day(value, language)} {format_day(value, language)}"


def format_time_of_day(value: datetime, language: str | None = None) -> str:
    """A stored moment as Vietnam's time of day: "6:30"."""
    return format_skeleton("Hm", aware(value).astimezone(VIETNAM), locale=_locale_for(language))


def worded(message) -> str:
    """A message a service wrote once in English with its values (a content problem, say: see
    lms/wording.py), in the page's language."""
    return message.worded(gettext)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_babel_locale, default_timezone="Asia/Ho_Chi_Minh",
          default_translation_directories=str(Path(__file__).parent / "translations"))
    app.jinja_env.globals["current_language"] = select_language
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["time_of_day"] = format_time_of_day
    app.jinja_env.filters["worded"] = worded
