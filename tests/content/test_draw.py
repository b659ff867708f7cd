"""An attempt draws from every lesson, deterministically for a given random source."""
import random
from collections import Counter

from lms.content.draw import draw_attempt, draw_questions, per_lesson_need
from lms.content.schema import Localized, Question, QuestionText, Quiz, QuizText


def question(key, lesson, kind="single", options=4):
    text = QuestionText("<p>?</p>", tuple(f"o{n}" for n in range(options)), "<p>.</p>")
    return Question(key, kind, frozenset({0}), Localized.of("vi", {"vi": text}), lesson)


def pool(sizes):
    return [question(f"{lesson}-{n}", lesson) for lesson, size in sizes.items()
            for n in range(size)]


def quiz(questions, per_attempt):
    return Quiz("c", 80, per_attempt, tuple(questions),
                Localized.of("vi", {"vi": QuizText("t", "")}), "h", "quizzes/c.md")


def test_every_lesson_is_drawn_and_shares_are_even():
    questions = pool({"a": 5, "b": 5, "c": 5, "d": 5, "e": 5, "f": 5})
    for seed in range(200):
        counts = Counter(q.lesson for q in draw_questions(questions, 10, random.Random(seed)))
        assert set(counts) == set("abcdef") and sum(counts.values()) == 10
        assert set(counts.values()) <= {1, 2}


def test_the_draw_is_the_same_for_the_same_random_source():
    questions = quiz(pool({"a": 4, "b": 4, "c": 4}), 7)
    first = draw_attempt(questions, random.Random(7))
    assert [(q.key, o) for q, o in first] == [(q.key, o) for q, o in
                                              draw_attempt(questions, random.Random(7))]
    assert len({q.key for q, _ in first}) == 7


def test_a_lesson_short_of_questions_is_made_up_from_the_others():
    questions = pool({"a": 1, "b": 6})
    for seed in range(50):
        drawn = draw_questions(questions, 6, random.Random(seed))
        assert len({q.key for q in drawn}) == 6 and "a-0" in {q.key for q in drawn}


def test_questions_naming_no_lesson_are_drawn_uniformly():
    questions = [question(f"q{n}", None) for n in range(8)]
    seen = Counter(q.key for seed in range(400)
                   for q in draw_questions(questions, 2, random.Random(seed)))
    assert set(seen) == {q.key for q in questions}


def test_true_false_options_keep_their_order_and_others_are_shuffled():
    pair = question("tf", "a", kind="true-false", options=2)
    many = question("s", "a", options=5)
    orders = {(q.key, o) for seed in range(30)
              for q, o in draw_attempt(quiz([pair, many], 2), random.Random(seed))}
    assert {o for key, o in orders if key == "tf"} == {(0, 1)}
    assert len({o for key, o in orders if key == "s"}) > 1


def test_the_need_per_lesson_is_the_share_rounded_up():
    assert (per_lesson_need(10, 6), per_lesson_need(10, 9), per_lesson_need(10, 10)) == (2, 2, 1)
