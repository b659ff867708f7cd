"""Taking a course's quiz and reading the results."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.catalog import course_or_404, current_catalog
from lms.extensions import db
from lms.issuing import after_issuing
from lms.services import clock, quizzes, record

bp = Blueprint("quiz", __name__)


def quiz_course_or_404(slug: str):
    course = course_or_404(slug)
    if course.quiz is None:
        abort(404)
    return course


def submitted_answers(form) -> dict[str, list[int]]:
    """{question key: [option indices]} from fields named q-<key>; junk values are dropped."""
    answers = {}
    for name in form:
        if name.startswith("q-"):
            # ASCII digits only, and short: "²" or 5,000 digits is junk, not an option number.
            answers[name[2:]] = [int(v) for v in form.getlist(name)
                                 if v.isascii() and v.isdigit() and len(v) <= 4]
    return answers


@bp.get("/courses/<slug>/quiz/")
@login_required
def take(slug: str):
    course = quiz_course_or_404(slug)
    if course.slug in current_catalog().withheld:
        return render_template("quiz/withheld.html", course=course)
    attempt = quizzes.open_attempt(db.session, current_user.id, course)
    db.session.commit()
    response = render_template("quiz/take.html", course=course, attempt=attempt,
                               questions=quizzes.shown_questions(attempt, course.quiz))
    # The back button must not show a cached form for an attempt already graded.
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/courses/<slug>/quiz/")
@login_required
def submit(slug: str):
    course = quiz_course_or_404(slug)
    token = request.form.get("attempt", "")
    try:
        attempt, issued = record.submit_quiz(db.session, current_user, current_catalog(), course,
                                             token, submitted_answers(request.form), clock.now())
    except quizzes.QuizWithheld:
        return render_template("quiz/withheld.html", course=course), 409
    except quizzes.StaleSubmission as stale:
        db.session.rollback()
        return render_template("quiz/stale.html", course=course, attempt=stale.attempt), 409
    except quizzes.QuizChanged:
        db.session.commit()
        return render_template("quiz/changed.html", course=course), 409
    db.session.commit()  # the grade and any certificate it earns, together
    after_issuing(issued)
    return redirect(url_for("quiz.result", slug=slug, token=attempt.token), code=303)


@bp.get("/courses/<slug>/quiz/results/<token>")
@login_required
def result(slug: str, token: str):
    course = quiz_course_or_404(slug)
    attempt = quizzes.find_attempt(db.session, current_user.id, token)
    if attempt is None or attempt.course_slug != slug or attempt.submitted_at is None:
        abort(404)
    return render_template("quiz/result.html", course=course, attempt=attempt,
                           reviewed=quizzes.review(attempt, course.quiz))
