"""Recorded reading of lessons and quiz questions, for phones with no voice of their own for the
language: each paragraph (each option) spoken by espeak-ng, encoded small with Opus, and named by
what it says (a text left unchanged is never made again; a changed one gets a new name, so files
cache forever).

The paragraphs are the page's own: the innermost h1-h4, p and li blocks of the lesson, in order,
the same ones read-aloud.js highlights (its selector and PARAGRAPH_TAGS must agree). A question
is read as its page shows it: the prompt's paragraphs, the hint where several options may be
right, then one clip per option, so the page plays them in whatever order the attempt shows."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.content.questions import QUESTION_TYPES
from lms.content.schema import Course, Lesson, Question
from lms.i18n import BABEL_LOCALES

PARAGRAPH_TAGS = ("h1", "h2", "h3", "h4", "p", "li")
# espeak-ng voices; Vietnamese is Debian's Northern voice, the one most learners understand.
VOICES = {"vi": "vi", "en": "en-gb"}
# Opus for speech: mono, 16 kbit/s is clear for a synthetic voice and ~2 KB a second.
OPUS_BITRATE_KBPS = 16
# Said above the options where several may be right; the quiz page prints this very text
# (templates/quiz/_question.html), so the recording says what the page shows.
MULTIPLE_ANSWERS_HINT = _l("Choose every right answer.")


class AudioToolsMissing(Exception):
    """espeak-ng or opusenc is not installed."""


class _Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []  # [tag, text parts, has a paragraph inside]
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in PARAGRAPH_TAGS:
            for outer in self.open:
                outer[2] = True
            self.open.append([tag, [], False])

    def handle_endtag(self, tag):
        if tag in PARAGRAPH_TAGS and self.open and self.open[-1][0] == tag:
            _, parts, has_inner = self.open.pop()
            text = " ".join("".join(parts).split())
            if text and not has_inner:
                self.found.append(text)

    def handle_data(self, data):
        for block in self.open:
            block[1].append(data)


def paragraphs(html: str) -> list[str]:
    """The text of each innermost paragraph block of `html`, in order."""
    parser = _Paragraphs()
    parser.feed(html)
    parser.close()
    return parser.found


def lesson_paragraphs(lesson: Lesson, language: str) -> list[str]:
    text = lesson.texts.get(language)
    return paragraphs(f"<h1>{escape(text.title)}</h1>{text.html}")


def file_name(language: str, text: str) -> str:
    return hashlib.sha256(f"{VOICES[language]}|{OPUS_BITRATE_KBPS}|{text}".encode()).hexdigest()[
        :24] + ".opus"


def is_file_name(name: str) -> bool:
    stem, _, suffix = name.partition(".")
    return suffix == "opus" and len(stem) == 24 and all(c in "0123456789abcdef" for c in stem)


def list_name(course: Course, lesson: Lesson, language: str) -> str:
    return f"{course.slug}--{lesson.slug}.{language}.json"


@dataclass(frozen=True)
class LessonAudio:
    course: str
    lesson: str
    language: str
    files: int
    made: int  # newly spoken this time (the others were kept)
    total_bytes: int


def _speak(text: str, language: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        wav = Path(work) / "p.wav"
        subprocess.run(["espeak-ng", "-v", VOICES[language], "-s", "150", "-w", str(wav), text],
                       check=True, capture_output=True)
        partial = target.with_suffix(".part")
        subprocess.run(["opusenc", "--quiet", "--bitrate", str(OPUS_BITRATE_KBPS),
                        "--downmix-mono", str(wav), str(partial)], check=True, capture_output=True)
        partial.replace(target)  # never a half-written file under the final name


def _check_tools() -> None:
    if not (shutil.which("espeak-ng") and shutil.which("opusenc")):
        raise AudioToolsMissing()


def _record(folder: Path, language: str, text: str) -> tuple[str, bool]:
    """The file saying `text`, spoken now unless it was already: (its name, whether new)."""
    name = file_name(language, text)
    if (folder / name).exists():
        return name, False
    _speak(text, language, folder / name)
    return name, True


def make_course_audio(course: Course, folder: Path, languages=("vi", "en")) -> list[LessonAudio]:
    """Speaks every paragraph of every lesson of `course` not spoken yet, into `folder`, and
    writes for each lesson and language the list of its paragraphs' files."""
    _check_tools()
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for lesson in course.lessons:
        for language in languages:
            if not lesson.texts.has(language):
                continue
            recorded = [_record(folder, language, text)
                        for text in lesson_paragraphs(lesson, language)]
            names = [name for name, _ in recorded]
            (folder / list_name(course, lesson, language)).write_text(json.dumps(names))
            made.append(LessonAudio(course.slug, lesson.slug, language, len(names),
                                    sum(new for _, new in recorded),
                                    sum((folder / name).stat().st_size for name in names)))
    return made


def lesson_audio_files(folder: Path, course: Course, lesson: Lesson,
                       language: str) -> list[str] | None:
    """The files reading the lesson, paragraph by paragraph; None if not made (or outdated)."""
    listing = folder / list_name(course, lesson, language)
    if not listing.is_file():
        return None
    names = json.loads(listing.read_text())
    expected = [file_name(language, text) for text in lesson_paragraphs(lesson, language)]
    return names if names == expected else None


@dataclass(frozen=True)
class QuestionReading:
    """A question as its page shows it and read-aloud.js reads it. Made of what the learner
    sees before submitting and nothing else: never which option is right, never the
    explanation (so no recording can say them, or differ by them)."""

    language: str  # of the question's words: its own language where it is not translated
    prompt: tuple[str, ...]  # the prompt's paragraphs
    hint: str | None  # MULTIPLE_ANSWERS_HINT where several options may be right
    hint_language: str  # the page's
    options: tuple[str, ...]  # as the quiz file lists them; the page shows the drawn order

    @property
    def whole_prompt(self) -> str:
        """The prompt as one clip, for the plain <audio> of a page without JavaScript."""
        return " ".join(self.prompt)

    def spoken(self) -> list[tuple[str, str]]:
        """Every (language, text) recorded for this question."""
        texts = [(self.language, text) for text in (*self.prompt, self.whole_prompt,
                                                    *self.options)]
        return texts + ([(self.hint_language, self.hint)] if self.hint else [])


@dataclass(frozen=True)
class QuestionClips:
    """The recorded files reading a question, block by block (file names)."""

    prompt: tuple[str, ...]
    hint: str | None
    options: tuple[str, ...]  # by the option's place in the quiz file, as the page looks it up
    whole_prompt: str


def question_reading(question: Question, language: str) -> QuestionReading:
    """What a `language` page of `question` reads aloud (in an app context: the hint is
    translated)."""
    text = question.texts.get(language)
    hint = None
    if QUESTION_TYPES[question.kind].multiple_answers:
        with force_locale(BABEL_LOCALES[language]):
            hint = str(MULTIPLE_ANSWERS_HINT)
    words = language if question.texts.has(language) else question.texts.original_language
    return QuestionReading(words, tuple(paragraphs(text.prompt_html)), hint, language,
                           tuple(" ".join(paragraphs(f"<p>{option}</p>")) for option in
                                 text.options_html))


def question_clips(folder: Path, reading: QuestionReading) -> QuestionClips | None:
    """The clips reading the question; None unless every one of them is made: a page never
    offers half a question, and never some options without the others."""
    clips = QuestionClips(tuple(file_name(reading.language, text) for text in reading.prompt),
                          file_name(reading.hint_language, reading.hint) if reading.hint else None,
                          tuple(file_name(reading.language, text) for text in reading.options),
                          file_name(reading.language, reading.whole_prompt))
    names = {*clips.prompt, *clips.options, clips.whole_prompt, *filter(None, [clips.hint])}
    empty = not all(reading.prompt) or not all(reading.options)
    return None if empty or not all((folder / name).is_file() for name in names) else clips


Readings = dict[str, tuple[QuestionReading, QuestionClips | None]]


def page_readings(folder: Path, questions: list[Question], language: str) -> Readings:
    """{question key: (its reading, its clips or None)} for a quiz page in `language`."""
    found = {}
    for question in questions:
        reading = question_reading(question, language)
        found[question.key] = (reading, question_clips(folder, reading))
    return found


@dataclass(frozen=True)
class QuizAudio:
    course: str
    language: str
    questions: int
    files: int
    made: int  # newly spoken this time (the others were kept)
    total_bytes: int


def make_quiz_audio(course: Course, folder: Path, languages=("vi", "en")) -> list[QuizAudio]:
    """Speaks every question of the course's quiz, each paragraph of its prompt and each of its
    options, as the quiz page in each of `languages` shows it, into `folder` (in an app
    context). A question not translated is shown, and spoken, in its own language."""
    _check_tools()
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for language in languages:
        recorded = {}
        for question in course.quiz.questions:
            for spoken_in, text in question_reading(question, language).spoken():
                if text and (spoken_in, text) not in recorded:
                    recorded[spoken_in, text] = _record(folder, spoken_in, text)
        names = {name for name, _ in recorded.values()}
        made.append(QuizAudio(course.slug, language, len(course.quiz.questions), len(names),
                              sum(new for _, new in recorded.values()),
                              sum((folder / name).stat().st_size for name in names)))
    return made
