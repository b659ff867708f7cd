"""Administration pages for trainers and administrators."""
from flask import Blueprint, render_template

from lms.auth.access import role_required
from lms.catalog import current_catalog
from lms.extensions import db
from lms.services.quiz_stats import RECENT_ATTEMPTS, question_statistics

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/content/")
@role_required("trainer", "admin")
def content_problems():
    return render_template("admin/content.html", catalog=current_catalog())


@bp.get("/questions/")
@role_required("trainer", "admin")
def question_stats():
    courses = [course for course in current_catalog().courses if course.quiz]
    return render_template("admin/questions.html", recent=RECENT_ATTEMPTS,
                           stats=[(course, question_statistics(db.session, course))
                                  for course in courses])
