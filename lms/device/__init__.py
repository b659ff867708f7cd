"""How this device shows pages: the text size and one quiz question per screen, remembered in
cookies (no account needed, and it works with JavaScript off); and the installable, offline app.
"""
from __future__ import annotations

from flask import Flask, has_request_context, request

# Text size steps, as a percentage of the browser's own size (which the person may have set).
TEXT_SIZES = (100, 125, 150, 175, 200)
TEXT_SIZE_COOKIE = "text_size"
QUIZ_LAYOUTS = ("paged", "all")  # one question per screen is the default: phones first
QUIZ_LAYOUT_COOKIE = "quiz_layout"
REMEMBERED_FOR = 400 * 24 * 3600  # the longest lifetime browsers keep


def text_size() -> int:
    chosen = request.cookies.get(TEXT_SIZE_COOKIE, "") if has_request_context() else ""
    return int(chosen) if chosen.isascii() and chosen.isdigit() and int(chosen) in TEXT_SIZES \
        else TEXT_SIZES[0]


def quiz_layout() -> str:
    chosen = request.cookies.get(QUIZ_LAYOUT_COOKIE)
    return chosen if chosen in QUIZ_LAYOUTS else QUIZ_LAYOUTS[0]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(text_size=text_size, TEXT_SIZES=TEXT_SIZES)
