"""Quiz attempts: drawing questions, grading on the server, accepting each submission once."""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.content.draw import draw_attempt
from lms.content.questions import QUESTION_TYPES
from lms.content.schema import Course, Lesson, Question, Quiz
from lms.models import QuizAttempt
from lms.services import clock


class StaleSubmission(Exception):
    """This attempt was already graded (double click, back button, second tab) or is unknown."""

    def __init__(self, attempt: QuizAttempt | None):
        super().__init__("stale quiz submission")
        self.attempt = attempt


class QuizChanged(Exception):
    """The trainer changed the quiz while the attempt was open; it must be started again."""


class QuizWithheld(Exception):
    """The course has content errors: its quiz is not taken until a trainer fixes them."""


class TryLater(Exception):
    """No new attempt yet: the wait after a failed attempt, or today's attempts are used up."""

    def __init__(self, until: datetime, daily_cap: bool):
        super().__init__("no new quiz attempt yet")
        self.until = until  # UTC
        self.daily_cap = daily_cap


@dataclass(frozen=True)
class ShownQuestion:
    """A question as the learner sees it: options in the drawn order, nothing about rightness."""

    number: int
    question: Question
    option_order: tuple[int, ...]

    @property
    def multiple_answers(self) -> bool:
        return QUESTION_TYPES[self.question.kind].multiple_answers


@dataclass(frozen=True)
class ReviewedQuestion:
    number: int
    question: Question
    option_order: tuple[int, ...]
    chosen: frozenset[int]
    is_correct: bool


def next_attempt_wait(session: Session, user_id: int, course: Course,
                      now: datetime) -> TryLater | None:
    """Why a new attempt cannot be drawn at `now`, or None when it can.

    The wait and the daily cap are what make harvesting the answer key slow: a script that
    learns from each result needs many attempts, and gets a few a day."""
    rules = course.quiz.rules
    mine = (QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course.slug)
    today = clock.vietnam_date(now)
    submitted_today = session.scalar(select(func.count()).where(
        *mine, QuizAttempt.submitted_at >= clock.day_start_utc(today)))
    if submitted_today >= rules.attempts_per_day:
        return TryLater(clock.end_of_day_utc(today), daily_cap=True)
    last_failed = session.scalar(select(func.max(QuizAttempt.submitted_at)).where(
        *mine, QuizAttempt.passed.is_(False)))
    if last_failed is not None:
        until = clock.aware(last_failed) + timedelta(minutes=rules.retry_wait_minutes)
        if until > now:
            return TryLater(until, daily_cap=False)
    return None


def open_attempt(session: Session, user_id: int, course: Course, now: datetime,
                 rng: random.Random | None = None) -> QuizAttempt:
    """The learner's unsubmitted attempt for this quiz, or a fresh draw if there is none and
    one is allowed (else TryLater)."""
    quiz = course.quiz
    attempt = _open_attempt(session, user_id, course.slug)
    if attempt and attempt.quiz_hash != quiz.content_hash:
        session.delete(attempt)  # drawn from an older version of the quiz: draw again
        session.flush()
        attempt = None
    if attempt:
        return attempt
    wait = next_attempt_wait(session, user_id, course, now)
    if wait:
        raise wait
    rng = rng or random.SystemRandom()
    draw = [{"key": q.key, "order": list(order)} for q, order in draw_attempt(quiz, rng)]
    attempt = QuizAttempt(token=secrets.token_urlsafe(32), user_id=user_id,
                          course_slug=course.slug, quiz_hash=quiz.content_hash, draw=draw,
                          question_count=len(draw), started_at=now)
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:  # another tab opened the quiz at the same moment: share its draw
        attempt = _open_attempt(session, user_id, course.slug)
    return attempt


def open_attempt_or_none(session: Session, user_id: int, course: Course) -> QuizAttempt | None:
    """The learner's unsubmitted attempt of the current quiz, never drawing a new one."""
    attempt = _open_attempt(session, user_id, course.slug)
    return attempt if attempt and attempt.quiz_hash == course.quiz.content_hash else None


def _open_attempt(session: Session, user_id: int, course_slug: str) -> QuizAttempt | None:
    return session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
        QuizAttempt.submitted_at.is_(None)))


def shown_questions(attempt: QuizAttempt, quiz: Quiz) -> list[ShownQuestion]:
    questions = {q.key: q for q in quiz.questions}
    return [ShownQuestion(n, questions[item["key"]], tuple(item["order"]))
            for n, item in enumerate(attempt.draw, start=1) if item["key"] in questions]


def options_from_places(session: Session, course: Course, token: str,
                        places: dict[str, list[int]]) -> dict[str, list[int]]:
    """The quiz's option indices for the places on the page a form sent.

    The page names each option by its place, never by its index in the quiz file: trainers
    often put the right answer at the same place in the file, and an index in the page's
    source would then give it away. The attempt's draw holds each question's order. Places
    that do not exist are dropped; an unknown token maps nothing (its use is refused next)."""
    draw = session.scalar(select(QuizAttempt.draw).where(
        QuizAttempt.token == token, QuizAttempt.course_slug == course.slug)) or []
    orders = {item["key"]: item["order"] for item in draw}
    return {key: [orders[key][place] for place in picked if 0 <= place < len(orders[key])]
            for key, picked in places.items() if key in orders}


def with_saved(attempt: QuizAttempt, answers: dict[str, list[int]],
               shown: set[str] = frozenset()) -> dict[str, list[int]]:
    """The answers saved for this attempt, overwritten by those just sent: a question the
    learner saw on the page sent (`shown`) and left with nothing ticked is blank again."""
    drawn = {item["key"] for item in attempt.draw}
    merged = {key: picked for key, picked in (attempt.saved_answers or {}).items()
              if key not in shown}
    merged.update({key: picked for key, picked in answers.items() if key in drawn})
    return {key: picked for key, picked in merged.items() if picked}


def save_answers(session: Session, course: Course, token: str, answers: dict[str, list[int]],
                 shown: set[str]) -> QuizAttempt:
    """Keeps what the learner chose so far on the open attempt this token names.

    The token alone is enough, as for submitting: a learner whose session ended while answering
    loses nothing, and finds the answers again after signing in. StaleSubmission when the
    attempt is graded or unknown."""
    attempt = session.scalar(select(QuizAttempt).where(
        QuizAttempt.token == token, QuizAttempt.course_slug == course.slug))
    if attempt is None or attempt.submitted_at is not None:
        raise StaleSubmission(attempt)
    questions = {q.key: q for q in course.quiz.questions}
    # Only real options are kept: a forged form cannot make a saved draw grow without end.
    answers = {key: sorted({i for i in picked if 0 <= i < questions[key].option_count})
               for key, picked in answers.items() if key in questions}
    attempt.saved_answers = with_saved(attempt, answers, shown)
    return attempt


def blanks(attempt: QuizAttempt, quiz: Quiz) -> list[ShownQuestion]:
    """The questions of the attempt with no answer saved yet, for the review before submitting."""
    saved = attempt.saved_answers or {}
    return [shown for shown in shown_questions(attempt, quiz)
            if not saved.get(shown.question.key)]


def submit_attempt(session: Session, user_id: int, course: Course, token: str,
                   answers: dict[str, list[int]], now: datetime,
                   shown: set[str] = frozenset()) -> QuizAttempt:
    """Grades the attempt once, on the answers saved so far and those sent with it. Any later
    submission of the same token raises StaleSubmission."""
    attempt = session.scalar(select(QuizAttempt).where(
        QuizAttempt.token == token, QuizAttempt.user_id == user_id,
        QuizAttempt.course_slug == course.slug))
    if attempt is None or attempt.submitted_at is not None:
        raise StaleSubmission(attempt)
    answers = with_saved(attempt, answers, shown)
    questions = {q.key: q for q in course.quiz.questions}
    if any(item["key"] not in questions for item in attempt.draw):
        session.delete(attempt)
        raise QuizChanged()
    chosen = {item["key"]: sorted({i for i in answers.get(item["key"], [])
                                   if 0 <= i < questions[item["key"]].option_count})
              for item in attempt.draw}
    correct = sum(QUESTION_TYPES[questions[key].kind].grade(questions[key].correct,
                                                            frozenset(picked))
                  for key, picked in chosen.items())
    score = round(100 * correct / attempt.question_count)
    # The WHERE clause makes the grade stick exactly once, even for two simultaneous requests.
    graded = session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(answers=chosen, correct_count=correct, score_percent=score,
                passed=score >= course.quiz.pass_mark,
                submitted_at=now)
        .execution_options(synchronize_session=False))
    if graded.rowcount != 1:  # a simultaneous request graded it first
        session.refresh(attempt)
        raise StaleSubmission(attempt)
    session.refresh(attempt)
    return attempt


_LATEST_RESULTS = (select(QuizAttempt.course_slug, QuizAttempt.token, QuizAttempt.score_percent,
                          QuizAttempt.passed, QuizAttempt.submitted_at)
                   .where(QuizAttempt.user_id == bindparam("user_id"),
                          QuizAttempt.submitted_at.is_not(None))
                   .order_by(QuizAttempt.submitted_at.desc()).limit(bindparam("count")))


def latest_results(session: Session, user_id: int, count: int = 20) -> list:
    """The person's last `count` graded attempts, newest first: the columns their own page
    lists (course_slug, token, score_percent, passed, submitted_at), not the drawn questions
    and answers, which are most of a row."""
    return session.execute(_LATEST_RESULTS, {"user_id": user_id, "count": count}).all()


def find_attempt(session: Session, user_id: int, token: str) -> QuizAttempt | None:
    """Only the learner's own attempts: another learner's token finds nothing."""
    return session.scalar(select(QuizAttempt).where(QuizAttempt.token == token,
                                                    QuizAttempt.user_id == user_id))


def review(attempt: QuizAttempt, quiz: Quiz) -> list[ReviewedQuestion]:
    """Each question with the learner's answer and the right one, for the results page."""
    questions = {q.key: q for q in quiz.questions}
    rows = []
    for n, item in enumerate(attempt.draw, start=1):
        question = questions.get(item["key"])
        if question is None:
            continue  # removed from the quiz since; the score still stands
        chosen = frozenset(attempt.answers.get(item["key"], []))
        rows.append(ReviewedQuestion(n, question, tuple(item["order"]), chosen,
                                     QUESTION_TYPES[question.kind].grade(question.correct, chosen)))
    return rows


def lessons_to_reread(reviewed: list[ReviewedQuestion], course: Course) -> list[Lesson]:
    """The lessons tested by the questions answered wrongly, in the course's order."""
    slugs = {row.question.lesson for row in reviewed if not row.is_correct}
    return [lesson for lesson in course.lessons if lesson.slug in slugs]
