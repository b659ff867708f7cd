"""Interface languages: Vietnamese first, English second."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, request, session
from flask_babel import Babel

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def select_language() -> str:
    chosen = session.get("lang") or request.args.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_language,
          default_translation_directories=str(Path(__file__).parent / "translations"))
    app.jinja_env.globals["current_language"] = select_language
