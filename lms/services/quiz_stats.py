"""How each quiz question fares, so trainers can find the ones learners misread."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.content.questions import QUESTION_TYPES
from lms.content.schema import Course, Question
from lms.models import QuizAttempt

RECENT_ATTEMPTS = 5000  # enough to rank questions; bounded so the page stays fast


@dataclass(frozen=True)
class QuestionStats:
    question: Question
    answered: int
    right: int
    wrong_picks: Counter  # option index -> times it was chosen in a wrong answer

    @property
    def percent_right(self) -> int:
        return round(100 * self.right / self.answered) if self.answered else 0

    @property
    def most_picked_wrong_option(self) -> int | None:
        picks = [(n, i) for i, n in self.wrong_picks.items() if i not in self.question.correct]
        return max(picks)[1] if picks else None


def question_statistics(session: Session, course: Course,
                        recent: int = RECENT_ATTEMPTS) -> list[QuestionStats]:
    """Every question of the course's quiz, hardest first, over its most recent attempts."""
    questions = {q.key: q for q in course.quiz.questions}
    answered, right, wrong = Counter(), Counter(), {key: Counter() for key in questions}
    for answers in session.scalars(
            select(QuizAttempt.answers).where(QuizAttempt.course_slug == course.slug,
                                              QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.submitted_at.desc()).limit(recent)):
        for key, chosen in answers.items():
            question = questions.get(key)
            if question is None:
                continue  # since removed from the quiz
            answered[key] += 1
            if QUESTION_TYPES[question.kind].grade(question.correct, frozenset(chosen)):
                right[key] += 1
            else:
                wrong[key].update(chosen)
    stats = [QuestionStats(q, answered[q.key], right[q.key], wrong[q.key])
             for q in course.quiz.questions]
    return sorted(stats, key=lambda s: (s.answered == 0, s.percent_right))
