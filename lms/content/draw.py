"""Which questions an attempt asks, and in which option order: a pure rule, given a random source.

Every lesson the questions name gets the same share of the attempt (at least one question
each when there are enough places); the remaining places go to lessons chosen at random.
"""
from __future__ import annotations

import random
from collections.abc import Sequence

from lms.content.questions import QUESTION_TYPES
from lms.content.schema import Question, Quiz


def per_lesson_need(per_attempt: int, lesson_count: int) -> int:
    """The most questions an attempt draws from one lesson when every lesson has enough."""
    return -(-per_attempt // lesson_count) if lesson_count else per_attempt


def draw_questions(questions: Sequence[Question], count: int,
                   rng: random.Random) -> list[Question]:
    groups: dict[str | None, list[Question]] = {}
    for question in questions:
        groups.setdefault(question.lesson, []).append(question)
    if len(groups) <= 1:
        return rng.sample(list(questions), count)
    base, extra = divmod(count, len(groups))
    lucky = set(rng.sample(list(groups), extra))
    picked: list[Question] = []
    for lesson, group in groups.items():
        share = base + (1 if lesson in lucky else 0)
        picked += rng.sample(group, min(share, len(group)))
    if len(picked) < count:  # a lesson had too few questions: fill from the others
        chosen = {q.key for q in picked}
        rest = [q for q in questions if q.key not in chosen]
        picked += rng.sample(rest, count - len(picked))
    rng.shuffle(picked)
    return picked


def option_order(question: Question, rng: random.Random) -> tuple[int, ...]:
    count = question.option_count
    if not QUESTION_TYPES[question.kind].shuffle_options:
        return tuple(range(count))
    return tuple(rng.sample(range(count), count))


def draw_attempt(quiz: Quiz, rng: random.Random) -> list[tuple[Question, tuple[int, ...]]]:
    """The questions of one attempt, each with the order its options are shown in."""
    return [(question, option_order(question, rng))
            for question in draw_questions(quiz.questions, quiz.questions_per_attempt, rng)]
