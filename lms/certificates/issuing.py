"""Issuing certificates from a request: the deployment's settings, then the service."""
from flask import current_app, flash, url_for
from flask_babel import gettext as _

from lms.catalog import current_catalog
from lms.extensions import db
from lms.i18n import select_language
from lms.models import User
from lms.services import certificates


def issue_settings() -> certificates.IssueSettings:
    public = current_app.config.get("LMS_PUBLIC_URL")
    base = f"{public.rstrip('/')}/verify/" if public else url_for(
        "certificates.verify_form", _external=True)
    return certificates.IssueSettings(issuer=current_app.config["LMS_ORGANISATION"],
                                      verify_base_url=base)


def issue_earned_certificates(user: User) -> None:
    """Called after progress is recorded; tells the learner about anything new."""
    issued = certificates.issue_earned(db.session, user, current_catalog(), issue_settings())
    db.session.commit()
    for certificate in issued:
        flash(_("You have earned a certificate: %(title)s. Download it from My learning.",
                title=certificate.titles.get(select_language()) or certificate.titles["vi"]))
