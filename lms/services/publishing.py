"""Publishing courses through the web: an upload is checked by the same loader as the files in
git, staged as a package, previewed, then published in one step; any earlier version (or the
repository's own files) can be put back. Every worker builds what it serves from the newest
release of each course, so nothing half-published is ever served.

Packages are whole courses in the repository's layout: `courses/<slug>/...` and, optionally,
`quizzes/<slug>.md` and `quizzes/<slug>.en.md`.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from lms.content import Catalog, content_fingerprint, load_catalog
from lms.content.schema import Problem
from lms.content.loader import CONTENT_FOLDERS
from lms.content.frontmatter import SLUG_PATTERN
from lms.models import ContentPackage, ContentRelease, CoursePublisher, User
from lms.services import audit

MAX_FILES = 300
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024  # decompressed: a small ZIP must not unpack to gigabytes
# What a course is made of. No HTML, scripts or anything a browser would run.
FILE_TYPES = (".md", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
SAFE_PATH = re.compile(r"^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")


class UploadError(Exception):
    """The upload cannot become a package; nothing was saved. The message, in the page's
    language, says why (these reach trainers as they are, hence gettext here)."""


class PublishError(Exception):
    """This package or rollback cannot be published; the message says why."""


@dataclass(frozen=True)
class Staged:
    package: ContentPackage
    catalog: Catalog  # the whole catalog as it would be with this package published


# Who may publish -------------------------------------------------------------------------

def may_publish(session: Session, user: User, slug: str) -> bool:
    if user.role == "admin":
        return True
    return user.role == "trainer" and session.scalar(select(CoursePublisher.id).where(
        CoursePublisher.user_id == user.id, CoursePublisher.course_slug == slug)) is not None


def publishable_courses(session: Session, user: User) -> list[str] | None:
    """The course slugs `user` may publish; None means any (administrators)."""
    if user.role == "admin":
        return None
    return list(session.scalars(select(CoursePublisher.course_slug).where(
        CoursePublisher.user_id == user.id).order_by(CoursePublisher.course_slug)))


def grant(session: Session, trainer: User, slug: str, actor: audit.Actor) -> None:
    if trainer.role != "trainer":
        raise PublishError(_("%(name)s is not a trainer: give them the trainer role first.",
                                 name=trainer.full_name))
    if not SLUG_PATTERN.match(slug):
        raise PublishError(_('"%(code)s" is not a course code: use lower-case letters a-z, '
                             "digits and hyphens.", code=slug))
    if not may_publish(session, trainer, slug):
        session.add(CoursePublisher(user_id=trainer.id, course_slug=slug))
        audit.record(session, actor, "publisher-granted", subject=trainer,
                     details={"course": slug})


def revoke(session: Session, trainer: User, slug: str, actor: audit.Actor) -> None:
    gone = session.execute(delete(CoursePublisher).where(
        CoursePublisher.user_id == trainer.id, CoursePublisher.course_slug == slug)).rowcount
    if gone:
        audit.record(session, actor, "publisher-revoked", subject=trainer,
                     details={"course": slug})


# Reading an upload ------------------------------------------------------------------------

def read_zip(data: bytes) -> dict[str, bytes]:
    """The course files of a ZIP, by repository path. A folder zipped on its own
    (`<slug>/course.md ...`, with `quiz.md` and `quiz.en.md` beside the lessons) is accepted too."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError(_("This file is not a ZIP archive that can be opened.")) from None
    if len(entries) > MAX_FILES:
        raise UploadError(_("The ZIP holds %(count)d files; a course may have at most %(most)d.",
                            count=len(entries), most=MAX_FILES))
    if sum(e.file_size for e in entries) > MAX_TOTAL_BYTES:
        raise UploadError(_("The ZIP unpacks to more than %(mb)d MB.", mb=MAX_TOTAL_BYTES // 2**20))
    files = {}
    for entry in entries:
        name = entry.filename
        if name.startswith("__MACOSX/") or posixpath.basename(name) in (".DS_Store", "Thumbs.db"):
            continue  # what archivers add on their own
        if stat.S_ISLNK(entry.external_attr >> 16):
            raise UploadError(_("%(file)s: links to other files are not accepted.", file=name))
        check_path(name)
        if entry.file_size > MAX_FILE_BYTES:
            raise UploadError(_("%(file)s: larger than %(mb)d MB.", file=name,
                                mb=MAX_FILE_BYTES // 2**20))
        try:
            files[name] = archive.read(entry)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
            raise UploadError(_("%(file)s: this file in the ZIP is damaged or encrypted.",
                                file=name)) from None
    return to_repository_layout(files)


def check_path(name: str) -> None:
    if not SAFE_PATH.match(name) or any(part in (".", "..") for part in name.split("/")):
        raise UploadError(_("%(file)s: file and folder names may use only letters a-z, digits, "
                            "dots, hyphens and underscores, with no .. or leading /.", file=name))
    if not name.lower().endswith(FILE_TYPES):
        raise UploadError(_("%(file)s: only Markdown (.md) and images (%(types)s) belong in a "
                            "course.", file=name, types=", ".join(FILE_TYPES[1:])))


def to_repository_layout(files: dict[str, bytes]) -> dict[str, bytes]:
    if not files:
        raise UploadError(_("The ZIP is empty."))
    if all(path.startswith(("courses/", "quizzes/")) for path in files):
        layout = files
    else:
        tops = {path.split("/")[0] for path in files}
        if len(tops) != 1 or not all("/" in path for path in files):
            raise UploadError(_("Put one course in the ZIP: its folder (with course.md inside), "
                                "or courses/<code>/ and quizzes/<code>.md as in the repository."))
        slug = tops.pop()
        layout = {}
        for path, content in files.items():
            inner = path.split("/", 1)[1]
            quiz = re.fullmatch(r"quiz((?:\.[a-z]{2})?\.md)", inner)
            target = f"quizzes/{slug}{quiz.group(1)}" if quiz else f"courses/{slug}/{inner}"
            layout[target] = content
    slugs = {path.split("/")[1] for path in layout if path.startswith("courses/")}
    if len(slugs) != 1:
        raise UploadError(_("The ZIP must hold exactly one course folder under courses/."))
    slug = slugs.pop()
    if f"courses/{slug}/course.md" not in layout:
        raise UploadError(_("courses/%(code)s/course.md is missing: every course starts there.",
                            code=slug))
    for path in layout:
        if path.startswith("quizzes/") and not is_quiz_file(slug, path[8:]):
            raise UploadError(_("%(file)s: only the quiz of this course (quizzes/%(code)s.md) may "
                                "come with it.", file=path, code=slug))
    return layout


def with_file(current: dict[str, bytes], slug: str, name: str, content: bytes) -> dict[str, bytes]:
    """The course's current files with one file added or replaced: `01-x.md`, `course.md`,
    `images/map.svg` go in the course folder, `quiz.md` / `quiz.en.md` become its quiz."""
    check_path(name)
    if len(content) > MAX_FILE_BYTES:
        raise UploadError(_("%(file)s: larger than %(mb)d MB.", file=name,
                            mb=MAX_FILE_BYTES // 2**20))
    quiz = re.fullmatch(r"quiz((?:\.[a-z]{2})?\.md)", name)
    path = f"quizzes/{slug}{quiz.group(1)}" if quiz else f"courses/{slug}/{name}"
    return {**current, path: content}


# Packages and releases --------------------------------------------------------------------

def pack(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            archive.writestr(path, files[path])
    return out.getvalue()


def unpack(package: ContentPackage) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package.archive)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def is_quiz_file(slug: str, name: str) -> bool:
    """Whether a file name in quizzes/ is the course's quiz or a translation of it."""
    return re.fullmatch(rf"{re.escape(slug)}(?:\.[a-z]{{2}})?\.md", name) is not None


def slug_of(files: dict[str, bytes]) -> str:
    return next(path.split("/")[1] for path in files if path.startswith("courses/"))


def published(session: Session) -> dict[str, int | None]:
    """Each course's newest release: its package, or None for the repository's files."""
    newest = select(ContentRelease.course_slug, func.max(ContentRelease.id).label("id")
                    ).group_by(ContentRelease.course_slug).subquery()
    rows = session.execute(select(ContentRelease.course_slug, ContentRelease.package_id).join(
        newest, ContentRelease.id == newest.c.id))
    return {slug: package_id for slug, package_id in rows}


def latest_release_id(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(ContentRelease.id), 0)))


def current_files(session: Session, base_dir: str | os.PathLike, slug: str) -> dict[str, bytes]:
    """What is served now for a course: its published package, or the repository's files."""
    package_id = published(session).get(slug)
    if package_id is not None:
        return unpack(session.get(ContentPackage, package_id))
    base = Path(base_dir)
    files = {}
    for path in sorted((base / "courses" / slug).rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(base).as_posix()] = path.read_bytes()
    for path in sorted((base / "quizzes").glob(f"{slug}*.md")):
        if is_quiz_file(slug, path.name):
            files[f"quizzes/{path.name}"] = path.read_bytes()
    return files


def build_tree(base_dir: str | os.PathLike, packages: dict[str, dict[str, bytes]],
               target: Path) -> None:
    """The repository's content with each packaged course put in place of its folder."""
    base = Path(base_dir)
    for folder in CONTENT_FOLDERS:
        if (base / folder).is_dir():
            shutil.copytree(base / folder, target / folder, symlinks=True)
    for slug, files in packages.items():
        shutil.rmtree(target / "courses" / slug, ignore_errors=True)
        for old in (target / "quizzes").glob(f"{slug}*.md"):
            if is_quiz_file(slug, old.name):
                old.unlink()
        for path, content in files.items():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(content)


def stage(session: Session, base_dir: str | os.PathLike, files: dict[str, bytes], user: User,
          actor: audit.Actor, now: datetime) -> Staged:
    """Checks the files as the site would load them and keeps them as a package."""
    slug = slug_of(files)
    if not may_publish(session, user, slug):
        raise UploadError(_('You may not publish the course "%(code)s": an administrator decides '
                            "who publishes which course.", code=slug))
    catalog = catalog_with(session, base_dir, slug, files)
    mine = [p for p in catalog.problems
            if p.path.startswith(f"courses/{slug}/") or (
                p.path.startswith("quizzes/") and is_quiz_file(slug, p.path[8:]))]
    mine.sort(key=lambda p: (not p.is_error, p.path, p.line))
    package = ContentPackage(course_slug=slug, archive=pack(files), file_count=len(files),
                             uploaded_by_id=actor.user_id, uploaded_by_name=actor.name,
                             uploaded_at=now, problems=[_kept(p) for p in mine],
                             error_count=sum(p.is_error for p in mine))
    session.add(package)
    session.flush()
    return Staged(package, catalog)


def _kept(problem: Problem) -> dict:
    return {"path": problem.path, "line": problem.line, "message": problem.message,
            "severity": problem.severity, "message_id": problem.message_id,
            # A value read from YAML may be a date, say: kept as its text (numbers as numbers).
            "values": {name: value if isinstance(value, (int, float)) else str(value)
                       for name, value in problem.values}}


def kept_problems(package: ContentPackage) -> list[Problem | str]:
    """The problems found when the package was uploaded, to show in the reader's language; a
    package kept before they were stored with their message ids has its English lines."""
    return [Problem(kept["path"], kept["line"], kept["message"], kept["severity"],
                    kept["message_id"], tuple(kept["values"].items()))
            if isinstance(kept, dict) else kept for kept in package.problems]


def catalog_with(session: Session, base_dir: str | os.PathLike, slug: str,
                 files: dict[str, bytes]) -> Catalog:
    """The whole catalog as it would be with these files published for `slug`."""
    packages = {s: unpack(session.get(ContentPackage, p))
                for s, p in published(session).items() if p is not None and s != slug}
    return load_tree(base_dir, {**packages, slug: files})


def load_tree(base_dir: str | os.PathLike, packages: dict[str, dict[str, bytes]]) -> Catalog:
    with tempfile.TemporaryDirectory(prefix="lms-stage-") as folder:
        build_tree(base_dir, packages, Path(folder))
        return load_catalog(folder)


def publish(session: Session, package: ContentPackage, user: User, actor: audit.Actor,
            now: datetime) -> ContentRelease:
    if not may_publish(session, user, package.course_slug):
        raise PublishError(_('You may not publish the course "%(code)s".',
                             code=package.course_slug))
    if package.error_count:
        raise PublishError(_("This version has errors: fix them and upload it again."))
    return _release(session, package.course_slug, package.id, actor, now, "content-published")


def put_back(session: Session, slug: str, package_id: int | None, user: User,
             actor: audit.Actor, now: datetime) -> ContentRelease:
    """Serve an earlier package of the course again, or (None) the repository's files."""
    if not may_publish(session, user, slug):
        raise PublishError(_('You may not publish the course "%(code)s".', code=slug))
    if package_id is not None:
        package = session.get(ContentPackage, package_id)
        if package is None or package.course_slug != slug or package.error_count:
            raise PublishError(_("That version cannot be put back."))
    return _release(session, slug, package_id, actor, now, "content-rolled-back")


def _release(session: Session, slug: str, package_id: int | None, actor: audit.Actor,
             now: datetime, action: str) -> ContentRelease:
    release = ContentRelease(course_slug=slug, package_id=package_id, at=now,
                             actor_id=actor.user_id, actor_name=actor.name)
    session.add(release)
    session.flush()
    audit.record(session, actor, action, details={"course": slug, "package": package_id,
                                                  "release": release.id}, now=now)
    return release


def history(session: Session, slug: str) -> list[tuple[ContentPackage, bool]]:
    """The course's packages, newest first, each with whether it is the one served now."""
    current = published(session).get(slug)
    packages = session.scalars(select(ContentPackage).where(
        ContentPackage.course_slug == slug).order_by(ContentPackage.id.desc()))
    return [(package, package.id == current) for package in packages]


def served_tree(session: Session, base_dir: str | os.PathLike, cache_dir: Path
                ) -> tuple[int, Path | None]:
    """The newest release, and the folder to load content from for it: built once per host
    (renamed into place whole, so no worker loads a half-written folder) and rebuilt when the
    repository's files change; None while nothing was ever published."""
    release = latest_release_id(session)
    if not release:
        return 0, None
    files, latest = content_fingerprint(base_dir)
    target = cache_dir / f"release-{release}-{files}-{latest}"
    if target.is_dir():
        return release, target
    cache_dir.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=cache_dir))
    packages = {slug: unpack(session.get(ContentPackage, package_id))
                for slug, package_id in published(session).items() if package_id is not None}
    build_tree(base_dir, packages, building)
    try:
        building.rename(target)
    except OSError:  # another worker on this host built it first
        shutil.rmtree(building, ignore_errors=True)
    # Workers move to a new release within seconds: older folders than the last few can go.
    for old in sorted(cache_dir.glob("release-*"), key=lambda p: p.stat().st_mtime)[:-3]:
        shutil.rmtree(old, ignore_errors=True)
    return release, target
