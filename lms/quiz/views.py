"""Taking a course's quiz and reading the results."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.certificates.issuing import issue_earned_certificates
from lms.extensions import db
from lms.learn.views import course_or_404
from lms.services import quizzes

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
            answers[name[2:]] = [int(v) for v in form.getlist(name) if v.isdigit()]
    return answers


@bp.get("/courses/<slug>/quiz/")
@login_required
def take(slug: str):
    course = quiz_course_or_404(slug)
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
        attempt = quizzes.submit_attempt(db.session, current_user.id, course, token,
                                         submitted_answers(request.form))
    except quizzes.StaleSubmission as stale:
        db.session.rollback()
        return render_template("quiz/stale.html", course=course, attempt=stale.attempt), 409
    except quizzes.QuizChanged:
        db.session.commit()
        return render_template("quiz/changed.html", course=course), 409
    db.session.commit()
    if attempt.passed:
        issue_earned_certificates(current_user)
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
