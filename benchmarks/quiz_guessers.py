"""How often a guesser who never read the lessons passes each bundled quiz.

The guessers look only at the shape of the options, as shown to the learner: the length of
each option, the words "Sai"/"False", and "tick all but the shortest". Attempts are drawn
with the real draw rule (lms.content.draw) and graded with the real question types.

    python benchmarks/quiz_guessers.py [--attempts 20000] [--seed 1]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lms.content import load_catalog  # noqa: E402
from lms.content.draw import draw_attempt  # noqa: E402
from lms.content.questions import QUESTION_TYPES  # noqa: E402
from lms.content.schema import Question  # noqa: E402

FALSE_WORDS = ("sai", "false")


def _length(html: str) -> int:
    return len(re.sub(r"<[^>]+>", "", html))


def _shown(question: Question, order: tuple[int, ...], language: str) -> list[tuple[int, str]]:
    options = question.texts.get(language).options_html
    return [(index, options[index]) for index in order]


def longest(question, order, language, rng):
    """Single choice: the longest option (the first of equals, as shown)."""
    shown = _shown(question, order, language)
    if question.kind == "multiple":
        return frozenset(rng.sample([i for i, _ in shown], rng.randint(1, len(shown))))
    if question.kind == "true-false":
        return frozenset({rng.choice(order)})
    return frozenset({max(shown, key=lambda item: _length(item[1]))[0]})


def always_false(question, order, language, rng):
    """True/false: always "Sai"/"False"; anything else at random."""
    shown = _shown(question, order, language)
    if question.kind == "true-false":
        return frozenset(i for i, text in shown if text.strip().lower() in FALSE_WORDS)
    if question.kind == "multiple":
        return frozenset(rng.sample([i for i, _ in shown], rng.randint(1, len(shown))))
    return frozenset({rng.choice(order)})


def all_but_shortest(question, order, language, rng):
    """Multiple choice: tick every option except the shortest; anything else at random."""
    shown = _shown(question, order, language)
    if question.kind == "multiple":
        shortest = min(shown, key=lambda item: _length(item[1]))[0]
        return frozenset(i for i, _ in shown if i != shortest)
    return frozenset({rng.choice(order)})


def combined(question, order, language, rng):
    """All three rules at once: the strongest shape-only guesser."""
    if question.kind == "true-false":
        return always_false(question, order, language, rng)
    if question.kind == "multiple":
        return all_but_shortest(question, order, language, rng)
    return longest(question, order, language, rng)


def random_guess(question, order, language, rng):
    if question.kind == "multiple":
        return frozenset(rng.sample(list(order), rng.randint(1, len(order))))
    return frozenset({rng.choice(order)})


STRATEGIES = {"longest": longest, "always false": always_false,
              "all but shortest": all_but_shortest, "combined": combined,
              "random": random_guess}


def pass_rate(quiz, strategy, language: str, attempts: int, rng: random.Random) -> float:
    passed = 0
    for _ in range(attempts):
        drawn = draw_attempt(quiz, rng)
        right = sum(QUESTION_TYPES[q.kind].grade(q.correct, strategy(q, order, language, rng))
                    for q, order in drawn)
        passed += round(100 * right / len(drawn)) >= quiz.pass_mark
    return passed / attempts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--content", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    catalog = load_catalog(args.content)
    rng = random.Random(args.seed)
    print(f"{'quiz':<26} {'lang':<4} " + " ".join(f"{name:>16}" for name in STRATEGIES))
    worst = 0.0
    for course in catalog.courses:
        if course.quiz is None:
            continue
        for language in ("vi", "en"):
            rates = [pass_rate(course.quiz, strategy, language, args.attempts, rng)
                     for strategy in STRATEGIES.values()]
            worst = max(worst, *rates)
            print(f"{course.slug:<26} {language:<4} "
                  + " ".join(f"{rate:>15.2%} " for rate in rates))
    print(f"\nworst: {worst:.2%} of {args.attempts} attempts per cell (target: under 5%)")
    return 0 if worst < 0.05 else 1


if __name__ == "__main__":
    sys.exit(main())
