"""Error pages in the learner's language, never a bare server message."""
from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, SecurityError


def render_error(error: HTTPException):
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        return "400 Bad Request: unknown host name", 400, {"Content-Type": "text/plain"}
    headers = {}
    if error.code == 429:  # tell the browser (and the person) how long to wait
        retry_after = getattr(error, "retry_after", None) or 60
        headers["Retry-After"] = str(retry_after)
    return render_template("errors/error.html", error=error), error.code, headers


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 409, 413, 429, 500):
        app.register_error_handler(code, render_error)
