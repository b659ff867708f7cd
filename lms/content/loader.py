"""Builds the catalog from a content folder in phases: collect files, parse, render, cross-check.

Every problem is collected with its file and line; a broken course, quiz or
program is left out of the catalog and the rest still loads.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import posixpath
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from types import MappingProxyType

from lms.content.assets import ASSET_TYPES, asset_refusal
from lms.content.certificate_templates import ENTRY, template_problems
from lms.content.competences import COMPETENCES, DECISION_757_GROUPS
from lms.content.frontmatter import SLUG_PATTERN, Document, parse_document
from lms.content.markdown import (BrokenReference, MarkdownRenderer, RefusedTarget, check_source,
                                  line_of)
from lms.content.quiz_checks import check_lessons, check_quality
from lms.content.quizzes import ParsedQuestion, attempt_rules, parse_questions
from lms.wording import N_
from lms.content.schema import (
    AUDIENCES, DEFAULT_LANGUAGE, LANGUAGES, LEVELS, Catalog, CertificateTemplate, Course,
    CourseText, Lesson, LessonText, Localized, Problem, Program, ProgramText, Question, Quiz,
    QuizText,
)

LESSON_FILE = re.compile(r"^(?P<number>\d+)-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(?P<lang>[a-z]{2}))?\.md$")
TRANSLATED_FILE = re.compile(r"^(?P<base>[^.]+)(?:\.(?P<lang>[a-z]{2}))?\.md$")
MAX_IMAGE_BYTES = 60 * 1024
COURSE_FIELDS = ("title", "summary", "audience", "competences", "level", "minutes", "language")
TRANSLATION_FIELDS = ("title", "summary", "language")
LESSON_FIELDS = ("title", "minutes")
QUIZ_FIELDS = ("course", "title", "pass_mark", "questions_per_attempt", "after_failed",
               "after_passed", "retry_wait_minutes", "attempts_per_day")
PROGRAM_FIELDS = ("title", "courses", "audience", "competences", "decision_757_groups", "template")
ASSET_REFUSALS = {
    "type": N_('"%(target)s" is not an image: a lesson may link to other lessons and show '
               "images (%(types)s), and no other file from the course folder is served"),
    "link": N_('"%(target)s" is a symbolic link (or inside one): put the file itself in the '
               "course folder; links could serve any file on the server"),
    "outside": N_('"%(target)s" leads outside the course folder: keep the file inside it'),
}
MISSING_TRANSLATION = {
    "course": N_("no %(language)s translation of this course: add %(file)s"),
    "lesson": N_("no %(language)s translation of this lesson: add %(file)s"),
    "quiz": N_("no %(language)s translation of this quiz: add %(file)s"),
    "program": N_("no %(language)s translation of this program: add %(file)s"),
}
# Rendering Markdown is the costly part of loading; past this many lesson files it is spread
# over processes, one course at a time (each course is independent once links are known).
PARALLEL_FROM_LESSON_FILES = 300


def load_catalog(content_dir: str | os.PathLike, url_root: str = "",
                 workers: int | None = None) -> Catalog:
    """Read every course, quiz, program and template under `content_dir`.

    `workers` is the number of processes that render courses; by default one per CPU for a
    large catalog and none for a small one.
    """
    return _CatalogBuilder(Path(content_dir), url_root.rstrip("/"), workers).build()


CONTENT_FOLDERS = ("courses", "quizzes", "certificates")


def content_fingerprint(content_dir: str | os.PathLike) -> tuple[int, int]:
    """(number of files, latest change) under the content folders: cheap enough to compare
    every second, and different after any file is added, removed, edited or renamed."""
    count = latest = 0
    for folder in CONTENT_FOLDERS:
        for directory, _dirs, files in os.walk(Path(content_dir) / folder):
            for name in files:
                try:
                    stat = os.stat(os.path.join(directory, name))
                except FileNotFoundError:  # removed while we looked: the next look sees it
                    continue
                count += 1
                latest = max(latest, stat.st_mtime_ns, stat.st_ctime_ns)
    return count, latest


def _load_course_alone(state: tuple, directory: Path) -> tuple[Course | None, list[Problem]]:
    builder = _CatalogBuilder.from_state(state)
    return builder.load_course(directory), builder.problems


def _load_quiz_alone(state: tuple, course_slugs: dict[str, tuple[str, ...]], source: "_SourceSet"
                     ) -> tuple[Quiz | None, list[Problem]]:
    builder = _CatalogBuilder.from_state(state)
    return builder.load_quiz(source, course_slugs), builder.problems


@dataclass
class _SourceSet:
    """A file and its translations, e.g. 01-intro.md and 01-intro.en.md."""

    original: Path
    translations: dict[str, Path] = field(default_factory=dict)


class _CatalogBuilder:
    def __init__(self, root: Path, url_root: str, workers: int | None = None):
        self.root = root
        self.url_root = url_root
        self.workers = workers
        self.problems: list[Problem] = []
        self.renderer = MarkdownRenderer()
        self.lesson_urls: dict[str, str] = {}  # "courses/x/01-a.md" -> "/courses/x/a/"
        self.broken_courses: set[str] = set()
        self.broken_templates: set[str] = set()

    def state(self) -> tuple:
        """What a builder in another process needs to load one course or quiz."""
        return self.root, self.url_root, self.lesson_urls, self.broken_courses

    @classmethod
    def from_state(cls, state: tuple) -> "_CatalogBuilder":
        root, url_root, lesson_urls, broken_courses = state
        builder = cls(root, url_root, workers=1)
        builder.lesson_urls, builder.broken_courses = lesson_urls, broken_courses
        return builder

    def map(self, function, items: list) -> list:
        """Runs `function` on each item, in worker processes for a large catalog."""
        workers = self.workers
        if workers is None:
            large = len(self.lesson_urls) >= PARALLEL_FROM_LESSON_FILES
            workers = min(os.cpu_count() or 1, 8) if large else 1
        if workers <= 1 or len(items) < 2:
            results = [function(item) for item in items]
        else:
            # fork: the workers inherit the imported modules, so they start in milliseconds.
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                results = list(pool.map(function, items,
                                        chunksize=max(1, len(items) // (workers * 4))))
        values = []
        for value, problems in results:
            self.problems.extend(problems)
            values.append(value)
        return values

    # Phase 0: helpers shared by every phase.

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def report(self, path: Path | str, line: int, message: str, severity: str = "error", /,
               **values) -> None:
        """`message` is marked with N_ and filled with `values` (see Problem.of)."""
        rel = path if isinstance(path, str) else self.rel(path)
        self.problems.append(Problem.of(rel, line, message, severity, **values))

    def read(self, path: Path, require_front_matter: bool = True) -> Document | None:
        if path.is_symlink():  # it would show learners whatever file it points to
            self.report(path, 1, N_("this file is a symbolic link: put the file itself here"))
            return None
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            self.report(path, line, N_("the file is not saved as UTF-8 text: save it again "
                                       "choosing the UTF-8 encoding"))
            return None
        doc = parse_document(self.rel(path), text.replace("\r\n", "\n"), require_front_matter)
        if not doc.readable:  # reporting every field as missing would bury the real mistake
            self.keep(doc)
            return None
        return doc

    def keep(self, doc: Document) -> bool:
        """Moves a document's problems into the report; true when none of them is an error."""
        self.problems.extend(doc.problems)
        ok = not any(p.is_error for p in doc.problems)
        doc.problems.clear()
        return ok

    def competences(self, doc: Document) -> tuple[str, ...]:
        codes = doc.string_list("competences")
        for code in codes:
            if code not in COMPETENCES:
                doc.report(N_('unknown competence code "%(code)s": use codes such as "4.2" '
                              "from Circular 02/2025/TT-BGDĐT (see lms/content/competences.py)"),
                           key="competences", code=code)
        return tuple(code for code in codes if code in COMPETENCES)

    def group_translations(self, files: list[Path]) -> dict[str, _SourceSet]:
        sets: dict[str, _SourceSet] = {}
        translated: list[tuple[str, str, Path]] = []
        for path in sorted(files):
            match = TRANSLATED_FILE.match(path.name)
            if not match:
                self.report(path, 1, N_("file names may only contain one dot, before the "
                                        "language code, as in name.en.md"))
                continue
            lang = match.group("lang")
            if lang is None:
                sets[match.group("base")] = _SourceSet(path)
            elif lang not in LANGUAGES:
                self.report(path, 1, N_('unknown language "%(language)s" in the file name: use '
                                        "%(languages)s"),
                            language=lang, languages=", ".join(LANGUAGES))
            else:
                translated.append((match.group("base"), lang, path))
        for base, lang, path in translated:
            if base in sets:
                sets[base].translations[lang] = path
            else:
                self.report(path, 1, N_("this translation has no original file %(file)s beside "
                                        "it"), file=f"{base}.md")
        return sets

    def check_translations(self, source: _SourceSet, original_language: str, what: str) -> None:
        for lang in LANGUAGES:
            if lang != original_language and lang not in source.translations:
                name = source.original.name.removesuffix(".md") + f".{lang}.md"
                self.report(source.original, 1, MISSING_TRANSLATION[what], "warning",
                            language=lang, file=name)

    def render(self, doc: Document, resolver=None) -> str:
        for note in check_source(doc.body):
            doc.report(note.message_id, line=doc.body_line + note.offset, severity="warning",
                       **note.values)
        html, broken = self.renderer.render(doc.body, resolver)
        html_lines: set[int] = set()
        for ref in broken:
            if ref.reason == "raw-html":
                self.report_removed_html(doc, ref.target, html_lines)
            else:
                self.report_broken(doc, ref)
        return html

    @staticmethod
    def report_removed_html(doc: Document, chunk: str, lines_reported: set[int]) -> None:
        first = chunk.strip().split("\n")[0]
        line = line_of(doc.body, first, doc.body_line)
        if first.startswith("</") or line in lines_reported:
            return  # one message per line, named by its opening tag
        lines_reported.add(line)
        doc.report(N_("this HTML (%(html)s) is removed from the page: write it in Markdown "
                      "instead (lists, **bold**, boxes with !!! note)"), line=line,
                   severity="warning", html=first[:40])

    def report_broken(self, doc: Document, ref: BrokenReference) -> None:
        line = line_of(doc.body, f"({ref.target}" if ref.target else "![", doc.body_line)
        values = {"target": ref.target}
        if ref.reason == "refused":
            message, values = ref.message_id, ref.values
        elif ref.reason == "no-alt":
            message = N_("an image needs a description for people who cannot see it: "
                         "write it between the brackets, ![description](file)")
        elif ref.is_image:
            message = N_('image "%(target)s" not found: check the file name and folder')
        else:
            message = N_('link "%(target)s" points to a file that does not exist')
        self.report(doc.path, line, message, "error", **values)

    # Phase 1-4: the whole build.

    def build(self) -> Catalog:
        if not self.root.is_dir():
            self.report(str(self.root), 1, N_("the content folder does not exist"))
            return Catalog(str(self.root), problems=tuple(self.problems))
        course_dirs = self.collect_course_dirs()
        templates = self.load_templates()
        loaded = self.map(partial(_load_course_alone, self.state()), course_dirs)
        courses = [course for course in loaded if course]
        # A quiz or program naming a course that exists but has errors is still checked, but
        # not served, and not reported as naming a missing course: the course's errors say why.
        self.broken_courses = {d.name for d in course_dirs} - {c.slug for c in courses}
        quizzes = self.load_quizzes({c.slug: self.lesson_slugs(c.slug) for c in courses})
        courses = [_with_quiz(c, quizzes.get(c.slug)) for c in courses]
        # A program naming a broken template is served: the template's errors say what to fix.
        programs = self.load_programs({c.slug for c in courses},
                                      set(templates) | self.broken_templates)
        return Catalog(
            content_dir=str(self.root),
            courses=tuple(courses),
            programs=tuple(programs),
            templates=MappingProxyType(templates),
            problems=tuple(sorted(set(self.problems))),
            withheld=self.withheld_courses(courses),
        )

    def withheld_courses(self, courses: list[Course]) -> frozenset[str]:
        """Served courses with an error in their folder or in any quiz file naming them (or, for
        a quiz too broken to say, named like them): a lesson or quiz dropped for its errors
        must not leave a shorter course that certifies."""
        error_paths = {p.path for p in self.problems if p.is_error}
        withheld = set()
        quiz_files = sorted((self.root / "quizzes").glob("*.md")) if (
            self.root / "quizzes").is_dir() else []
        for course in courses:
            folder = self.rel(Path(course.directory)) + "/"
            if any(path.startswith(folder) for path in error_paths):
                withheld.add(course.slug)
        for path in quiz_files:
            if self.rel(path) not in error_paths:
                continue
            named = _front_matter_course(path) or path.name.split(".")[0]
            withheld.add(named)
        return frozenset(withheld & {c.slug for c in courses})

    def collect_course_dirs(self) -> list[Path]:
        base = self.root / "courses"
        if not base.is_dir():
            self.report("courses", 1, N_("there is no courses/ folder in the content folder"))
            return []
        dirs = []
        for path in sorted(base.iterdir()):
            if not path.is_dir() or path.name.startswith("."):
                continue
            if path.is_symlink():
                self.report(path, 1, N_("this course folder is a symbolic link: put the folder "
                                        "itself here; links could serve any file on the "
                                        "server"))
                continue
            if not SLUG_PATTERN.match(path.name):
                self.report(path, 1, N_('course folder name "%(name)s" may only use lower-case '
                                        "letters a-z, digits and hyphens"), name=path.name)
                continue
            if not (path / "course.md").is_file():
                self.report(path, 1, N_("this course folder has no course.md"))
                continue
            for lesson_path in path.glob("*.md"):
                match = LESSON_FILE.match(lesson_path.name)
                if match:
                    self.lesson_urls[self.rel(lesson_path)] = (
                        f"{self.url_root}/courses/{path.name}/{match.group('slug')}/")
            dirs.append(path)
        return dirs

    def lesson_slugs(self, course_slug: str) -> tuple[str, ...]:
        """Every lesson file of the course, in order, even one whose errors left it out: a quiz
        naming it is then not wrong, the lesson is."""
        slugs = []
        for path in sorted(self.lesson_urls):
            _, course, name = path.split("/")
            match = LESSON_FILE.match(name)
            if course == course_slug and match and match.group("lang") is None:
                slugs.append(match.group("slug"))
        return tuple(dict.fromkeys(slugs))

    def load_course(self, directory: Path) -> Course | None:
        slug = directory.name
        files = [p for p in directory.glob("*.md")]
        course_files = self.group_translations([p for p in files if p.name.startswith("course.")])
        lesson_files = [p for p in files if not p.name.startswith("course.")]
        doc = self.read(directory / "course.md")
        if doc is None:
            return None
        doc.warn_unknown_keys(COURSE_FIELDS)
        language = doc.text("language", required=False) or DEFAULT_LANGUAGE
        if language not in LANGUAGES:
            doc.report(N_('unknown language "%(language)s": use %(languages)s'), key="language",
                       language=language, languages=", ".join(LANGUAGES))
            language = DEFAULT_LANGUAGE
        title, summary = doc.text("title"), doc.text("summary")
        audience = doc.choices("audience", AUDIENCES)
        competences = self.competences(doc)
        level = doc.choices("level", LEVELS)
        minutes = doc.integer("minutes", 1, 10_000)
        assets: set[str] = set()
        resolver = self.resolver_for(directory, assets)
        intro = self.render(doc, resolver)
        texts = {language: CourseText(title or slug, summary or "", intro)}
        if not self.keep(doc) or not audience or not level:
            return None
        source = course_files.get("course")
        if source:
            self.check_translations(source, language, "course")
            for lang, path in source.translations.items():
                texts[lang] = self.load_course_translation(path, resolver) or texts[language]
        lessons = self.load_lessons(directory, lesson_files, language, resolver)
        if not lessons:
            self.report(directory / "course.md", 1, N_("this course has no lessons: add files "
                                                        "such as 01-introduction.md"))
            return None
        return Course(slug, audience, competences, level[0], minutes or 0,
                      Localized.of(language, texts), tuple(lessons), frozenset(assets),
                      str(directory))

    def load_course_translation(self, path: Path, resolver) -> CourseText | None:
        doc = self.read(path)
        if doc is None:
            return None
        doc.warn_unknown_keys(TRANSLATION_FIELDS)
        title, summary = doc.text("title"), doc.text("summary")
        intro = self.render(doc, resolver)
        return CourseText(title, summary, intro) if self.keep(doc) else None

    def load_lessons(self, directory: Path, files: list[Path], language: str,
                     resolver) -> list[Lesson]:
        named: list[Path] = []
        for path in files:
            if LESSON_FILE.match(path.name):
                named.append(path)
            else:
                self.report(path, 1, N_("a lesson file name starts with its number and uses "
                                        "lower-case letters a-z, digits and hyphens, e.g. "
                                        "01-what-is-ai.md"))
        lessons: list[Lesson] = []
        seen: dict[str, Path] = {}
        for source in self.group_translations(named).values():
            slug = LESSON_FILE.match(source.original.name).group("slug")
            if slug in seen:
                self.report(source.original, 1, N_('two lessons have the slug "%(slug)s": rename '
                                                   "this file or %(file)s"),
                            slug=slug, file=seen[slug].name)
                continue
            seen[slug] = source.original
            lesson = self.load_lesson(source, slug, len(lessons) + 1, language, resolver)
            if lesson:
                lessons.append(lesson)
        return lessons

    def load_lesson(self, source: _SourceSet, slug: str, position: int, language: str,
                    resolver) -> Lesson | None:
        texts: dict[str, LessonText] = {}
        digest = hashlib.sha256()
        minutes = None
        for lang, path in [(language, source.original), *sorted(source.translations.items())]:
            doc = self.read(path)
            if doc is None:
                continue
            digest.update(path.read_bytes())
            doc.warn_unknown_keys(LESSON_FIELDS)
            title = doc.text("title")
            if lang == language:
                minutes = doc.integer("minutes", 1, 600, required=False)
            drop_repeated_title(doc, title)
            html = self.render(doc, resolver)
            if self.keep(doc):
                texts[lang] = LessonText(title, html)
        if language not in texts:
            return None
        self.check_translations(source, language, "lesson")
        return Lesson(slug, position, minutes, Localized.of(language, texts),
                      digest.hexdigest(), self.rel(source.original))

    def resolver_for(self, course_dir: Path, assets: set[str]):
        course_rel = self.rel(course_dir)
        slug = course_dir.name

        def resolve(target: str, is_image: bool) -> str | None:
            path_part, _, fragment = target.partition("#")
            suffix = f"#{fragment}" if fragment else ""
            joined = posixpath.normpath(posixpath.join(course_rel, path_part))
            if joined.endswith(".md"):
                original = re.sub(r"\.[a-z]{2}\.md$", ".md", joined)
                url = self.lesson_urls.get(original)
                return url + suffix if url else None
            if not joined.startswith(course_rel + "/"):
                return None  # assets are served from inside their own course only
            file = self.root / joined
            relative = joined[len(course_rel) + 1:]
            refusal = asset_refusal(course_dir, relative)
            if refusal == "missing":
                return None
            if refusal:
                raise RefusedTarget(ASSET_REFUSALS[refusal], target=path_part,
                                    types=", ".join(ASSET_TYPES))
            if is_image and file.stat().st_size > MAX_IMAGE_BYTES and relative not in assets:
                self.report(file, 1, N_("this image is %(size)d KB; keep images under 60 KB so "
                                        "lessons load on weak connections"), "warning",
                            size=file.stat().st_size // 1024)
            assets.add(relative)
            return f"{self.url_root}/courses/{slug}/files/{relative}"

        return resolve

    def load_quizzes(self, course_slugs: dict[str, tuple[str, ...]]) -> dict[str, Quiz]:
        """`course_slugs` maps each loaded course to its lesson slugs, in order."""
        base = self.root / "quizzes"
        if not base.is_dir():
            return {}
        quizzes: dict[str, Quiz] = {}
        sources: dict[str, Path] = {}
        quiz_sources = list(self.group_translations(sorted(base.glob("*.md"))).values())
        loaded = self.map(partial(_load_quiz_alone, self.state(), course_slugs), quiz_sources)
        for source, quiz in zip(quiz_sources, loaded, strict=False):
            if quiz is None:
                continue
            if quiz.course_slug in quizzes:
                self.report(source.original, 1, N_('course "%(course)s" already has a quiz in '
                                                   "%(file)s"),
                            course=quiz.course_slug, file=self.rel(sources[quiz.course_slug]))
                continue
            quizzes[quiz.course_slug] = quiz
            sources[quiz.course_slug] = source.original
        return quizzes

    def load_quiz(self, source: _SourceSet, course_slugs: dict[str, tuple[str, ...]]
                  ) -> Quiz | None:
        doc = self.read(source.original)
        if doc is None:
            return None
        doc.warn_unknown_keys(QUIZ_FIELDS)
        course = doc.text("course")
        if course and course not in course_slugs and course not in self.broken_courses:
            doc.report(N_('there is no course "%(course)s" (the folder courses/%(course)s/ is '
                          "missing or has errors)"), key="course", course=course)
        title = doc.text("title")
        pass_mark = doc.integer("pass_mark", 1, 100)
        per_attempt = doc.integer("questions_per_attempt", 1, 1000)
        rules = attempt_rules(doc)
        intro, parsed = parse_questions(doc, self.renderer)
        if per_attempt and parsed and per_attempt > len(parsed):
            doc.report(N_("questions_per_attempt is %(asked)d but the file has only %(valid)d "
                          "valid questions"), key="questions_per_attempt",
                       asked=per_attempt, valid=len(parsed))
        check_quality(doc, parsed)
        if course in course_slugs:
            check_lessons(doc, parsed, course_slugs[course], per_attempt)
        if not self.keep(doc) or not parsed:
            return None
        texts = {DEFAULT_LANGUAGE: QuizText(title, intro)}
        per_language = {lang: self.load_quiz_translation(path, parsed)
                        for lang, path in sorted(source.translations.items())}
        self.check_translations(source, DEFAULT_LANGUAGE, "quiz")
        questions = []
        for n, question in enumerate(parsed):
            question_texts = {DEFAULT_LANGUAGE: question.text}
            for lang, translated in per_language.items():
                if translated:
                    texts[lang] = translated[0]
                    question_texts[lang] = translated[1][n].text
            questions.append(Question(question.key, question.kind, question.correct,
                                      Localized.of(DEFAULT_LANGUAGE, question_texts),
                                      question.lesson))
        digest = hashlib.sha256(b"".join(q.key.encode() for q in questions)).hexdigest()
        return Quiz(course, pass_mark, per_attempt, tuple(questions),
                    Localized.of(DEFAULT_LANGUAGE, texts), digest, self.rel(source.original),
                    rules)

    def load_quiz_translation(self, path: Path, originals: list[ParsedQuestion]
                              ) -> tuple[QuizText, list[ParsedQuestion]] | None:
        doc = self.read(path)
        if doc is None:
            return None
        doc.warn_unknown_keys(QUIZ_FIELDS)
        title = doc.text("title")
        intro, parsed = parse_questions(doc, self.renderer)
        if len(parsed) != len(originals) and not any(p.is_error for p in doc.problems):
            doc.report(N_("the translation has %(translated)d questions but the original has "
                          "%(original)d: translate every question, in the same order"),
                       line=doc.body_line, translated=len(parsed), original=len(originals))
        for original, translated in zip(originals, parsed, strict=False):
            if (original.kind, original.correct, len(original.text.options_html)) != (
                    translated.kind, translated.correct, len(translated.text.options_html)):
                doc.report(N_("this question does not match question %(number)d of the "
                              "original: same options, in the same order, with the same right "
                              "answers"), line=translated.line,
                           number=originals.index(original) + 1)
            elif original.lesson != translated.lesson:
                doc.report(N_('this question names lesson "%(lesson)s" but question %(number)d '
                              'of the original names "%(original)s": give both the same '
                              "{lesson=...}"), line=translated.line, lesson=translated.lesson,
                           number=originals.index(original) + 1, original=original.lesson)
        check_quality(doc, parsed)
        if not self.keep(doc):
            return None
        return QuizText(title, intro), parsed

    def load_templates(self) -> dict[str, CertificateTemplate]:
        """Every template that draws with sample values in every language. A broken one is left
        out: certificates it would draw are still issued (the record), and their PDFs are drawn
        on first download once it is fixed, instead of failing for each learner."""
        base = self.root / "certificates" / "templates"
        templates = {}
        if base.is_dir():
            for path in sorted(p for p in base.iterdir() if p.is_dir()):
                if not (path / ENTRY).is_file():
                    self.report(path, 1, N_("this certificate template has no %(file)s"),
                                file=ENTRY)
                    continue
                problems = template_problems(path, LANGUAGES)
                for file, line, message, values in problems:
                    self.report(self.rel(file) if file.is_relative_to(self.root) else str(file),
                                line, message, "error", **values)
                if problems:
                    self.broken_templates.add(path.name)
                else:
                    templates[path.name] = CertificateTemplate(path.name, str(path))
        return templates

    def load_programs(self, course_slugs: set[str], template_names: set[str]) -> list[Program]:
        base = self.root / "certificates"
        if not base.is_dir():
            return []
        programs = []
        for slug, source in self.group_translations(sorted(base.glob("*.md"))).items():
            program = self.load_program(slug, source, course_slugs, template_names)
            if program:
                programs.append(program)
        return programs

    def load_program(self, slug: str, source: _SourceSet, course_slugs: set[str],
                     template_names: set[str]) -> Program | None:
        doc = self.read(source.original)
        if doc is None:
            return None
        if not SLUG_PATTERN.match(slug):
            doc.report(N_('program file name "%(slug)s" may only use lower-case letters a-z, '
                          "digits and hyphens"), slug=slug)
        doc.warn_unknown_keys(PROGRAM_FIELDS)
        title = doc.text("title")
        courses = doc.string_list("courses")
        for course in courses:
            if course not in course_slugs and course not in self.broken_courses:
                doc.report(N_('this program requires course "%(course)s", which does not '
                              "exist (or has errors)"), key="courses", course=course)
        audience = doc.choices("audience", AUDIENCES)
        competences = self.competences(doc)
        groups = doc.string_list("decision_757_groups", required=False)
        for group in groups:
            if group not in DECISION_757_GROUPS:
                doc.report(N_('unknown Decision 757 group "%(group)s": use the group numbers '
                              "%(groups)s of Decision 757/QĐ-BKHCN, Annex I"),
                           key="decision_757_groups", group=group,
                           groups=", ".join(DECISION_757_GROUPS))
        template = doc.text("template")
        if template and template not in template_names:
            doc.report(N_('there is no certificate template "%(template)s": add the folder '
                          "certificates/templates/%(template)s/"), key="template",
                       template=template)
        texts = {DEFAULT_LANGUAGE: ProgramText(title, self.render(doc))}
        if not self.keep(doc) or self.broken_courses.intersection(courses):
            return None
        self.check_translations(source, DEFAULT_LANGUAGE, "program")
        for lang, path in source.translations.items():
            translated = self.read(path)
            if translated is None:
                continue
            translated.warn_unknown_keys(("title",))
            text = ProgramText(translated.text("title"), self.render(translated))
            if self.keep(translated):
                texts[lang] = text
        return Program(slug, courses, audience, competences, template,
                       Localized.of(DEFAULT_LANGUAGE, texts), self.rel(source.original),
                       tuple(g for g in groups if g in DECISION_757_GROUPS))


LEADING_HEADING = re.compile(r"\A(?P<blank>\s*\n)?#[ \t]+(?P<text>[^\n]*?)[ \t#]*(?:\n|\Z)")


def drop_repeated_title(doc: Document, title: str | None) -> None:
    """A lesson body that opens with `# <its title>` would show the title twice (the page
    prints `title:` already): drop that heading and say so. Another `# ` heading is a warning."""
    match = LEADING_HEADING.match(doc.body)
    if not match:
        return
    line = doc.body_line + (match.group("blank") or "").count("\n")
    if title and " ".join(match.group("text").split()).casefold() == " ".join(
            title.split()).casefold():
        doc.body = doc.body[match.end():]
        doc.body_line = line + 1
        doc.report(N_('this "# " heading repeats the title, which the page already shows: it '
                      "was left out; delete the line"), line=line, severity="warning")
    else:
        doc.report(N_('the page already shows "title:" as its heading: use "## " for sections, '
                      'or move this text into "title:"'), line=line, severity="warning")


def _front_matter_course(path: Path) -> str | None:
    """The `course:` a quiz file names, read leniently (the file may be broken)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(r"^course:\s*([a-z0-9-]+)\s*$", text[:4000], re.MULTILINE)
    return match.group(1) if match else None


def _with_quiz(course: Course, quiz: Quiz | None) -> Course:
    return replace(course, quiz=quiz) if quiz else course
