"""The learner card as a PDF: the page's HTML (rendered from templates/support/card_pdf.html)
drawn by WeasyPrint, which may read only the bundled fonts and data: URIs (the QR code)."""
from __future__ import annotations

from weasyprint import HTML

from lms.config import REPOSITORY_ROOT
from lms.services.certificate_pdf import TemplateFolderFetcher, font_configuration, qr_data_uri

FONTS = REPOSITORY_ROOT / "certificates" / "templates" / "default" / "fonts"

__all__ = ["qr_data_uri", "render"]


def render(html: str) -> bytes:
    return HTML(string=html, base_url=f"{FONTS.as_uri()}/",
                url_fetcher=TemplateFolderFetcher(FONTS)).write_pdf(
                    font_config=font_configuration())
