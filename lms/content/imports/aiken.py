"""Aiken, the simplest Moodle format: a question, lettered options, then `ANSWER: B`.

https://docs.moodle.org/en/Aiken_format. It has one right option and no feedback, so every
converted question gets the placeholder explanation and a warning.
"""
from __future__ import annotations

import re

from lms.content.imports.model import ImportedOption, ImportedQuestion, Problems
from lms.wording import N_

OPTION = re.compile(r"^\s*([A-Za-z])\s*[.)]\s+(\S.*)$")
ANSWER = re.compile(r"^\s*ANSWER\s*:\s*(\S*)\s*$", re.IGNORECASE)


def parse_aiken(path: str, text: str) -> tuple[list[ImportedQuestion], list]:
    problems = Problems(path)
    questions: list[ImportedQuestion] = []
    prompt: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def reset() -> None:
        prompt.clear()
        options.clear()

    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        answer, option = ANSWER.match(line), OPTION.match(line)
        if answer:
            if not prompt or not options:
                problems.error(number, N_("ANSWER: comes before a question and its lettered "
                                          "options: nothing was converted here"))
            else:
                question = _question(problems, start, number, prompt, options, answer.group(1))
                if question:
                    questions.append(question)
            reset()
        elif option and prompt:
            options.append((option.group(1).upper(), option.group(2).strip()))
        elif options:  # text after the options, with no ANSWER: line between
            problems.error(start, N_('this question has no "ANSWER: letter" line after its '
                                     "options: it was left out"))
            reset()
            prompt.append(line.strip())
            start = number
        else:
            if not prompt:
                start = number
            prompt.append(line.strip())
    if prompt:
        problems.error(start, N_('the last question has no "ANSWER: letter" line: it was left '
                                 "out"))
    return questions, problems.items


def _question(problems: Problems, start: int, answer_line: int, prompt: list[str],
              options: list[tuple[str, str]], letter: str) -> ImportedQuestion | None:
    letters = [option_letter for option_letter, _ in options]
    if len(options) < 2:
        problems.error(start, N_("a question needs at least two options: it was left out"))
        return None
    if len(set(letters)) != len(letters):
        problems.error(start, N_("two options have the same letter (%(letters)s): the "
                                 "question was left out"), letters=", ".join(letters))
        return None
    if letter.upper() not in letters:
        problems.error(answer_line, N_('ANSWER: "%(letter)s" is not one of the option letters '
                                       "%(letters)s: the question was left out"),
                       letter=letter, letters=", ".join(letters))
        return None
    return ImportedQuestion(start, "\n".join(prompt), tuple(
        ImportedOption(text, option_letter == letter.upper()) for option_letter, text in options))
