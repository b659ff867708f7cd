"""Typed, immutable objects that the loader builds from the trainers' files."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, Mapping, TypeVar

from lms.wording import Gettext, in_english

DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")
AUDIENCES = ("citizen", "civil-servant")
LEVELS = ("basic", "intermediate", "advanced", "specialist")

T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located the way a trainer finds it."""

    path: str
    line: int
    message: str  # in English
    severity: str = "error"
    # The message as the catalog knows it (its English with %(name)s for the values) and the
    # values, so that it can be shown in the reader's language; none for a message from
    # elsewhere (a library's error), shown as it is.
    message_id: str = field(default="", compare=False)
    values: tuple[tuple[str, object], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, path: str, line: int, message_id: str, severity: str = "error",
           **values) -> "Problem":
        """A problem whose message is a catalog message (marked with N_) filled with values."""
        return cls(path, line, message_id % values if values else message_id, severity,
                   message_id, tuple(values.items()))

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def worded(self, gettext: Gettext = in_english) -> str:
        if not self.message_id:
            return self.message
        text = gettext(self.message_id)
        return text % dict(self.values) if self.values else text

    def located(self, gettext: Gettext = in_english) -> str:
        """As `flask content check` prints it: path:line: message."""
        prefix = "" if self.is_error else gettext("warning:") + " "
        return f"{self.path}:{self.line}: {prefix}{self.worded(gettext)}"

    def __str__(self) -> str:
        return self.located()


@dataclass(frozen=True)
class Localized(Generic[T]):
    """A value in several languages; asking for a missing one falls back to the original."""

    original_language: str
    entries: tuple[tuple[str, T], ...]  # a tuple, not a dict: immutable and picklable

    def get(self, language: str) -> T:
        for entry_language, value in self.entries:
            if entry_language == language:
                return value
        return self.get(self.original_language) if language != self.original_language else None

    def has(self, language: str) -> bool:
        return any(entry_language == language for entry_language, _ in self.entries)

    @classmethod
    def of(cls, original_language: str, values: dict[str, T]) -> "Localized[T]":
        return cls(original_language, tuple(sorted(values.items())))


@dataclass(frozen=True)
class LessonText:
    title: str
    html: str


@dataclass(frozen=True)
class Lesson:
    slug: str
    position: int
    minutes: int | None
    texts: Localized[LessonText]
    content_hash: str
    source: str

    def title(self, language: str) -> str:
        return self.texts.get(language).title


@dataclass(frozen=True)
class QuestionText:
    prompt_html: str
    options_html: tuple[str, ...]
    explanation_html: str


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    correct: frozenset[int]
    texts: Localized[QuestionText]
    lesson: str | None = None  # the slug of the lesson this question tests

    @property
    def option_count(self) -> int:
        return len(self.texts.get(self.texts.original_language).options_html)


@dataclass(frozen=True)
class QuizText:
    title: str
    intro_html: str


# What a learner is shown after an attempt, from least to most; each level adds to the one
# before. Naming the right option lets a script learn the answer key in a few attempts.
FEEDBACK_LEVELS = ("score", "questions", "explanations", "answers")


@dataclass(frozen=True)
class Feedback:
    level: str

    def shows(self, level: str) -> bool:
        """Whether this feedback includes `level` (one of FEEDBACK_LEVELS)."""
        return FEEDBACK_LEVELS.index(self.level) >= FEEDBACK_LEVELS.index(level)


@dataclass(frozen=True)
class AttemptRules:
    """How a quiz resists answer harvesting; each default teaches without handing over the key."""

    # After a failure: the score and the lessons to read again, not which question was wrong
    # (a script retrying at once learns the key from per-question verdicts in a few attempts).
    after_failed: Feedback = Feedback("score")
    after_passed: Feedback = Feedback("explanations")
    retry_wait_minutes: int = 5  # after a failed attempt, before the next can be drawn
    attempts_per_day: int = 5  # submitted attempts per learner and Vietnam calendar day

    def feedback(self, passed: bool) -> Feedback:
        return self.after_passed if passed else self.after_failed


@dataclass(frozen=True)
class Quiz:
    course_slug: str
    pass_mark: int
    questions_per_attempt: int
    questions: tuple[Question, ...]
    texts: Localized[QuizText]
    content_hash: str
    source: str
    rules: AttemptRules = AttemptRules()

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)


@dataclass(frozen=True)
class CourseText:
    title: str
    summary: str
    intro_html: str


@dataclass(frozen=True)
class Course:
    slug: str
    audience: tuple[str, ...]
    competences: tuple[str, ...]
    level: str
    minutes: int
    texts: Localized[CourseText]
    lessons: tuple[Lesson, ...]
    assets: frozenset[str]
    directory: str
    quiz: Quiz | None = None

    def title(self, language: str) -> str:
        return self.texts.get(language).title

    def lesson(self, slug: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.slug == slug), None)


@dataclass(frozen=True)
class ProgramText:
    title: str
    description_html: str


@dataclass(frozen=True)
class Program:
    slug: str
    courses: tuple[str, ...]
    audience: tuple[str, ...]
    competences: tuple[str, ...]
    template: str
    texts: Localized[ProgramText]
    source: str
    # Group numbers of Decision 757/QĐ-BKHCN's framework, e.g. ("0", "4"); see competences.py.
    decision_757_groups: tuple[str, ...] = ()

    def title(self, language: str) -> str:
        return self.texts.get(language).title


@dataclass(frozen=True)
class CertificateTemplate:
    name: str
    directory: str


@dataclass(frozen=True)
class Catalog:
    content_dir: str
    courses: tuple[Course, ...] = ()
    programs: tuple[Program, ...] = ()
    templates: Mapping[str, CertificateTemplate] = field(default_factory=lambda: MappingProxyType({}))
    problems: tuple[Problem, ...] = ()
    # Courses served with errors in their files or quiz: readable, but never a path to a
    # certificate until a trainer fixes them (services/record.py).
    withheld: frozenset[str] = frozenset()

    def course(self, slug: str) -> Course | None:
        return next((course for course in self.courses if course.slug == slug), None)

    def program(self, slug: str) -> Program | None:
        return next((program for program in self.programs if program.slug == slug), None)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    def problems_in(self, source: str) -> tuple[Problem, ...]:
        """The problems of a file and of its translations (x.md, x.en.md)."""
        stem = source.removesuffix(".md")
        return tuple(p for p in self.problems if p.path == source or (
            p.path.startswith(stem + ".") and len(p.path) == len(stem) + 6))

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)
