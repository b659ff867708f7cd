"""Moodle XML, the format of Moodle's question bank export: multichoice and truefalse convert.

https://docs.moodle.org/en/Moodle_XML_format. Parsed with defusedxml, which refuses entity
declarations and external references (the "billion laughs" bomb and XXE), after the size
bound in model.py.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from lms.content.imports.model import (IMAGE_NOT_CONVERTED, ImportedOption, ImportedQuestion,
                                       Problems, image_name, text_from_html)
from lms.wording import N_

CONVERTED = ("multichoice", "truefalse")
NO_POSITIVE_FRACTION = N_("no answer has a positive fraction: the question was left out")
NOT_QUESTIONS = ("category",)


class _LineNumbering(ET.TreeBuilder):
    """Keeps the line of each start tag, for messages; defusedxml's parser is expat's."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: dict[ET.Element, int] = {}

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber  # type: ignore[union-attr]
        return element


def parse_moodle_xml(path: str, data: bytes) -> tuple[list[ImportedQuestion], list]:
    problems = Problems(path)
    builder = _LineNumbering()
    parser = DefusedXMLParser(target=builder)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException:
        problems.error(1, N_("the file declares XML entities or external references, which are "
                             "refused for safety: export the questions from Moodle again"))
        return [], problems.items
    except ET.ParseError as error:
        line = error.position[0] if error.position else 1
        problems.error(line, N_("this is not well-formed XML (%(error)s): export the "
                                "questions from Moodle again"), error=str(error))
        return [], problems.items
    if root.tag != "quiz":
        problems.error(1, N_("a Moodle XML file starts with <quiz>, not <%(tag)s>"),
                       tag=root.tag)
        return [], problems.items
    questions = []
    for element in root.iter("question"):
        kind = element.get("type", "")
        line = builder.lines.get(element, 1)
        if kind in NOT_QUESTIONS:
            continue
        if kind not in CONVERTED:
            name = _text(element.find("name"))
            problems.error(line, N_('question "%(name)s" is of type %(kind)s, which cannot be '
                                    "converted (only multichoice and truefalse can): it was "
                                    "left out"), name=name, kind=kind or "(none)")
            continue
        question = _question(problems, element, line, kind)
        if question:
            questions.append(question)
    return questions, problems.items


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    node = element.find("text")
    return (node.text or "").strip() if node is not None else ""


def _plain(problems: Problems, element: ET.Element | None, line: int) -> str:
    """Text of a Moodle text field; HTML turned into plain lines, images reported."""
    source = _text(element)
    if element is None or element.get("format", "html") not in ("html", "moodle_auto_format"):
        return source
    text, images = text_from_html(source)
    for src in images:
        problems.warning(line, IMAGE_NOT_CONVERTED, image=image_name(src))
    return text


def _fraction(problems: Problems, answer: ET.Element, line: int) -> float | None:
    try:
        return float(answer.get("fraction", "0"))
    except ValueError:
        problems.error(line, N_('fraction="%(fraction)s" is not a number: the question was '
                                "left out"), fraction=answer.get("fraction"))
        return None


def _question(problems: Problems, element: ET.Element, line: int,
              kind: str) -> ImportedQuestion | None:
    prompt = _plain(problems, element.find("questiontext"), line)
    if not prompt:
        problems.error(line, N_("the question has no text: it was left out"))
        return None
    general = _plain(problems, element.find("generalfeedback"), line)
    answers = []
    for answer in element.findall("answer"):
        fraction = _fraction(problems, answer, line)
        if fraction is None:
            return None
        text = " ".join(_plain(problems, answer, line).split())
        answers.append((text, fraction, _plain(problems, answer.find("feedback"), line)))
    if kind == "truefalse":
        return _true_false(problems, line, prompt, general, answers)
    if len(answers) < 2 or any(not text for text, _, _ in answers):
        problems.error(line, N_("a question needs at least two answers, each with text: it was "
                                "left out"))
        return None
    single = (element.findtext("single") or "true").strip().lower() in ("true", "1")
    if single:
        best = max(fraction for _, fraction, _ in answers)
        if best <= 0:
            problems.error(line, NO_POSITIVE_FRACTION)
            return None
        rights = [fraction == best for _, fraction, _ in answers]
        partial = sorted({f"{f:g}%" for _, f, _ in answers if 0 < f < best})
        if partial:
            problems.warning(line, N_("answers with part credit (%(weights)s) count as wrong "
                                      "here: only the best answer is right"),
                             weights=", ".join(partial))
    else:
        rights = [fraction > 0 for _, fraction, _ in answers]
        if not any(rights):
            problems.error(line, NO_POSITIVE_FRACTION)
            return None
        problems.warning(line, N_("Moodle gives part marks for each right answer ticked "
                                  "(%(weights)s); here it is all or nothing: the learner must "
                                  "tick exactly the right answers"),
                         weights=", ".join(f"{f:g}%" for _, f, _ in answers))
    options = tuple(ImportedOption(text, right, feedback)
                    for (text, _, feedback), right in zip(answers, rights, strict=True))
    return ImportedQuestion(line, prompt, options, general)


def _true_false(problems: Problems, line: int, prompt: str, general: str,
                answers: list[tuple[str, float, str]]) -> ImportedQuestion | None:
    by_word = {text.lower(): (fraction, feedback) for text, fraction, feedback in answers}
    if len(answers) != 2 or not ({"true", "false"} <= by_word.keys()):
        problems.error(line, N_('a truefalse question needs the answers "true" and "false": it '
                                "was left out"))
        return None
    true_fraction, true_feedback = by_word["true"]
    false_fraction, false_feedback = by_word["false"]
    if true_fraction == false_fraction:
        problems.error(line, N_("true and false have the same fraction, so neither is right: "
                                "the question was left out"))
        return None
    true_right = true_fraction > false_fraction
    return ImportedQuestion(line, prompt, (ImportedOption("Đúng", true_right, true_feedback),
                                           ImportedOption("Sai", not true_right, false_feedback)),
                            general)
