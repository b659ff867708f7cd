"""Administration pages for trainers and administrators."""
from flask import Blueprint, render_template

from lms.auth.access import role_required
from lms.catalog import current_catalog

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/content/")
@role_required("trainer", "admin")
def content_problems():
    return render_template("admin/content.html", catalog=current_catalog())
