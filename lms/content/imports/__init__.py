"""Turns Moodle question files (GIFT, Aiken, Moodle XML) into our quiz format.

Pure functions: a file's bytes in, a quiz file's Markdown and every problem out, each as
`path:line: message`. The Markdown is read back by the loader's own `parse_questions`, so a
converted file is known to load before a trainer ever saves it.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from lms.content.frontmatter import SLUG_PATTERN, parse_document
from lms.content.imports.aiken import parse_aiken
from lms.content.imports.gift import parse_gift
from lms.content.imports.model import MAX_IMPORT_BYTES, ImportedQuestion, Problems
from lms.content.imports.moodle_xml import parse_moodle_xml
from lms.content.markdown import MarkdownRenderer
from lms.content.quiz_checks import PLACEHOLDER_EXPLANATION, check_quality
from lms.content.quizzes import parse_questions
from lms.content.schema import Problem
from lms.wording import N_

FORMATS = ("gift", "aiken", "moodle-xml")
PASS_MARK = 80
PER_ATTEMPT = 10


@dataclass(frozen=True)
class Conversion:
    markdown: str | None  # None when no question could be converted
    converted: int
    problems: tuple[Problem, ...]
    output_path: str

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)


def detect_format(filename: str, data: bytes) -> str | None:
    """The format by the file's name, else by what it contains; None when it cannot be told."""
    suffix = PurePath(filename).suffix.lower()
    head = data[:1000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".xml" or head.startswith(b"<?xml") or head.startswith(b"<quiz"):
        return "moodle-xml"
    if suffix == ".gift":
        return "gift"
    text = data.decode("utf-8", "replace")
    if re.search(r"(?im)^\s*ANSWER\s*:\s*[A-Z]\s*$", text):
        return "aiken"
    if re.search(r"\{[^}]*\}", text):
        return "gift"
    return None


def slug_from(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = plain.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-") or "course"


def convert(filename: str, data: bytes, course: str | None = None, lesson: str | None = None,
            source_format: str | None = None, output_path: str | None = None) -> Conversion:
    """The quiz file for `data`, named `filename` in messages."""
    stem = PurePath(filename).stem
    course_slug = course or slug_from(stem)
    output_path = output_path or f"quizzes/{course_slug}.md"
    problems = Problems(filename)
    if len(data) > MAX_IMPORT_BYTES:
        problems.error(1, N_("the file is larger than %(size)d MB: export fewer questions at a "
                             "time (one category, say)"), size=MAX_IMPORT_BYTES // (1024 * 1024))
        return Conversion(None, 0, tuple(problems.items), output_path)
    for value, message in (
            (course, N_('"%(value)s" is not a course slug: use lowercase letters, digits and '
                        "hyphens, like the folder or file name")),
            (lesson, N_('"%(value)s" is not a lesson slug: use lowercase letters, digits and '
                        "hyphens, like the folder or file name"))):
        if value is not None and not SLUG_PATTERN.match(value):
            problems.error(1, message, value=value)
    if problems.items:
        return Conversion(None, 0, tuple(problems.items), output_path)
    source_format = source_format or detect_format(filename, data)
    if source_format == "moodle-xml":
        questions, found = parse_moodle_xml(filename, data)
    elif source_format in ("gift", "aiken"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[:error.start].count(b"\n") + 1
            problems.error(line, N_("the file is not UTF-8 text, so Vietnamese letters would be "
                                    "garbled: save it as UTF-8 and import it again"))
            return Conversion(None, 0, tuple(problems.items), output_path)
        parse = parse_gift if source_format == "gift" else parse_aiken
        questions, found = parse(filename, text)
    else:
        problems.error(1, N_("this is not a GIFT, Aiken or Moodle XML file (or its kind cannot "
                             "be told): name it .gift, .txt or .xml, or choose the format"))
        return Conversion(None, 0, tuple(problems.items), output_path)
    problems.items += found
    for question in questions:
        if not _explanation(question):
            problems.warning(question.line, N_("the question has no feedback to explain the "
                                               "right answer: a placeholder was written; "
                                               "replace it"))
    problems.items.sort(key=lambda problem: problem.line)
    if not questions:
        problems.error(1, N_("no question could be converted: nothing was written"))
        return Conversion(None, 0, tuple(problems.items), output_path)
    if course is None:
        problems.warning(1, N_('no course was given: the quiz says "course: %(course)s"; '
                               "change it to the course's folder name"), course=course_slug)
    markdown = quiz_markdown(questions, course_slug, f"Bài kiểm tra: {stem}", lesson)
    return Conversion(markdown, len(questions),
                      tuple(problems.items) + _read_back(output_path, markdown, len(questions)),
                      output_path)


def _read_back(path: str, markdown: str, expected: int) -> tuple[Problem, ...]:
    """What our loader says about the file written: the proof that it loads."""
    doc = parse_document(path, markdown)
    _intro, parsed = parse_questions(doc, MarkdownRenderer())
    check_quality(doc, parsed)
    if len(parsed) != expected:  # a converter bug, never the trainer's: say so plainly
        doc.report(N_("only %(loaded)d of %(expected)d converted questions load: please "
                      "report this file to the developers"), line=1, loaded=len(parsed),
                   expected=expected)
    return tuple(doc.problems)


# Markdown would read these as formatting; the source meant them as text.
INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}])")
LINE_START_SPECIAL = re.compile(r"^(#|>|[-+=]|\d+[.)])")


def markdown_text(line: str) -> str:
    line = INLINE_SPECIAL.sub(r"\\\1", line.strip()).replace("<", "&lt;")
    return LINE_START_SPECIAL.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], line)


def _paragraphs(text: str) -> list[str]:
    """Each line of the source as its own paragraph, so its line breaks survive."""
    return [markdown_text(line) for line in text.split("\n") if line.strip()]


def _explanation(question: ImportedQuestion) -> list[str]:
    lines = _paragraphs(question.feedback)
    for option in question.options:
        if option.feedback.strip():
            feedback = " ".join(option.feedback.split())
            lines.append(f"Nếu chọn “{markdown_text(option.text)}”: {markdown_text(feedback)}")
    return lines


def quiz_markdown(questions: list[ImportedQuestion], course: str, title: str,
                  lesson: str | None) -> str:
    parts = ["---", f"course: {course}", f"title: {json.dumps(title, ensure_ascii=False)}",
             f"pass_mark: {PASS_MARK}",
             f"questions_per_attempt: {min(PER_ATTEMPT, len(questions))}", "---", ""]
    for question in questions:
        heading, *scenario = _paragraphs(question.text) or ["?"]
        attributes = f" {{lesson={lesson}}}" if lesson else ""
        parts.append(f"## {heading}{attributes}")
        parts.append("")
        for paragraph in scenario:
            parts += [paragraph, ""]
        for option in question.options:
            mark = "x" if option.right else " "
            parts.append(f"- [{mark}] {markdown_text(' '.join(option.text.split()))}")
        parts.append("")
        for paragraph in _explanation(question) or [PLACEHOLDER_EXPLANATION]:
            parts += [paragraph, ""]
    return "\n".join(parts)
