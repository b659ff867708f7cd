"""Certificates: the record of a completion, its stored PDFs, verification by code or by file.

When a certificate is due is the record's rule (services/record.py); this module makes the
certificate, draws and stores its PDFs, and finds it again.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.content.competences import COMPETENCES
from lms.content.schema import LANGUAGES, Course, Program
from lms.i18n import BABEL_LOCALES, format_day
from lms.models import Certificate, CertificatePdf, User
from lms.services import audit
from lms.services.certificate_pdf import qr_data_uri, render_pdf
from lms.services.clock import vietnam_date

# 32 symbols without 0/O and 1/I, so a code read aloud or typed from paper cannot be misread;
# 16 of them carry 80 random bits.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4

# The certificate's wording, translated like every other string (lms/translations).
LABELS = {
    "heading": _l("Certificate of completion"),
    "movement": _l("Digital literacy for all movement"),
    "certifies": _l("This certifies that"),
    "completed_course": _l("has completed the course"),
    "completed_program": _l("has completed the program"),
    "competences": _l("Digital competences practised in the training "
                      "(Circular 02/2025/TT-BGDĐT)"),
    "issued_on": _l("Issued on:"),
    "serial": _l("Serial number:"),
    "code": _l("Verification code:"),
    "verify_hint": _l("Check that it is valid at"),
    "qr_alt": _l("QR code to the verification page"),
    "notice": _l("Evidence of completed training for organisers; not the official confirmation "
                 "of basic digital skills recorded on VNeID (Decision 757/QĐ-BKHCN)."),
}


@dataclass(frozen=True)
class IssueSettings:
    """What drawing a certificate needs from the deployment: who issues, where codes are checked."""

    issuer: str
    verify_base_url: str  # e.g. "https://lms.example.vn/verify/"


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def normalise_code(typed: str) -> str | None:
    """A code as typed or read from paper, in its canonical form; None if it cannot be one."""
    compact = re.sub(r"[\s\-.]", "", (typed or "").upper())
    if len(compact) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in compact):
        return None
    return format_code(compact)


def masked_name(full_name: str) -> str:
    """"Nguyễn Thị Dung" -> "Nguyễn T. D.": enough to match a person, not to find them."""
    words = full_name.split()
    if not words:
        return ""
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])])


def pdf_context(certificate: Certificate, language: str, settings: IssueSettings) -> dict:
    """The plain values a template sees, worded and dated (Vietnam's date) in `language`."""
    verify_url = settings.verify_base_url + certificate.code
    with force_locale(BABEL_LOCALES[language]):
        labels = {key: str(text) for key, text in LABELS.items()}
    return {
        "language": language,
        "labels": {**labels, "completed": labels[f"completed_{certificate.kind}"]},
        "issuer": settings.issuer,
        "holder_name": certificate.holder_name,
        "title": certificate.titles.get(language) or certificate.titles["vi"],
        "competences": [{"code": code, "name": COMPETENCES[code].name(language)}
                        for code in certificate.competences if code in COMPETENCES],
        "issued_on": format_day(vietnam_date(certificate.issued_at), language, "long"),
        "serial": certificate.serial,
        "code": certificate.code,
        "verify_url": verify_url,
        "qr_data_uri": qr_data_uri(verify_url),
    }


def sample_pdf(template_dir: str, subject: Course | Program, language: str,
               settings: IssueSettings, now: datetime) -> bytes:
    """A template drawn for a trainer's preview: a certificate of `subject` for a sample
    person, never stored (the code on it verifies nothing)."""
    kind = "course" if isinstance(subject, Course) else "program"
    sample = Certificate(code="MAU0-MAU0-MAU0-MAU0", serial="0000-0000000", kind=kind,
                         subject_slug=subject.slug, holder_name="Nguyễn Thị Ánh Dương",
                         titles={lang: subject.title(lang) for lang in LANGUAGES},
                         competences=list(subject.competences), issued_at=now)
    return render_pdf(template_dir, pdf_context(sample, language, settings))


def template_folder(catalog: Catalog, kind: str, slug: str) -> str | None:
    """The template a course or program certificate is drawn with: the program's own, or the
    default one (also for a program no longer in the catalog)."""
    program = catalog.program(slug) if kind == "program" else None
    template = catalog.templates.get(program.template if program else "default")
    return template.directory if template else None


def new_certificate(session: Session, user: User, kind: str, subject: Course | Program,
                    now: datetime) -> Certificate | None:
    """The certificate record, in the caller's transaction; None if a concurrent request issued
    it first (one valid certificate per person and subject: a partial unique index).
    Its PDFs are drawn after the commit (render_pdfs), never while the write lock is held."""
    code = new_code()
    certificate = Certificate(code=code, serial=f"pending-{code}", user_id=user.id, kind=kind,
                              subject_slug=subject.slug, holder_name=user.full_name,
                              titles={lang: subject.title(lang) for lang in LANGUAGES},
                              competences=list(subject.competences), issued_at=now)
    try:
        with session.begin_nested():
            session.add(certificate)
            session.flush()
            certificate.serial = f"{vietnam_date(now):%Y}-{certificate.id:07d}"
            session.flush()
    except IntegrityError:
        return None
    return certificate


def missing_languages(session: Session, certificate_id: int,
                      languages: Iterable[str] = LANGUAGES) -> list[str]:
    """Those of `languages` the certificate has no current PDF in."""
    have = set(session.scalars(select(CertificatePdf.language).where(
        CertificatePdf.certificate_id == certificate_id, CertificatePdf.current.is_(True))))
    return [language for language in languages if language not in have]


def render_pdfs(session: Session, certificate: Certificate, catalog: Catalog,
                settings: IssueSettings, languages: Iterable[str] = LANGUAGES) -> None:
    """Draws and stores those of the PDFs in `languages` a committed certificate lacks, from
    its stored record.

    Called right after the commit that issued it (in its learner's language), and on download
    of a language not drawn yet (the other one, or after a crash in between). Drawing happens
    outside any write transaction, so no lock is held while WeasyPrint works; two processes
    drawing at once store one current PDF per language (a partial unique index).
    """
    certificate_id = certificate.id
    languages = missing_languages(session, certificate_id, languages)
    if not languages:
        return
    folder = template_folder(catalog, certificate.kind, certificate.subject_slug)
    if folder is None:
        return
    drawn = [(language, render_pdf(folder, pdf_context(certificate, language, settings)))
             for language in languages]
    session.commit()  # end the read transaction: the drawing took a while
    for language, content in drawn:
        try:
            with session.begin_nested():
                session.add(CertificatePdf(certificate_id=certificate_id, language=language,
                                           content=content,
                                           sha256=hashlib.sha256(content).hexdigest()))
        except IntegrityError:
            pass  # another process stored this language first
    session.commit()


def reissue(session: Session, certificate: Certificate, actor: audit.Actor,
            now: datetime) -> None:
    """After a name correction: the same code with the holder's current name. New PDFs are drawn
    after the commit (render_pdfs); files drawn before then verify as replaced."""
    old_name = certificate.holder_name
    certificate.holder_name = certificate.user.full_name
    certificate.reissued_at = now
    session.execute(update(CertificatePdf).where(CertificatePdf.certificate_id == certificate.id)
                    .values(current=False))
    session.expire(certificate, ["pdfs"])
    audit.record(session, actor, "certificate-reissued", subject=certificate.user, now=now,
                 details={"code": certificate.code, "name_before": old_name,
                          "name_after": certificate.holder_name})


def revoke(session: Session, certificate: Certificate, reason: str, actor: audit.Actor,
           now: datetime) -> None:
    """Voids the completion it proves until it is earned again (services/record.py)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a revocation needs a reason")
    certificate.revoked_at = now
    certificate.revoked_reason = reason
    audit.record(session, actor, "certificate-revoked", subject=certificate.user, now=now,
                 details={"code": certificate.code, "kind": certificate.kind,
                          "subject": certificate.subject_slug, "reason": reason})


def find_by_code(session: Session, typed: str) -> Certificate | None:
    code = normalise_code(typed)
    return session.scalar(select(Certificate).where(Certificate.code == code)) if code else None


def find_by_pdf(session: Session, content: bytes) -> CertificatePdf | None:
    digest = hashlib.sha256(content).hexdigest()
    return session.scalar(select(CertificatePdf).where(CertificatePdf.sha256 == digest))


def current_pdf(session: Session, certificate: Certificate, language: str) -> CertificatePdf | None:
    return session.scalar(select(CertificatePdf).where(
        CertificatePdf.certificate_id == certificate.id, CertificatePdf.language == language,
        CertificatePdf.current.is_(True)))
