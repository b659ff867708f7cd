"""Reads the body of a quiz file: `## ` questions, `- [ ]`/`- [x]` options, then an explanation.

A heading may end with attributes in braces, `## Question? {lesson=otp type=multiple}`:
`lesson` names the lesson the question tests, `type` forces a question type.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from lms.content.frontmatter import Document
from lms.content.markdown import MarkdownRenderer
from lms.content.questions import QUESTION_TYPES, infer_kind
from lms.content.schema import FEEDBACK_LEVELS, AttemptRules, Feedback, QuestionText
from lms.wording import N_

HEADING = re.compile(r"^##\s+(?P<text>.*?)\s*(?:\{(?P<attributes>[^{}]*)\})?\s*$")
ATTRIBUTE = re.compile(r"^(?P<name>[a-z]+)=(?P<value>[\w-]+)$")
ATTRIBUTES = ("lesson", "type")
OPTION = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*)$")
LOOKS_LIKE_OPTION = re.compile(r"^\s*[-*+]\s*\[")


@dataclass(frozen=True)
class ParsedQuestion:
    line: int
    key: str
    kind: str
    correct: frozenset[int]
    text: QuestionText
    lesson: str | None
    options: tuple[str, ...]  # as written, for the quality checks
    prompt: str  # the heading and scenario as written
    option_lines: tuple[int, ...]


def attempt_rules(doc: Document) -> AttemptRules:
    """The quiz's front-matter choices on feedback, waiting and the daily cap; defaults where
    a field is absent or wrong (the problem is reported)."""
    default = AttemptRules()
    after_failed = doc.choice("after_failed", FEEDBACK_LEVELS)
    after_passed = doc.choice("after_passed", FEEDBACK_LEVELS)
    wait = doc.integer("retry_wait_minutes", 0, 24 * 60, required=False)
    per_day = doc.integer("attempts_per_day", 1, 100, required=False)
    return AttemptRules(
        Feedback(after_failed) if after_failed else default.after_failed,
        Feedback(after_passed) if after_passed else default.after_passed,
        default.retry_wait_minutes if wait is None else wait,
        per_day or default.attempts_per_day)


def parse_questions(doc: Document, renderer: MarkdownRenderer) -> tuple[str, list[ParsedQuestion]]:
    """Returns the quiz's introduction (HTML) and its valid questions; problems go on `doc`."""
    lines = doc.body.split("\n")
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
    intro, _ = renderer.render("\n".join(lines[:starts[0]] if starts else lines))
    if not starts:
        doc.report(N_('the quiz has no questions: start each question with a line "## "'),
                   line=doc.body_line)
    questions = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        question = _parse_question(doc, lines, start, end, renderer)
        if question:
            questions.append(question)
    return intro, questions


def _parse_question(doc: Document, lines: list[str], start: int, end: int,
                    renderer: MarkdownRenderer) -> ParsedQuestion | None:
    line_no = doc.body_line + start
    heading = HEADING.match(lines[start])
    title = heading.group("text")
    attributes = _attributes(doc, heading.group("attributes"), line_no)
    if attributes is None:
        return None
    forced_kind, lesson = attributes.get("type"), attributes.get("lesson")
    if not title:
        doc.report(N_("the question heading is empty: write the question after the ##"),
                   line=line_no)
        return None
    option_rows = [i for i in range(start + 1, end) if OPTION.match(lines[i])]
    for i in range(start + 1, end):
        if LOOKS_LIKE_OPTION.match(lines[i]) and not OPTION.match(lines[i]):
            doc.report(N_('an option must look like "- [ ] text" or "- [x] text"'),
                       line=doc.body_line + i)
            return None
    if not option_rows:
        doc.report(N_('this question has no options: list them as "- [ ] wrong" and '
                      '"- [x] right"'), line=line_no)
        return None
    first, last = option_rows[0], option_rows[-1]
    stray = [i for i in range(first, last) if i not in option_rows and lines[i].strip()]
    if stray:
        doc.report(N_("options must be listed one after another, with no other text between "
                      "them"), line=doc.body_line + stray[0])
        return None
    matches = [OPTION.match(lines[i]) for i in option_rows]
    options = [m.group("text").strip() for m in matches]
    correct = frozenset(n for n, m in enumerate(matches) if m.group("mark") in "xX")
    for n, option in enumerate(options):
        if not option:
            doc.report(N_("an option has no text"), line=doc.body_line + option_rows[n])
            return None
    if not correct:
        doc.report(N_("this question has no right option: mark the right option(s) with - [x]"),
                   line=line_no)
        return None
    kind = forced_kind or infer_kind(options, correct)
    question_type = QUESTION_TYPES.get(kind)
    if question_type is None:
        doc.report(N_('unknown question type "%(kind)s": use one of %(kinds)s'), line=line_no,
                   kind=kind, kinds=", ".join(QUESTION_TYPES))
        return None
    messages = question_type.check(options, correct)
    for message in messages:
        doc.report(message, line=line_no)
    explanation_source = "\n".join(lines[last + 1:end]).strip()
    if not explanation_source:
        doc.report(N_("this question has no explanation: after the options, write why the "
                      "right answer is right"), line=line_no)
        return None
    if messages:
        return None
    scenario_html, _ = renderer.render("\n".join(lines[start + 1:first]))
    prompt_html = f"<p>{renderer.render_inline(title)}</p>{scenario_html}"
    explanation_html, _ = renderer.render(explanation_source)
    source = "\n".join(lines[start:end]).strip()
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    text = QuestionText(prompt_html, tuple(renderer.render_inline(o) for o in options),
                        explanation_html)
    prompt = " ".join(" ".join([title, *lines[start + 1:first]]).lower().split())
    return ParsedQuestion(line_no, key, kind, correct, text, lesson, tuple(options), prompt,
                          tuple(doc.body_line + i for i in option_rows))


def _attributes(doc: Document, source: str | None, line_no: int) -> dict[str, str] | None:
    """The `{name=value ...}` at the end of a heading; None (and a problem) when unreadable."""
    found: dict[str, str] = {}
    for token in re.sub(r"\s*=\s*", "=", source or "").split():
        match = ATTRIBUTE.match(token)
        if not match:
            doc.report(N_('"%(token)s" in the heading\'s braces is not an attribute: write '
                          "{lesson=slug} or {lesson=slug type=multiple}"), line=line_no,
                       token=token)
            return None
        name = match.group("name")
        if name not in ATTRIBUTES:
            doc.report(N_('unknown attribute "%(name)s" in the heading: use %(names)s'),
                       line=line_no, name=name, names=", ".join(ATTRIBUTES))
            return None
        if name in found:
            doc.report(N_('"%(name)s" is given twice in the heading'), line=line_no, name=name)
            return None
        found[name] = match.group("value")
    return found
