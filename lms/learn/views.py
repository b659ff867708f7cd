"""The catalog and course content as learners browse it, and marking lessons done."""
from __future__ import annotations

import os
from pathlib import Path

from flask import (Blueprint, abort, current_app, redirect, render_template, request, send_file,
                   send_from_directory, session, url_for)
from flask_login import current_user, login_required

from lms.catalog import course_or_404, current_catalog, lesson_or_404
from lms.content.assets import ASSET_TYPES, open_asset
from lms.device import text_size
from lms.extensions import cache, db
from lms.i18n import LANGUAGES, select_language
from lms.issuing import after_issuing
from lms.services import clock, read_aloud, record
from lms.campaign import assignments, reminders
from lms.support import shared_device

bp = Blueprint("learn", __name__)
ASSET_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/")
def index():
    catalog = current_catalog()
    courses = catalog.courses
    mine = (record.course_records(db.session, current_user.id, courses, catalog)
            if current_user.is_authenticated else {})
    return render_template("learn/index.html", courses=courses, progress=mine)


@bp.get("/courses/<slug>/")
def course(slug: str):
    course, catalog = course_or_404(slug), current_catalog()
    mine, notices = None, []
    if current_user.is_authenticated:  # a personal page then (security.is_personal): no-store
        mine = record.course_record(db.session, current_user.id, course, catalog)
        notices = reminders.notices(assignments.for_learner(db.session, current_user, catalog,
                                                            clock.today()), course.slug)
    return render_template("learn/course.html", course=course, progress=mine, notices=notices,
                           withheld=course.slug in catalog.withheld)


def personal_page() -> bool:
    """Pages for a signed-in person, or carrying a one-off message, are never shared.

    Decided from the session and cookies alone, without loading the user: a stale sign-in
    only means a page is rendered instead of shared, never the reverse.
    """
    return ("_user_id" in session or "_flashes" in session
            or current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies)


def page_key() -> str:
    """What a shared lesson page differs by for everyone: the language, the text size, whether
    this is a support point's shared device (its Xong button), and the path alone (junk query
    strings must not each cost a copy)."""
    device = "shared" if shared_device.current() else "own"
    return f"page/{select_language()}/{text_size()}/{device}/{request.path}"


@bp.get("/courses/<slug>/<lesson_slug>/")
def lesson(slug: str, lesson_slug: str):
    # Learners read lesson after lesson: the page is rendered once per process for everyone
    # in the same state. (Explicit get/set: the cached() decorator inspects the view's
    # signature every call.) The path alone: junk query strings must not each cost a copy.
    if not personal_page():  # anonymous readers all get the same page for a language
        key = page_key()
        page = cache.get(key)
        if page is None:
            page = lesson_page(slug, lesson_slug)
            cache.set(key, page)
        return page
    if "_flashes" in session or request.query_string or not current_user.is_authenticated:
        return lesson_page(slug, lesson_slug)
    # Signed in, the page differs by the menu (the role) and whether the lesson is done; the
    # form token and the person's id, the personal parts, are slots (lms/page_slots.py).
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    done = record.lesson_done(db.session, current_user.id, course, lesson)
    key = f"{page_key()}/{current_user.role}/{done:d}"
    page = cache.get(key)
    if page is None:
        page = lesson_page(slug, lesson_slug, done=done)
        cache.set(key, page)
    return page


def lesson_page(slug: str, lesson_slug: str, done: bool | None = None) -> str:
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    index = course.lessons.index(lesson)
    if done is None:
        done = current_user.is_authenticated and record.lesson_done(
            db.session, current_user.id, course, lesson)
    return render_template(
        "learn/lesson.html", course=course, lesson=lesson, done=done,
        withheld=course.slug in current_catalog().withheld,
        previous=course.lessons[index - 1] if index > 0 else None,
        next=course.lessons[index + 1] if index + 1 < len(course.lessons) else None)


@bp.post("/courses/<slug>/<lesson_slug>/done")
@login_required
def mark_done(slug: str, lesson_slug: str):
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    # A mark queued on a device while offline carries its own key: sent again, it is done once.
    issued = record.mark_lesson_done(db.session, current_user, current_catalog(), course, lesson,
                                     clock.now(), assisted_by=shared_device.assisting_helper(),
                                     action_key=request.form.get("action", "")[:64] or None)
    db.session.commit()
    after_issuing(issued)
    following = record.course_record(db.session, current_user.id, course).next_lesson
    if following:
        return redirect(url_for("learn.lesson", slug=slug, lesson_slug=following.slug))
    if course.quiz:
        return redirect(url_for("quiz.take", slug=slug))
    return redirect(url_for("learn.course", slug=slug))


@bp.get("/courses/<slug>/files/<path:filename>")
def course_file(slug: str, filename: str):
    course = course_or_404(slug)
    # Only images a lesson actually references are served, never the Markdown sources; and
    # checked again as they are opened (no link followed, nothing outside the course folder).
    file = open_asset(course.directory, filename) if filename in course.assets else None
    if file is None:
        abort(404)
    info = os.fstat(file.fileno())
    response = send_file(file, mimetype=ASSET_TYPES[Path(filename).suffix.lower()],
                         max_age=7 * 24 * 3600, last_modified=info.st_mtime,
                         etag=f"{info.st_mtime_ns:x}-{info.st_size:x}")
    # An SVG may carry script: as a page of its own it runs none and reaches nothing.
    response.headers["Content-Security-Policy"] = ASSET_POLICY
    return response


@bp.get("/courses/<slug>/<lesson_slug>/audio.<language>.json")
def lesson_audio(slug: str, lesson_slug: str, language: str):
    """The recorded reading of a lesson, paragraph by paragraph, for read-aloud.js to play where
    the phone has no voice of its own; 404 until `flask content audio` has made it."""
    course = course_or_404(slug)
    lesson = lesson_or_404(course, lesson_slug)
    if language not in LANGUAGES:
        abort(404)
    files = read_aloud.lesson_audio_files(Path(current_app.config["LMS_AUDIO_DIR"]), course,
                                          lesson, language)
    if files is None:
        abort(404)
    return {"files": [url_for("learn.audio_file", name=name) for name in files]}


@bp.get("/audio/<name>")
def audio_file(name: str):
    # Named by what it says: the same name is always the same sound, kept for a year, the name
    # its own ETag. No file time is sent: the times a question's option clips were made would
    # tell their order in the quiz file, or which option a trainer corrected last.
    if not read_aloud.is_file_name(name):
        abort(404)
    response = send_from_directory(current_app.config["LMS_AUDIO_DIR"], name,
                                   mimetype="audio/ogg", max_age=365 * 24 * 3600,
                                   etag=name.partition(".")[0])
    del response.headers["Last-Modified"]
    return response
