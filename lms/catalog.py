"""Loads the content catalog once per process and hands it to views and commands."""
from __future__ import annotations

from flask import Flask, abort, current_app

from lms.content import Catalog, load_catalog
from lms.content.schema import Course, Lesson

EXTENSION_KEY = "lms.catalog"


def init_app(app: Flask) -> None:
    # Tests may hand in a catalog they already loaded, to skip re-reading the same files.
    catalog = app.config.get("LMS_CATALOG") or load_catalog(app.config["LMS_CONTENT_DIR"])
    # A broken file must not take the site down: log it, serve what is valid.
    for problem in catalog.problems:
        (app.logger.error if problem.is_error else app.logger.warning)("content: %s", problem)
    if catalog.errors:
        app.logger.error("content: %d errors (run `flask content check`); a course, quiz or "
                         "program whose settings have errors is not served", len(catalog.errors))
    app.extensions[EXTENSION_KEY] = catalog


def current_catalog() -> Catalog:
    return current_app.extensions[EXTENSION_KEY]


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
