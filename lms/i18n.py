"""Interface languages (Vietnamese first, English second) and how dates are written in them.

Every date a person sees is Vietnam's date, written by Babel in the page's language: the
`day` and `moment` template filters here, and format_day for PDFs and exports.
"""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import DateTimePattern, format_skeleton, match_skeleton, parse_pattern
from flask import Flask, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations, gettext
from jinja2 import pass_context

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
    locale, pattern = _day_pattern(str(_locale_for(language)), style)
    return pattern.apply(value, locale)


@lru_cache(maxsize=None)
def _day_pattern(locale: str, style: str) -> tuple[Locale, DateTimePattern]:
    """Babel's pattern for a day in `locale`, found once: matching the skeleton costs
    ten times more than applying it, and pages list many dates."""
    found = Locale.parse(locale)
    if style == "long":
        return found, parse_pattern(found.date_formats["long"].pattern)
    skeleton = match_skeleton("yMd", found.datetime_skeletons) or "yMd"
    return found, parse_pattern(found.datetime_skeletons[skeleton].pattern)


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


# A page's translations, found once per rendering (a context processor) instead of once per
# string: Flask-Babel looks them up again for each of the page's fifty or so texts.
TRANSLATIONS_VARIABLE = "lms_translations"


def _page_translations():
    return {TRANSLATIONS_VARIABLE: get_translations()}


def _translations(context):
    # A template rendered without Flask's render_template (or a macro imported without
    # context) has no variable: it asks Flask-Babel, as every string did before.
    return context.get(TRANSLATIONS_VARIABLE) or get_translations()


@pass_context
def _gettext(context, string):
    return _translations(context).ugettext(string)


@pass_context
def _ngettext(context, singular, plural, number):
    return _translations(context).ungettext(singular, plural, number)


@pass_context
def _pgettext(context, where, string):
    return _translations(context).upgettext(where, string)


@pass_context
def _npgettext(context, where, singular, plural, number):
    return _translations(context).unpgettext(where, singular, plural, number)


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_babel_locale, default_timezone="Asia/Ho_Chi_Minh",
          default_translation_directories=str(Path(__file__).parent / "translations"))
    app.context_processor(_page_translations)
    app.jinja_env.install_gettext_callables(gettext=_gettext, ngettext=_ngettext, newstyle=True,
                                            pgettext=_pgettext, npgettext=_npgettext)
    app.jinja_env.globals["current_language"] = select_language
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["time_of_day"] = format_time_of_day
    app.jinja_env.filters["worded"] = worded
