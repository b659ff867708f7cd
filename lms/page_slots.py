"""Each person's own values in a page: templates write slots for the form token and for who is
signed in, and every HTML response gets this request's values put in as it is sent; and the
parts of the page's frame (base.html) rendered once per process for everyone who sees them
the same.

So a page or part rendered once and shared by everyone in the same state (lms/learn/views.py,
shared_part) never carries the form token or the account of the person it was first
rendered for.
"""
from __future__ import annotations

import json
import secrets

from flask import Flask, Response, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from markupsafe import Markup

from lms.device import text_size
from lms.extensions import cache
from lms.i18n import select_language

# Random per process, so no content can contain them.
FORM_TOKEN_SLOT = f"form-token-{secrets.token_hex(16)}"
SIGNED_IN_SLOT = f"signed-in-{secrets.token_hex(16)}"
# The signed-in person's id goes into the page's JSON (base.html's script texts) as a string,
# quoted; what replaces it is a JSON number, or null.
_TOKEN = FORM_TOKEN_SLOT.encode()
_SIGNED_IN = json.dumps(SIGNED_IN_SLOT).encode()


def fill_slots(response: Response) -> Response:
    """Puts this request's form token and signed-in person into an HTML page's slots."""
    if response.is_streamed or response.direct_passthrough or response.mimetype != "text/html":
        return response
    body = response.get_data()
    filled = body
    if _TOKEN in filled:
        filled = filled.replace(_TOKEN, generate_csrf().encode())
    if _SIGNED_IN in filled:
        who = current_user.id if current_user.is_authenticated else None
        filled = filled.replace(_SIGNED_IN, json.dumps(who).encode())
    if filled is not body:
        response.set_data(filled)
    return response


@pass_context
def shared_part(context, name: str, caller) -> Markup:
    """`{% call shared_part(name) %}...{% endcall %}`: the part as rendered for anyone else in
    the same language, text size, role (or signed out) and kind of device (a support point's
    shared one, or not). What the part shows must depend on nothing else but what its name
    says (e.g. "offline-save/<course>"): not on the page's address (a "next" link), its own
    blocks, nor the person but through slots."""
    key = request.environ.get(_PART_KEY)
    if key is None:
        role = current_user.role if current_user.is_authenticated else "-"
        device = "shared" if context.get("shared_device") else "own"
        key = request.environ[_PART_KEY] = (
            f"part/{select_language()}/{text_size()}/{role}/{device}/{request.script_root}")
    part = cache.get(f"{key}/{name}")
    if part is None:
        part = str(caller())
        cache.set(f"{key}/{name}", part)
    return Markup(part)


_PART_KEY = "lms.shared_part_key"  # what this request's parts are shared by, found once
_TEMPLATE_GLOBALS = {"csrf_token": lambda: FORM_TOKEN_SLOT,
                     "signed_in_user": lambda: SIGNED_IN_SLOT, "shared_part": shared_part}


def init_app(app: Flask) -> None:
    # After CSRFProtect.init_app, whose csrf_token() this replaces in templates. (A form's own
    # hidden field, form.csrf_token, still writes the real token: forms are never shared.)
    app.jinja_env.globals.update(_TEMPLATE_GLOBALS)
    app.context_processor(lambda: _TEMPLATE_GLOBALS)  # Flask-WTF puts its csrf_token() here too
    # After Flask-Compress's hook, so that this one runs before it (the last added runs first).
    app.after_request(fill_slots)
