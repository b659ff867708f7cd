"""Item analysis of each quiz question, as Moodle's quiz statistics report does it: how many
get it right, whether it tells those who learnt from those who did not, blanks and each
option's share, so trainers can find the questions learners misread."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.content.questions import QUESTION_TYPES
from lms.content.schema import Course, Question
from lms.models import QuizAttempt

RECENT_ATTEMPTS = 5000  # enough to rank questions; bounded so the page stays fast
# Below this many attempts a question's figures move a lot from one attempt to the next;
# 30 is the usual rule of thumb for classical item statistics.
MIN_RELIABLE_ATTEMPTS = 30
# Kelley's groups: the top and bottom 27% of attempts are the most telling groups of equal
# size for the discrimination index.
GROUP_SHARE = 0.27


def discrimination_index(results: list[tuple[float, bool]]) -> float | None:
    """Classical discrimination index D = p_upper − p_lower, from -1 to 1.

    `results` holds one (score on the attempt's other questions, answered this question
    right) per attempt that drew the question. The attempts are ranked by that score, highest
    first (ties keep the order given); the upper group is the first k and the lower group the
    last k, k = 27% of the attempts rounded half up, at least 1; p is the share of each group
    that answered right. The question's own answer is left out of the ranking score, as
    Moodle's discrimination index does, so a question does not vote for itself. This is not
    Moodle's "discrimination index" (a correlation) nor its "discriminative efficiency", but
    the upper-lower index those approximate; read it the same way: 0.3 and above tells good
    from weak learners well, below 0.2 poorly, below 0 the weak do better (check the key).
    """
    if len(results) < 2:
        return None
    k = max(1, int(GROUP_SHARE * len(results) + 0.5))
    ranked = sorted(results, key=lambda result: -result[0])
    upper = sum(right for _, right in ranked[:k])
    lower = sum(right for _, right in ranked[-k:])
    return (upper - lower) / k


@dataclass(frozen=True)
class QuestionStats:
    question: Question
    number: int  # the question's place in the quiz file, from 1
    answered: int  # attempts that drew the question, blanks included
    right: int
    blanks: int  # drawn but left without any option ticked
    picks: tuple[int, ...]  # for each option, the attempts that ticked it
    discrimination: float | None

    @property
    def percent_right(self) -> int:
        """Moodle's facility index: the share of attempts that got the question right."""
        return round(100 * self.right / self.answered) if self.answered else 0

    @property
    def reliable(self) -> bool:
        return self.answered >= MIN_RELIABLE_ATTEMPTS

    def share(self, option: int) -> int:
        """Percent of the attempts that ticked `option` (several may be ticked at once)."""
        return round(100 * self.picks[option] / self.answered) if self.answered else 0

    @property
    def most_picked_wrong_option(self) -> int | None:
        picks = [(n, i) for i, n in enumerate(self.picks)
                 if n and i not in self.question.correct]
        return max(picks)[1] if picks else None


@dataclass(frozen=True)
class QuizStats:
    questions: tuple[QuestionStats, ...]  # hardest first; never-drawn questions last
    attempts: int
    first: datetime | None  # the oldest and newest attempt counted
    last: datetime | None

    def question(self, number: int) -> QuestionStats | None:
        return next((q for q in self.questions if q.number == number), None)


def question_statistics(session: Session, course: Course,
                        recent: int = RECENT_ATTEMPTS) -> QuizStats:
    """Every question of the course's quiz over its most recent attempts, in one query."""
    questions = {q.key: q for q in course.quiz.questions}
    right, blanks = Counter(), Counter()
    picks = {key: [0] * q.option_count for key, q in questions.items()}
    results: dict[str, list[tuple[float, bool]]] = {key: [] for key in questions}
    first = last = None
    rows = session.execute(
        select(QuizAttempt.answers, QuizAttempt.correct_count, QuizAttempt.question_count,
               QuizAttempt.submitted_at)
        .where(QuizAttempt.course_slug == course.slug, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()).limit(recent)).all()
    for answers, correct_count, question_count, submitted_at in rows:
        last = last or submitted_at
        first = submitted_at
        for key, chosen in answers.items():
            question = questions.get(key)
            if question is None:
                continue  # since removed from the quiz
            is_right = QUESTION_TYPES[question.kind].grade(question.correct, frozenset(chosen))
            right[key] += is_right
            blanks[key] += not chosen
            for option in chosen:
                if 0 <= option < question.option_count:
                    picks[key][option] += 1
            others = question_count - 1
            results[key].append(((correct_count - is_right) / others if others else 0.0,
                                 is_right))
    stats = [QuestionStats(q, n, len(results[q.key]), right[q.key], blanks[q.key],
                           tuple(picks[q.key]), discrimination_index(results[q.key]))
             for n, q in enumerate(course.quiz.questions, start=1)]
    stats.sort(key=lambda s: (s.answered == 0, s.percent_right, s.number))
    return QuizStats(tuple(stats), len(rows), first, last)


def attempt_counts(session: Session) -> dict[str, int]:
    """Submitted attempts per course, for the list of quizzes."""
    return dict(session.execute(
        select(QuizAttempt.course_slug, func.count())
        .where(QuizAttempt.submitted_at.is_not(None)).group_by(QuizAttempt.course_slug)).all())


def export_rows(stats: QuizStats, language: str, yes: str):
    """One row per option of each question, in the quiz file's order, for a spreadsheet; the
    moments become Vietnam days, written as the reader's language writes them (export_files)."""
    for row in sorted(stats.questions, key=lambda s: s.number):
        text = row.question.texts.get(language)
        discrimination = None if row.discrimination is None else round(row.discrimination, 2)
        for option, option_html in enumerate(text.options_html):
            yield [row.number, Markup(text.prompt_html).striptags(), row.question.lesson,
                   row.answered, row.percent_right if row.answered else None, discrimination,
                   row.blanks, "" if row.reliable else yes, Markup(option_html).striptags(),
                   yes if option in row.question.correct else "",
                   row.share(option) if row.answered else None, stats.first, stats.last]
