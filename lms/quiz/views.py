"""Taking a course's quiz and reading the results."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lms.catalog import course_or_404, current_catalog
from lms.extensions import csrf, db
from lms.issuing import after_issuing
from lms.services import clock, quizzes, record
from lms.support import shared_device

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
    now = clock.now()
    try:
        attempt = quizzes.open_attempt(db.session, current_user.id, course, now)
    except quizzes.TryLater as wait:
        db.session.commit()  # an attempt from an older version of the quiz may have gone
        return (render_template("quiz/later.html", course=course, wait=wait, now=now), 429,
                {"Retry-After": str(max(1, int((wait.until - now).total_seconds())))})
    db.session.commit()
    # Never cached, so the back button cannot show a graded attempt's form (lms/security.py).
    return render_template("quiz/take.html", course=course, attempt=attempt,
                           questions=quizzes.shown_questions(attempt, course.quiz))


@bp.post("/courses/<slug>/quiz/")
@csrf.exempt  # the attempt token does CSRF's job: a secret bound to this learner's draw.
@login_required  # It never expires, so answers written over an hour are not lost on submit.
def submit(slug: str):
    course = quiz_course_or_404(slug)
    token = request.form.get("attempt", "")
    try:
        attempt, issued = record.submit_quiz(db.session, current_user, current_catalog(), course,
                                             token, submitted_answers(request.form), clock.now(),
                                             assisted_by=shared_device.assisting_helper())
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
    now = clock.now()
    reviewed = quizzes.review(attempt, course.quiz)
    return render_template(
        "quiz/result.html", course=course, attempt=attempt, reviewed=reviewed, now=now,
        feedback=course.quiz.rules.feedback(attempt.passed),
        reread=quizzes.lessons_to_reread(reviewed, course),
        wait=quizzes.next_attempt_wait(db.session, current_user.id, course, now))
