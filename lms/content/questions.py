"""Question types: each validates its own definition at load time and grades with a pure function."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from lms.wording import N_

TRUE_FALSE_WORDS = ({"đúng", "sai"}, {"true", "false"})
TRUE_WORDS = ("đúng", "true")


@dataclass(frozen=True)
class QuestionType:
    name: str
    multiple_answers: bool  # whether the learner may tick several options
    check: Callable[[Sequence[str], frozenset[int]], list[str]]  # messages marked with N_
    # True/false keeps its written order ("Đúng" then "Sai"): a shuffled pair only confuses.
    shuffle_options: bool = True

    def grade(self, correct: frozenset[int], selected: frozenset[int]) -> bool:
        """All or nothing: the learner must pick exactly the right options."""
        return bool(selected) and selected == correct


def _check_single(options: Sequence[str], correct: frozenset[int]) -> list[str]:
    if len(options) < 2:
        return [N_("a question needs at least two options")]
    if len(correct) != 1:
        return [N_("a single-choice question needs exactly one right option marked - [x]")]
    return []


def _check_multiple(options: Sequence[str], correct: frozenset[int]) -> list[str]:
    if len(options) < 2:
        return [N_("a question needs at least two options")]
    if not correct:
        return [N_("no option is marked right: mark each right option with - [x]")]
    return []


def _check_true_false(options: Sequence[str], correct: frozenset[int]) -> list[str]:
    words = {option.strip().lower() for option in options}
    if len(options) != 2 or words not in TRUE_FALSE_WORDS:
        return [N_('a true/false question has exactly two options, "Đúng" and "Sai" '
                   '(or "True" and "False")')]
    if len(correct) != 1:
        return [N_("a true/false question needs exactly one right option marked - [x]")]
    return []


QUESTION_TYPES: dict[str, QuestionType] = {
    kind.name: kind
    for kind in (
        QuestionType("single", False, _check_single),
        QuestionType("multiple", True, _check_multiple),
        QuestionType("true-false", False, _check_true_false, shuffle_options=False),
    )
}


def infer_kind(options: Sequence[str], correct: frozenset[int]) -> str:
    if len(options) == 2 and {o.strip().lower() for o in options} in TRUE_FALSE_WORDS:
        return "true-false"
    return "multiple" if len(correct) > 1 else "single"
