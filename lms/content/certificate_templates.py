"""Certificate templates: the sandbox they are drawn in, and the check that draws each one with
sample values at load time, so a template error is a content error, not a failed issue.

services/certificate_pdf.py draws the real certificates in the same environment.
"""
from __future__ import annotations

import os
import traceback
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lms.wording import N_

ENTRY = "certificate.html"
# The captions services/certificates.py translates and hands to every template as `labels`.
LABEL_KEYS = ("heading", "movement", "certifies", "completed_course", "completed_program",
              "competences", "issued_on", "serial", "code", "verify_hint", "qr_alt", "notice",
              "completed")
SAMPLE_CODE = "7K3M-9QXD-2HRT-W8FN"


def environment(folder: str | os.PathLike) -> ImmutableSandboxedEnvironment:
    """Autoescaped, sandboxed, and strict: a misspelt value is an error, never an empty gap."""
    return ImmutableSandboxedEnvironment(loader=FileSystemLoader(str(folder)), autoescape=True,
                                         undefined=StrictUndefined)


def sample_context(language: str, with_competences: bool = True) -> dict:
    """Values shaped exactly like services/certificates.pdf_context's (a test holds them equal)."""
    verify_url = f"https://lms.example.vn/verify/{SAMPLE_CODE}"
    return {
        "language": language,
        "labels": {key: f"[{key}]" for key in LABEL_KEYS},
        "issuer": "Sở Khoa học và Công nghệ",
        "holder_name": "Nguyễn Thị Ánh Dương",
        "title": "An toàn dữ liệu cá nhân" if language == "vi" else "Personal data security",
        "competences": [{"code": "4.2", "name": "Bảo vệ dữ liệu cá nhân và quyền riêng tư"},
                        {"code": "6.1", "name": "Hiểu biết về trí tuệ nhân tạo"}]
        if with_competences else [],
        "issued_on": "1 tháng 12, 2026" if language == "vi" else "1 December 2026",
        "serial": "2026-0000001",
        "code": SAMPLE_CODE,
        "verify_url": verify_url,
        "qr_data_uri": "data:image/svg+xml;base64,PHN2Zy8+",
    }


def template_problems(folder: Path, languages: tuple[str, ...]
                      ) -> list[tuple[Path, int, str, dict]]:
    """(file, line, message, values) for each way drawing the template with sample values
    fails; the message is marked with N_ and filled with the values when shown."""
    problems = []
    for root, dirs, files in os.walk(folder):  # os.walk does not enter linked folders
        for name in sorted(dirs + files):
            if (Path(root) / name).is_symlink():
                problems.append((Path(root) / name, 1, N_("this is a symbolic link: put the "
                                                          "file itself in the template folder"),
                                 {}))
    if problems:
        return problems
    env = environment(folder)
    samples = [(language, True) for language in languages] + [(languages[0], False)]
    for language, with_competences in samples:
        try:
            env.get_template(ENTRY).render(**sample_context(language, with_competences))
        except Exception as error:  # noqa: BLE001 - any failure is reported, with its line
            path, line = _where(error, folder)
            problems.append((path, line, *_message(error, language, with_competences)))
            break  # the same mistake would be reported once per sample
    return problems


def _where(error: Exception, folder: Path) -> tuple[Path, int]:
    if isinstance(error, TemplateSyntaxError) and error.filename:
        return Path(error.filename), error.lineno
    # Jinja rewrites tracebacks so that a template's frames carry its file and line.
    resolved = folder.resolve()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        path = Path(frame.filename)
        if path.is_absolute() and path.resolve().is_relative_to(resolved):
            return path, frame.lineno or 1
    return folder / ENTRY, 1


def _message(error: Exception, language: str, with_competences: bool) -> tuple[str, dict]:
    # The detail is Jinja's or WeasyPrint's own words, in English.
    detail = getattr(error, "message", None) or str(error) or type(error).__name__
    if isinstance(error, TemplateSyntaxError):
        return N_("certificate template error: %(detail)s"), {"detail": detail}
    message = (N_("this certificate template cannot be drawn (the %(language)s sample): "
                  "%(detail)s; the values a template can use are listed in docs/authoring.md")
               if with_competences else
               N_("this certificate template cannot be drawn (the %(language)s sample without "
                  "competences): %(detail)s; the values a template can use are listed in "
                  "docs/authoring.md"))
    return message, {"language": language, "detail": detail}
