"""Certificates from a request: the deployment's settings, PDFs drawn after the commit, and the
learner told. Blueprints call this; the rule for when a certificate is due is services/record.py.
"""
from __future__ import annotations

from flask import current_app, flash, url_for
from flask_babel import gettext as _

from lms.catalog import current_catalog
from lms.extensions import db
from lms.i18n import select_language
from lms.models import Certificate
from lms.services import certificates


def issue_settings() -> certificates.IssueSettings:
    public = current_app.config.get("LMS_PUBLIC_URL")
    base = f"{public.rstrip('/')}/verify/" if public else url_for(
        "certificates.verify_form", _external=True)
    return certificates.IssueSettings(issuer=current_app.config["LMS_ORGANISATION"],
                                      verify_base_url=base)


def draw_pdfs(certificate: Certificate) -> None:
    """Draws a committed certificate's missing PDFs. A failure here loses nothing: the record is
    committed, and the download draws them again."""
    try:
        certificates.render_pdfs(db.session, certificate, current_catalog(), issue_settings())
    except Exception:  # noqa: BLE001 - logged; the certificate itself is safe
        db.session.rollback()
        current_app.logger.exception("drawing the PDFs of certificate %s failed", certificate.id)


def after_issuing(issued: list[Certificate]) -> None:
    """Called once the transaction that issued `issued` has committed."""
    language = select_language()
    for certificate in issued:
        title = certificate.titles.get(language) or certificate.titles["vi"]
        draw_pdfs(certificate)
        flash(_("You have earned a certificate of completion: %(title)s. Download it from My "
                "learning.", title=title))
