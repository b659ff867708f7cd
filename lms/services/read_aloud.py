"""Recorded reading of lessons, for phones with no voice of their own for the language: each
paragraph spoken by espeak-ng, encoded small with Opus, and named by what it says (a paragraph
left unchanged is never made again; a changed one gets a new name, so files cache forever).

The paragraphs are the page's own: the innermost h1-h4, p and li blocks of the lesson, in order,
the same ones read-aloud.js highlights (its selector and PARAGRAPH_TAGS must agree)."""
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

from lms.content.schema import Course, Lesson

PARAGRAPH_TAGS = ("h1", "h2", "h3", "h4", "p", "li")
# espeak-ng voices; Vietnamese is Debian's Northern voice, the one most learners understand.
VOICES = {"vi": "vi", "en": "en-gb"}
# Opus for speech: mono, 16 kbit/s is clear for a synthetic voice and ~2 KB a second.
OPUS_BITRATE_KBPS = 16


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


def make_course_audio(course: Course, folder: Path, languages=("vi", "en")) -> list[LessonAudio]:
    """Speaks every paragraph of every lesson of `course` not spoken yet, into `folder`, and
    writes for each lesson and language the list of its paragraphs' files."""
    if not (shutil.which("espeak-ng") and shutil.which("opusenc")):
        raise AudioToolsMissing()
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for lesson in course.lessons:
        for language in languages:
            if not lesson.texts.has(language):
                continue
            names, new = [], 0
            for text in lesson_paragraphs(lesson, language):
                name = file_name(language, text)
                if not (folder / name).exists():
                    _speak(text, language, folder / name)
                    new += 1
                names.append(name)
            (folder / list_name(course, lesson, language)).write_text(json.dumps(names))
            made.append(LessonAudio(course.slug, lesson.slug, language, len(names), new,
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
