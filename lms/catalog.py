"""Loads the content catalog once per process and hands it to views and commands. Builds it
again when a course is published through the web, and, while trainers edit
(LMS_CONTENT_RELOAD), when a content file changes."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from flask import Flask, abort, current_app
from sqlalchemy.exc import SQLAlchemyError

from lms.content import Catalog, content_fingerprint, load_catalog
from lms.content.schema import Course, Lesson
from lms.extensions import cache, db
from lms.services import publishing

EXTENSION_KEY = "lms.catalog"
WATCH_KEY = "lms.catalog_watch"
LOOK_EVERY_SECONDS = 1.0


class _Watch:
    """What the served catalog was built from, and when this process last looked for news."""

    def __init__(self, files: tuple[int, int] | None):
        self.files = files  # the repository's files, when reloading them (LMS_CONTENT_RELOAD)
        self.release = 0  # the newest release published through the web
        self.looked_at = time.monotonic()
        self.lock = threading.Lock()


def init_app(app: Flask) -> None:
    # Tests may hand in a catalog they already loaded, to skip re-reading the same files.
    given = app.config.get("LMS_CATALOG")
    if given is not None:
        _install(app, given)
        return
    base = app.config["LMS_CONTENT_DIR"]
    watch = app.extensions[WATCH_KEY] = _Watch(
        content_fingerprint(base) if app.config["LMS_CONTENT_RELOAD"] else None)
    with app.app_context():
        watch.release, folder = _served_folder(app)
    _install(app, load_catalog(folder))
    app.before_request(_look_for_changes)  # before any view, cached pages included


def _served_folder(app: Flask) -> tuple[int, str]:
    """The newest web release and the folder holding what it serves (the repository's
    content folder until a course is published through the web)."""
    base = app.config["LMS_CONTENT_DIR"]
    try:
        release, tree = publishing.served_tree(db.session, base,
                                               Path(app.instance_path) / "content")
    except SQLAlchemyError:  # the database is not migrated yet: serve the repository's files
        db.session.rollback()
        return 0, base
    return release, str(tree) if tree else base


def _install(app: Flask, catalog: Catalog) -> None:
    # A broken file must not take the site down: log it, serve what is valid.
    for problem in catalog.problems:
        (app.logger.error if problem.is_error else app.logger.warning)("content: %s", problem)
    if catalog.errors:
        app.logger.error("content: %d errors (run `flask content check`); a course, quiz or "
                         "program whose settings have errors is not served", len(catalog.errors))
    app.extensions[EXTENSION_KEY] = catalog


def current_catalog() -> Catalog:
    return current_app.extensions[EXTENSION_KEY]


def _look_for_changes() -> None:
    """At most once a second: a course published through the web (by any worker, on any
    host) or, while trainers edit, a changed file means building the catalog again."""
    app = current_app._get_current_object()
    watch = app.extensions[WATCH_KEY]
    if time.monotonic() - watch.looked_at < LOOK_EVERY_SECONDS:
        return
    if not watch.lock.acquire(blocking=False):
        return  # another thread is looking; serve the current catalog meanwhile
    try:
        watch.looked_at = time.monotonic()
        files = content_fingerprint(app.config["LMS_CONTENT_DIR"]) if watch.files else None
        try:
            release = publishing.latest_release_id(db.session)
        except SQLAlchemyError:
            db.session.rollback()
            release = watch.release
        if files == watch.files and release == watch.release:
            return
        if not Path(app.config["LMS_CONTENT_DIR"]).is_dir():
            app.logger.error("content: %s is gone; still serving what was loaded",
                             app.config["LMS_CONTENT_DIR"])
            return
        app.logger.info("content: changed, reading it again")
        watch.release, folder = _served_folder(app)
        _install(app, load_catalog(folder))  # the old catalog serves until this one is whole
        watch.files = files
        cache.clear()  # pages rendered from the old content
    finally:
        watch.lock.release()


def course_or_404(slug: str) -> Course:
    course = current_catalog().course(slug)
    if course is None:
        abort(404)
    return course


def lesson_or_404(course: Course, slug: str) -> Lesson:
    lesson = course.lesson(slug)
    if lesson is None:
        abort(404)
    return lesson
