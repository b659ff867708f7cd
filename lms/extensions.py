"""Flask extensions, created unbound here and bound to an app by create_app()."""
from flask import has_request_context
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from flask_wtf import CSRFProtect

from lms.models.base import Base


class Session(FlaskSQLAlchemySession):
    """In a web request, what was loaded stays loaded after a commit: a request renders its
    page right after committing, and reloading the signed-in person and each object it shows
    (expire_on_commit's default) cost a page one query each. Outside a request (commands,
    which loop over commits and must see what others committed between them), SQLAlchemy's
    default stands."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.expire_on_commit = not has_request_context()


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
# Storage comes from RATELIMIT_STORAGE_URI: memory for one process, Redis for several.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# Rendered public pages. Per process on purpose: they derive from the immutable catalog,
# so no worker ever needs another's copy.
cache = Cache()
