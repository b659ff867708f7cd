"""Which files a course may serve: images inside its own folder, never through a symbolic link.

The loader refuses anything else with the lesson's line, and the file server asks the same
question again when it opens the file, so a link added after start-up is refused too.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

# Lessons show images; anything a browser would run (HTML, JS, PDF viewers) is not served.
ASSET_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


def asset_refusal(course_dir: str | os.PathLike, relative: str) -> str | None:
    """Why `relative` (a path inside the course folder) cannot be served, or None if it can:
    "type" (not an image), "link" (it or a folder on the way is a symbolic link), "outside"
    (it resolves outside the course folder) or "missing" (no such regular file)."""
    folder = Path(course_dir)
    if Path(relative).suffix.lower() not in ASSET_TYPES:
        return "type"
    if folder.is_symlink():
        return "link"
    path = folder
    for part in Path(relative).parts:
        if part == "..":
            return "outside"
        path = path / part
        if path.is_symlink():
            return "link"
    if not path.resolve().is_relative_to(folder.resolve()):
        return "outside"
    return None if path.is_file() else "missing"


def open_asset(course_dir: str | os.PathLike, relative: str):
    """The asset opened for reading, or None if asset_refusal refuses it. The final open does
    not follow a link either, in case one replaced the file after the check."""
    if asset_refusal(course_dir, relative) is not None:
        return None
    try:
        descriptor = os.open(Path(course_dir) / relative, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    file = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        file.close()
        return None
    return file
