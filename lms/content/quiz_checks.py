"""Quality checks on one quiz file: patterns a guesser could use, and lessons the draw cannot cover.

Each finding is a warning at a line of the file, so `flask content check --strict` fails on it.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from lms.content.draw import per_lesson_need
from lms.content.frontmatter import Document
from lms.content.questions import TRUE_WORDS
from lms.content.quizzes import ParsedQuestion
from lms.wording import N_

# What `flask content import` writes where the source had no feedback; the check below keeps
# it from reaching learners unnoticed (a warning, so --strict fails).
PLACEHOLDER_MARK = "CẦN VIẾT GIẢI THÍCH"
PLACEHOLDER_EXPLANATION = (f"{PLACEHOLDER_MARK}: vì sao đáp án đúng là đúng? "
                           "(nhập từ Moodle, câu này chưa có phản hồi)")

# In more single-choice questions than this, "pick the longest option" beats chance.
MAX_LONGEST_RIGHT = 0.40


def check_quality(doc: Document, questions: Sequence[ParsedQuestion]) -> None:
    """Warnings about how the questions are written, for the original or a translation."""
    _longest_right(doc, questions)
    _true_false_balance(doc, questions)
    for question in questions:
        _true_false_order(doc, question)
        _too_few_wrong(doc, question)
        _same_options(doc, question)
        _placeholder(doc, question)
    _same_questions(doc, questions)


def check_lessons(doc: Document, questions: Sequence[ParsedQuestion], lessons: Sequence[str],
                  per_attempt: int | None) -> bool:
    """Errors for unknown lesson slugs, warnings for lessons the draw cannot cover.

    Returns false when a question names a lesson the course does not have.
    """
    ok = True
    for question in questions:
        if question.lesson is None:
            doc.report(N_("this question does not name the lesson it tests: end the heading "
                          "with {lesson=slug}, the lesson's file name without its number and "
                          ".md"), line=question.line, severity="warning")
        elif question.lesson not in lessons:
            doc.report(N_('there is no lesson "%(lesson)s" in this course: use one of '
                          "%(lessons)s"), line=question.line, lesson=question.lesson,
                       lessons=", ".join(lessons))
            ok = False
    if not per_attempt or not lessons or not ok:
        return ok
    if per_attempt < len(lessons):
        doc.report(N_("questions_per_attempt is %(asked)d but the course has %(lessons)d "
                      "lessons: an attempt cannot test every lesson"),
                   key="questions_per_attempt", severity="warning", asked=per_attempt,
                   lessons=len(lessons))
        return ok
    need = per_lesson_need(per_attempt, len(lessons))
    counts = Counter(question.lesson for question in questions)
    for lesson in lessons:
        if counts[lesson] < need:
            doc.report(N_('lesson "%(lesson)s" has %(count)d question(s) but an attempt may '
                          "draw %(need)d from every lesson: add questions with "
                          "{lesson=%(lesson)s}"), key="questions_per_attempt",
                       severity="warning", lesson=lesson, count=counts[lesson], need=need)
    return ok


def _warn(doc: Document, message: str, line: int, **values) -> None:
    doc.report(message, line=line, severity="warning", **values)


def _longest_right(doc: Document, questions: Sequence[ParsedQuestion]) -> None:
    single = [q for q in questions if q.kind == "single"]
    giveaways = []
    for question in single:
        (right,) = question.correct
        others = [len(o) for n, o in enumerate(question.options) if n != right]
        if others and len(question.options[right]) > max(others):
            giveaways.append(question)
    if single and len(giveaways) > MAX_LONGEST_RIGHT * len(single):
        lines = ", ".join(str(q.line) for q in giveaways[:8])
        _warn(doc, N_("the right option is the longest in %(count)d of %(total)d single-choice "
                      "questions (over %(share)s): a guesser picking the longest option wins; "
                      "shorten the right option or lengthen the others (lines %(lines)s)"),
              giveaways[0].line, count=len(giveaways), total=len(single),
              share=f"{MAX_LONGEST_RIGHT:.0%}", lines=lines)


def _true_false_balance(doc: Document, questions: Sequence[ParsedQuestion]) -> None:
    pairs = [q for q in questions if q.kind == "true-false"]
    true = [q for q in pairs if q.options[min(q.correct)].strip().lower() in TRUE_WORDS]
    false = [q for q in pairs if q not in true]
    if abs(len(true) - len(false)) > max(1, len(pairs) // 5):
        many = false if len(false) > len(true) else true
        message = (N_("%(count)d of %(total)d true/false questions are false: a guesser always "
                      "answering false wins; balance them") if many is false else
                   N_("%(count)d of %(total)d true/false questions are true: a guesser always "
                      "answering true wins; balance them"))
        _warn(doc, message, many[0].line, count=len(many), total=len(pairs))


def _true_false_order(doc: Document, question: ParsedQuestion) -> None:
    if question.kind == "true-false" and question.options[0].strip().lower() not in TRUE_WORDS:
        _warn(doc, N_('list "Đúng" first, then "Sai" (or "True", then "False"): learners '
                      "always see them in that order"), question.option_lines[0])


def _too_few_wrong(doc: Document, question: ParsedQuestion) -> None:
    wrong = len(question.options) - len(question.correct)
    if question.kind == "multiple" and wrong < 2:
        _warn(doc, N_("this multiple-choice question has %(wrong)d wrong option(s): with fewer "
                      "than two, ticking all but one option wins; add plausible wrong options"),
              question.line, wrong=wrong)


def _same_options(doc: Document, question: ParsedQuestion) -> None:
    seen: dict[str, int] = {}
    for n, option in enumerate(question.options):
        text = " ".join(option.lower().split())
        if text in seen:
            _warn(doc, N_("this option is the same as option %(number)d of the question"),
                  question.option_lines[n], number=seen[text] + 1)
        seen.setdefault(text, n)


def _same_questions(doc: Document, questions: Sequence[ParsedQuestion]) -> None:
    seen: dict[str, int] = {}
    for question in questions:
        if question.prompt in seen:
            _warn(doc, N_("this question is the same as the one on line %(other)d: an attempt "
                          "could ask it twice"), question.line, other=seen[question.prompt])
        seen.setdefault(question.prompt, question.line)


def _placeholder(doc: Document, question: ParsedQuestion) -> None:
    if PLACEHOLDER_MARK in question.text.explanation_html:
        _warn(doc, N_("the explanation is still the import's placeholder: write why the right "
                      "answer is right"), question.line)
