"""Loads the content catalog once per process and hands it to views and commands; while
trainers edit (LMS_CONTENT_RELOAD), reads it again when a content file changes."""
from __future__ import annotations

import threading
import time

from flask import Flask, abort, current_app

from lms.content import Catalog, content_fingerprint, load_catalog
from lms.content.schema import Course, Lesson
from lms.extensions import cache

EXTENSION_KEY = "lms.catalog"
RELOAD_KEY = "lms.catalog_reload"
LOOK_EVERY_SECONDS = 1.0


class _Reload:
    """When the content folder was last looked at, and what it looked like then."""

    def __init__(self, fingerprint: tuple[int, int]):
        self.fingerprint, self.looked_at = fingerprint, time.monotonic()
        self.lock = threading.Lock()


def init_app(app: Flask) -> None:
    # Tests may hand in a catalog they already loaded, to skip re-reading the same files.
    given = app.config.get("LMS_CATALOG")
    if given is None and app.config["LMS_CONTENT_RELOAD"]:
        app.extensions[RELOAD_KEY] = _Reload(content_fingerprint(app.config["LMS_CONTENT_DIR"]))
        app.before_request(_look_for_changes)  # before any view, cached pages included
    _install(app, given or load_catalog(app.config["LMS_CONTENT_DIR"]))


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
    app = current_app._get_current_object()
    reload = app.extensions[RELOAD_KEY]
    if time.monotonic() - reload.looked_at < LOOK_EVERY_SECONDS:
        return
    if not reload.lock.acquire(blocking=False):
        return  # another thread is looking; serve the current catalog meanwhile
    try:
        reload.looked_at = time.monotonic()
        fingerprint = content_fingerprint(app.config["LMS_CONTENT_DIR"])
        if fingerprint != reload.fingerprint:
            app.logger.info("content: files changed, reading them again")
            _install(app, load_catalog(app.config["LMS_CONTENT_DIR"]))
            reload.fingerprint = fingerprint
            cache.clear()  # pages rendered from the old files
    finally:
        reload.lock.release()


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
