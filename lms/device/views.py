"""Choosing the text size and the quiz layout on this device; the web app's manifest and its
service worker, served from the site's root so it may look after every page."""
from __future__ import annotations

import json

from flask import (Blueprint, abort, current_app, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _

from lms.device import (QUIZ_LAYOUT_COOKIE, QUIZ_LAYOUTS, REMEMBERED_FOR, TEXT_SIZE_COOKIE,
                        TEXT_SIZES, text_size)
from lms.i18n import select_language
from lms.redirects import safe_next

bp = Blueprint("device", __name__)


def remembered(name: str, value: str):
    response = redirect(safe_next(request.args.get("next"), url_for("learn.index")))
    response.set_cookie(name, value, max_age=REMEMBERED_FOR, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.get("/text-size/<change>")
def change_text_size(change: str):
    """A link, not a form: it changes nothing but how this device shows pages."""
    if change not in ("smaller", "larger"):
        abort(404)
    step = TEXT_SIZES.index(text_size()) + (1 if change == "larger" else -1)
    return remembered(TEXT_SIZE_COOKIE, str(TEXT_SIZES[max(0, min(step, len(TEXT_SIZES) - 1))]))


@bp.get("/quiz-layout/<layout>")
def choose_quiz_layout(layout: str):
    if layout not in QUIZ_LAYOUTS:
        abort(404)
    return remembered(QUIZ_LAYOUT_COOKIE, layout)


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone needs to install the site as an app: name, colours, icons, where it opens."""
    return current_app.response_class(json.dumps({
        "name": _("Digital skills for everyone"), "short_name": _("Digital skills"),
        "lang": select_language(), "start_url": url_for("learn.index"), "scope": "/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#0a58a6",
        "icons": [{"src": url_for("static", filename="icon.svg"), "sizes": "any",
                   "type": "image/svg+xml"},
                  *({"src": url_for("static", filename=f"icon-{size}.png"),
                     "sizes": f"{size}x{size}", "type": "image/png"} for size in (192, 512))],
    }, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the root so its scope is the whole site. Always revalidated:
    a fixed worker must reach every phone at its next visit."""
    response = send_from_directory(current_app.static_folder, "sw.js", max_age=0,
                                   mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
def offline():
    """Shown by the service worker for a page not saved on this device, when there is no network."""
    return render_template("device/offline.html")
