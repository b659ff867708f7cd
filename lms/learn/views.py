"""The catalog and course content as learners browse it."""
from flask import Blueprint, abort, render_template, send_from_directory

from lms.catalog import current_catalog

bp = Blueprint("learn", __name__)


@bp.get("/")
def index():
    return render_template("learn/index.html", courses=current_catalog().courses)


@bp.get("/courses/<slug>/files/<path:filename>")
def course_file(slug: str, filename: str):
    course = current_catalog().course(slug)
    # Only files a lesson actually references are served, never the Markdown sources.
    if course is None or filename not in course.assets:
        abort(404)
    return send_from_directory(course.directory, filename, max_age=7 * 24 * 3600)
