"""Activation slips: an A4 sheet of cut-out slips, one per person, each with a QR code to the
activation page; and carrying the codes just issued from the codes page to the PDF."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadData, URLSafeTimedSerializer
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from lms.services.certificate_pdf import font_configuration, qr_data_uri

# The codes page is shown once; its "download the slips" button must work while the manager
# is still at it, not for ever.
SLIPS_VALID_FOR_SECONDS = 3600
MAX_SLIPS = 1000


@dataclass(frozen=True)
class Slip:
    full_name: str
    identifier: str
    unit_name: str
    code: str
    expires_at: datetime


def slips_of(issued) -> list[Slip]:
    return [Slip(code.full_name, code.identifier, code.unit_name, code.code, code.expires_at)
            for code in issued]


def _serializer(secret_key) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="lms activation slips")


def seal(slips: list[Slip], secret_key) -> str:
    """For a hidden field of the codes page: signed, so no one can print slips the import
    did not issue."""
    return _serializer(secret_key).dumps([[slip.full_name, slip.identifier, slip.unit_name,
                                           slip.code, slip.expires_at.isoformat()]
                                          for slip in slips])


def unseal(text: str, secret_key) -> list[Slip]:
    """The slips sealed less than an hour ago; ValueError for anything else."""
    try:
        rows = _serializer(secret_key).loads(text or "", max_age=SLIPS_VALID_FOR_SECONDS)
        slips = [Slip(*map(str, row[:4]), datetime.fromisoformat(row[4]))
                 for row in rows[:MAX_SLIPS]]
    except (BadData, TypeError, ValueError, IndexError):
        raise ValueError("not slips sealed by this site, or too old") from None
    if not slips:
        raise ValueError("no slips")
    return slips


class _DataOnlyFetcher(URLFetcher):
    """The QR codes are data: URIs; nothing else may be fetched (no file, no network)."""

    def __init__(self):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)


def slips_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=_DataOnlyFetcher()).write_pdf(
        font_config=font_configuration())


def qr_code(url: str) -> str:
    return qr_data_uri(url)
