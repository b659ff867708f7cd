"""Access rules as decorators, so views stay short and the rule is visible at the top."""
from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from lms.services.audit import Actor


def role_required(*roles: str):
    """Signed in, and holding one of `roles`; others get 403 (not 404: they may ask for access)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def current_actor() -> Actor:
    """The signed-in person and their address, for the audit trail."""
    return Actor.of(current_user, request.remote_addr)
