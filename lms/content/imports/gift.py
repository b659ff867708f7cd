"""GIFT, Moodle's plain-text question format: multiple choice and true/false are converted.

https://docs.moodle.org/en/GIFT_format: questions are separated by blank lines, `//` starts a
comment line, `$CATEGORY:` names a category, `::title::` a question's name, `{...}` holds
the answers (`=` right, `~` wrong, `~%50%` a weight, `#` feedback, `####` general
feedback) and `\\~ \\= \\# \\{ \\} \\:` are the characters themselves.
"""
from __future__ import annotations

import re

from lms.content.imports.model import (IMAGE_NOT_CONVERTED, ImportedOption, ImportedQuestion,
                                       Problems, image_name, text_from_html)
from lms.wording import N_

# Escaped characters stand in the Unicode private-use area while the text is split, so a
# `\=` inside an answer never starts another answer.
ESCAPABLE = "~=#{}:\\"
HIDDEN = {char: chr(0xE000 + n) for n, char in enumerate(ESCAPABLE)}
SHOWN = {hidden: char for char, hidden in HIDDEN.items()}
ESCAPE = re.compile(r"\\(.)", re.DOTALL)
TITLE = re.compile(r"^\s*::(.*?)::", re.DOTALL)
TEXT_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
TRUE_FALSE = re.compile(r"(?i)\s*(T|TRUE|F|FALSE)\s*(#.*)?", re.DOTALL)
WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")


def _hide(text: str) -> str:
    def replace(match: re.Match) -> str:
        char = match.group(1)
        if char == "n":
            return "\n"
        return HIDDEN.get(char, match.group(0))
    return ESCAPE.sub(replace, text)


def _show(text: str) -> str:
    return "".join(SHOWN.get(char, char) for char in text)


def _blocks(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each question: lines between blank lines, comments left out."""
    blocks, current, start = [], [], 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        if not stripped:
            if current:
                blocks.append((start, "\n".join(current)))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def parse_gift(path: str, text: str) -> tuple[list[ImportedQuestion], list]:
    problems = Problems(path)
    questions = []
    for line, block in _blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if block.lstrip().startswith("$CATEGORY:"):
            _category, _, block = block.partition("\n")
            line += 1
            if not block.strip():
                continue  # categories group questions in Moodle; our quiz has one list
        question = _question(problems, line, _hide(block))
        if question:
            questions.append(question)
    return questions, problems.items


def _question(problems: Problems, line: int, block: str) -> ImportedQuestion | None:
    block = TITLE.sub("", block, count=1)
    text_format = TEXT_FORMAT.match(block)
    is_html = bool(text_format) and text_format.group(1).lower() in ("html", "moodle")
    if text_format:
        block = block[text_format.end():]
    opening = block.find("{")
    if opening < 0:
        problems.error(line, N_("this has no answers in braces {...}: a description, not a "
                                "question; it was left out"))
        return None
    closing = block.find("}", opening)
    if closing < 0:
        problems.error(line + block.count("\n", 0, opening),
                       N_("the answers' brace { is never closed with }: the question was left "
                          "out"))
        return None
    answers = block[opening + 1:closing].strip()
    before, after = block[:opening].strip(), block[closing + 1:].strip()
    # A missing-word question ("Moodle costs {~lots =nothing} to download") keeps its gap.
    prompt = f"{before} _____ {after}" if after else before
    general = ""
    if "####" in answers:
        answers, general = (part.strip() for part in answers.split("####", 1))

    def clean(value: str) -> str:
        value = _show(value.strip())
        if not is_html:
            return value
        plain, images = text_from_html(value)
        for src in images:
            problems.warning(line, IMAGE_NOT_CONVERTED, image=image_name(src))
        return plain

    true_false = TRUE_FALSE.fullmatch(answers)
    if true_false:
        right_is_true = true_false.group(1).upper().startswith("T")
        feedbacks = [clean(part) for part in (true_false.group(2) or "").split("#")[1:]]
        # GIFT: {TRUE#said when the answer is wrong#said when it is right}
        wrong_feedback = feedbacks[0] if feedbacks else ""
        right_feedback = feedbacks[1] if len(feedbacks) > 1 else ""
        options = (ImportedOption("Đúng", right_is_true,
                                  right_feedback if right_is_true else wrong_feedback),
                   ImportedOption("Sai", not right_is_true,
                                  wrong_feedback if right_is_true else right_feedback))
        return ImportedQuestion(line, clean(prompt), options, clean(general))
    kind = _unsupported_kind(answers)
    if kind:
        problems.error(line, N_("GIFT %(kind)s questions cannot be converted (only multiple "
                                "choice and true/false can): the question was left out"),
                       kind=kind)
        return None
    options = _options(problems, line, answers, clean)
    if options is None:
        return None
    return ImportedQuestion(line, clean(prompt), tuple(options), clean(general))


def _unsupported_kind(answers: str) -> str | None:
    if not answers:
        return "essay"
    if answers.startswith("#"):
        return "numerical"
    if "->" in answers:
        return "matching"
    if "~" not in answers:
        return "short-answer"
    return None


def _options(problems: Problems, line: int, answers: str, clean) -> list[ImportedOption] | None:
    marks = list(re.finditer(r"[=~]", answers))
    raw = []
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(answers)
        body = answers[mark.end():end]
        weight_match = WEIGHT.match(body)
        weight = float(weight_match.group(1)) if weight_match else None
        if weight_match:
            body = body[weight_match.end():]
        text, _, feedback = body.partition("#")
        raw.append((mark.group(), weight, " ".join(clean(text).split()), clean(feedback)))
    if any(not text for _, _, text, _ in raw):
        problems.error(line, N_("an answer has no text: the question was left out"))
        return None
    has_equals = any(mark == "=" for mark, _, _, _ in raw)
    partial = [w for mark, w, _, _ in raw if mark == "~" and w is not None and w != 0]
    if has_equals:
        options = [ImportedOption(text, mark == "=", feedback) for mark, _, text, feedback in raw]
        if any(w > 0 for w in partial):
            problems.warning(line, N_("answers with part credit (~%50%...) count as wrong here: "
                                      "only the answers marked = are right"))
    else:
        options = [ImportedOption(text, (w or 0) > 0, feedback) for _, w, text, feedback in raw]
        if not any(option.right for option in options):
            problems.error(line, N_("no answer is marked right (= or a positive ~%weight%): the "
                                    "question was left out"))
            return None
        problems.warning(line, N_("part-credit weights (%(weights)s) become all or nothing: the "
                                  "learner must tick exactly the answers with a positive "
                                  "weight"), weights=", ".join(f"{w:g}%" for w in partial))
    return options
