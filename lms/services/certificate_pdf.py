"""Renders a certificate template folder to PDF: sandboxed Jinja, then WeasyPrint.

The template sees only plain values, and WeasyPrint may read only files inside the
template's own folder (and data: URIs, for the QR code): no other file, no network.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from jinja2.sandbox import ImmutableSandboxedEnvironment
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from lms.content.certificate_templates import ENTRY, environment


class TemplateFolderFetcher(URLFetcher):
    """Serves the template's own files and data: URIs; refuses everything else."""

    def __init__(self, folder: Path):
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.folder = folder.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.folder) or not path.is_file():
                raise PermissionError(f"certificate templates may only use their own files: {url}")
        elif parts.scheme != "data":
            raise PermissionError(f"certificate templates may not fetch {parts.scheme}: URLs")
        return super().fetch(url, headers)


@lru_cache(maxsize=None)
def _environment(folder: str) -> ImmutableSandboxedEnvironment:
    return environment(folder)  # the one the content check draws each template in


@lru_cache(maxsize=1)
def font_configuration() -> FontConfiguration:
    """One per process: building it is slow, and it is safe to reuse between renders."""
    return FontConfiguration()


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#1d2733")


def render_pdf(folder: str | Path, context: dict) -> bytes:
    """`context` must hold plain values only (strings, numbers, lists and dicts of them)."""
    folder = Path(folder).resolve()
    html = _environment(str(folder)).get_template(ENTRY).render(**context)
    document = HTML(string=html, base_url=f"{folder.as_uri()}/",
                    url_fetcher=TemplateFolderFetcher(folder))
    return document.write_pdf(font_config=font_configuration())
