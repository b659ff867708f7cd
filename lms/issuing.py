"""Certificates from a request: the deployment's settings, PDFs drawn after the commit, and the
learner told. Blueprints call this; the rule for when a certificate is due is services/record.py.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import (Flask, Response, after_this_request, current_app, flash, has_request_context,
                   request)
from werkzeug.sansio.utils import host_is_trusted
from flask_babel import gettext as _

from lms.catalog import current_catalog
from lms.content.schema import LANGUAGES
from lms.extensions import db
from lms.i18n import select_language
from lms.models import Certificate
from lms.services import certificates


# Without LMS_PUBLIC_URL (development only: production requires it), these hosts may name the
# site on a certificate, besides Flask's TRUSTED_HOSTS (LMS_TRUSTED_HOSTS).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
FALLBACK_PUBLIC_URL = "http://localhost"


def public_url() -> str:
    """The site's address as printed on a stored certificate and in its QR code. A stored PDF
    outlives the request, so a forged Host header must never end up in it."""
    configured = current_app.config.get("LMS_PUBLIC_URL")
    if configured:
        return configured
    trusted = current_app.config.get("TRUSTED_HOSTS") or ()
    if has_request_context():
        host = urlsplit(request.host_url).hostname or ""
        # With TRUSTED_HOSTS set, Flask has already refused any other Host with a 400.
        if host in LOCAL_HOSTS or (trusted and host_is_trusted(request.host, trusted)):
            return request.url_root.rstrip("/")
    current_app.logger.warning("LMS_PUBLIC_URL is not set: certificates name %s",
                               FALLBACK_PUBLIC_URL)
    return FALLBACK_PUBLIC_URL


def issue_settings() -> certificates.IssueSettings:
    return certificates.IssueSettings(issuer=current_app.config["LMS_ORGANISATION"],
                                      verify_base_url=f"{public_url()}/verify/")


def draw_pdfs(certificate: Certificate, settings: certificates.IssueSettings | None = None,
              languages: Iterable[str] = LANGUAGES) -> bool:
    """Draws a committed certificate's missing PDFs in `languages`; true when it has them all.
    A failure here loses nothing: the record is committed, and the download draws them again."""
    certificate_id = certificate.id
    try:
        certificates.render_pdfs(db.session, certificate, current_catalog(),
                                 settings or issue_settings(), languages)
    except Exception:  # noqa: BLE001 - logged; the certificate itself is safe
        db.session.rollback()
        current_app.logger.exception("drawing the PDFs of certificate %s failed", certificate_id)
    missing = certificates.missing_languages(db.session, certificate_id, languages)
    if missing:  # e.g. its template has errors (`flask content check` names them)
        current_app.logger.error("certificate %s has no PDF in %s", certificate_id,
                                 ", ".join(missing))
    return not missing


def after_issuing(issued: list[Certificate]) -> None:
    """Called once the transaction that issued `issued` has committed: tells the learner, and
    draws the PDF in the learner's language once the response is sent (70 to 130 ms of CPU:
    the learner should not wait for it). A PDF in another language is drawn when first
    downloaded: many are never asked for, and drawing both doubled what a passed quiz costs
    the servers. A crash in between loses only the drawing: the download draws what is
    missing (certificates/views.py)."""
    if not issued:
        return
    language, catalog = select_language(), current_catalog()
    for certificate in issued:
        title = certificate.titles.get(language) or certificate.titles["vi"]
        # A template the content check refused is known now; one broken on disk since, only
        # when drawing fails: then the download says so (certificates/not_drawn.html).
        if certificates.template_folder(catalog, certificate.kind, certificate.subject_slug):
            flash(_("You have earned a certificate of completion: %(title)s. Download it from "
                    "My learning.", title=title))
        else:
            flash(_("You have earned a certificate of completion: %(title)s. It is recorded, but "
                    "its PDF file cannot be made right now; the site's team has been told. "
                    "Download it from My learning later.", title=title))
    # Read now: the request's address may name the site, and the drawing has no request.
    settings, ids = issue_settings(), [certificate.id for certificate in issued]
    app = current_app._get_current_object()

    @after_this_request
    def draw_once_sent(response: Response) -> Response:
        response.call_on_close(lambda: draw_after_response(app, ids, settings, language))
        return response


def draw_after_response(app: Flask, certificate_ids: list[int],
                        settings: certificates.IssueSettings, language: str) -> None:
    """The server calls this once the response is sent (WSGI close), outside the request."""
    with app.app_context():
        for certificate_id in certificate_ids:
            certificate = db.session.get(Certificate, certificate_id)
            if certificate is not None:
                draw_pdfs(certificate, settings, [language])
