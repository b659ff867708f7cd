"""Taking a course's quiz and reading the results."""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.catalog import course_or_404, current_catalog
from lms.device import quiz_layout
from lms.extensions import csrf, db
from lms.i18n import select_language
from lms.issuing import after_issuing
from lms.services import clock, quizzes, read_aloud, record
from lms.support import shared_device

bp = Blueprint("quiz", __name__)


def quiz_course_or_404(slug: str):
    course = course_or_404(slug)
    if course.quiz is None:
        abort(404)
    return course


def submitted_answers(form, course) -> dict[str, list[int]]:
    """{question key: [option indices]} from fields named q-<key>, each value an option's place
    on the page (quizzes.options_from_places says why); junk values are dropped."""
    places = {}
    for name in form:
        if name.startswith("q-"):
            # ASCII digits only, and short: "²" or 5,000 digits is junk, not an option number.
            places[name[2:]] = [int(v) for v in form.getlist(name)
                                if v.isascii() and v.isdigit() and len(v) <= 4]
    return quizzes.options_from_places(db.session, course, form.get("attempt", ""), places)


def shown_keys(form) -> set[str]:
    """The questions on the page sent: one left blank there is blank, whatever was saved."""
    return set(form.getlist("shown")[:200])


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
    questions = quizzes.shown_questions(attempt, course.quiz)
    saved = attempt.saved_answers or {}
    # Never cached, so the back button cannot show a graded attempt's form (lms/security.py).
    if quiz_layout() == "all":
        return render_template("quiz/take.html", course=course, attempt=attempt,
                               questions=questions, saved=saved, readings=readings(questions))
    blank = [q.number for q in questions if not saved.get(q.question.key)]
    number = request.args.get("q", "")
    number = (int(number) if number.isascii() and number.isdigit() and len(number) <= 4
              else (blank or [1])[0])
    shown = questions[max(1, min(number, len(questions))) - 1]
    return render_template("quiz/question.html", course=course, attempt=attempt, shown=shown,
                           total=len(questions), saved=saved, readings=readings([shown]),
                           answered=len(questions) - len(blank))


def readings(shown: list[quizzes.ShownQuestion]) -> dict:
    """What read-aloud reads of each question on the page, and its recorded clips if made."""
    return read_aloud.page_readings(Path(current_app.config["LMS_AUDIO_DIR"]),
                                    [q.question for q in shown], select_language())


@bp.post("/courses/<slug>/quiz/save")
@csrf.exempt  # the attempt token does CSRF's job, as for submitting;
def save(slug: str):  # and no sign-in needed: a session that ended loses no answer.
    course = quiz_course_or_404(slug)
    try:
        quizzes.save_answers(db.session, course, request.form.get("attempt", ""),
                             submitted_answers(request.form, course), shown_keys(request.form))
    except quizzes.StaleSubmission as stale:
        db.session.rollback()
        return render_template("quiz/stale.html", course=course, attempt=stale.attempt), 409
    db.session.commit()
    go = request.form.get("go", "review")
    target = (url_for("quiz.take", slug=slug, q=go) if go.isascii() and go.isdigit()
              else url_for("quiz.review", slug=slug))
    if not current_user.is_authenticated:
        flash(_("Your answers are kept. Sign in again to go on with the quiz."))
        return redirect(url_for("auth.login", next=target), code=303)
    return redirect(target, code=303)


@bp.get("/courses/<slug>/quiz/review")
@login_required
def review(slug: str):
    """Before submitting: which questions are still blank, each a link back to it."""
    course = quiz_course_or_404(slug)
    attempt = quizzes.open_attempt_or_none(db.session, current_user.id, course)
    if attempt is None:
        return redirect(url_for("quiz.take", slug=slug))
    total = len(attempt.draw)
    blank = quizzes.blanks(attempt, course.quiz)
    return render_template("quiz/review.html", course=course, attempt=attempt, blank=blank,
                           total=total, answered=total - len(blank))


@bp.post("/courses/<slug>/quiz/")
@csrf.exempt  # the attempt token does CSRF's job: a secret bound to this learner's draw.
def submit(slug: str):  # It never expires, so answers written over an hour are not lost on submit.
    course = quiz_course_or_404(slug)
    token = request.form.get("attempt", "")
    if not current_user.is_authenticated:  # the session ended while answering: keep the answers
        return save(slug)
    try:
        attempt, issued = record.submit_quiz(db.session, current_user, current_catalog(), course,
                                             token, submitted_answers(request.form, course),
                                             clock.now(), shown_keys(request.form),
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
