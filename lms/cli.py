"""`flask` commands for trainers and operators."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from lms.content import load_catalog

content_cli = AppGroup("content", help="Check the courses, quizzes and certificates.")


@content_cli.command("check")
@click.option("--strict", is_flag=True, help="Fail on warnings too (e.g. missing translations).")
@click.option("--path", "content_dir", type=click.Path(file_okay=False),
              help="Folder holding courses/, quizzes/ and certificates/ (default: LMS_CONTENT_DIR).")
def check_content(strict: bool, content_dir: str | None) -> None:
    """Print every problem as path:line: message; exit 1 if there are errors."""
    catalog = load_catalog(content_dir or current_app.config["LMS_CONTENT_DIR"])
    for problem in catalog.problems:
        click.echo(str(problem))
    errors, warnings = len(catalog.errors), len(catalog.warnings)
    lessons = sum(len(course.lessons) for course in catalog.courses)
    click.echo(f"{len(catalog.courses)} courses, {lessons} lessons, "
               f"{sum(1 for c in catalog.courses if c.quiz)} quizzes, "
               f"{len(catalog.programs)} programs: {errors} errors, {warnings} warnings")
    if errors or (strict and warnings):
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(content_cli)
