"""Certificates: issued once when earned, stored as PDFs, verifiable by code or by file."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.content.competences import COMPETENCES
from lms.content.schema import LANGUAGES, Course, Program
from lms.models import Certificate, CertificatePdf, User
from lms.services import progress
from lms.services.certificate_pdf import qr_data_uri, render_pdf

# 32 symbols without 0/O and 1/I, so a code read aloud or typed from paper cannot be misread;
# 16 of them carry 80 random bits.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4

LABELS = {
    "vi": {"heading": "Chứng nhận", "movement": "Phong trào Bình dân học vụ số",
           "certifies": "Trao cho Ông/Bà", "completed_course": "đã hoàn thành khoá học",
           "completed_program": "đã hoàn thành chương trình",
           "competences": "Năng lực số đã đạt (Thông tư 02/2025/TT-BGDĐT)",
           "issued_on": "Ngày cấp:", "serial": "Số hiệu:", "code": "Mã xác minh:",
           "verify_hint": "Kiểm tra tính hợp lệ tại", "qr_alt": "Mã QR dẫn tới trang xác minh"},
    "en": {"heading": "Certificate", "movement": "Digital literacy for all movement",
           "certifies": "This certifies that", "completed_course": "has completed the course",
           "completed_program": "has completed the program",
           "competences": "Digital competences shown (Circular 02/2025/TT-BGDĐT)",
           "issued_on": "Issued on:", "serial": "Serial number:", "code": "Verification code:",
           "verify_hint": "Check that it is valid at", "qr_alt": "QR code to the verification page"},
}


@dataclass(frozen=True)
class IssueSettings:
    """What issuing needs from the deployment: who issues, and where codes are checked."""

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
    labels = LABELS[language]
    verify_url = settings.verify_base_url + certificate.code
    return {
        "language": language,
        "labels": {**labels, "completed": labels[f"completed_{certificate.kind}"]},
        "issuer": settings.issuer,
        "holder_name": certificate.holder_name,
        "title": certificate.titles.get(language) or certificate.titles["vi"],
        "competences": [{"code": code, "name": COMPETENCES[code].name(language)}
                        for code in certificate.competences if code in COMPETENCES],
        "issued_on": certificate.issued_at.strftime("%d/%m/%Y"),
        "serial": certificate.serial,
        "code": certificate.code,
        "verify_url": verify_url,
        "qr_data_uri": qr_data_uri(verify_url),
    }


def _render_all(certificate: Certificate, template_folder: str, settings: IssueSettings) -> None:
    for language in LANGUAGES:
        content = render_pdf(template_folder, pdf_context(certificate, language, settings))
        certificate.pdfs.append(CertificatePdf(language=language, content=content,
                                               sha256=hashlib.sha256(content).hexdigest()))


def template_folder(catalog: Catalog, kind: str, slug: str) -> str | None:
    """The template a course or program certificate is drawn with: the program's own, or the
    default one (also for a program no longer in the catalog)."""
    program = catalog.program(slug) if kind == "program" else None
    template = catalog.templates.get(program.template if program else "default")
    return template.directory if template else None


def _issue(session: Session, user: User, kind: str, subject: Course | Program,
           catalog: Catalog, settings: IssueSettings) -> Certificate | None:
    folder = template_folder(catalog, kind, subject.slug)
    if folder is None:
        return None
    code = new_code()
    certificate = Certificate(code=code, serial=f"pending-{code}", user_id=user.id, kind=kind,
                              subject_slug=subject.slug, holder_name=user.full_name,
                              titles={lang: subject.title(lang) for lang in LANGUAGES},
                              competences=list(subject.competences),
                              issued_at=datetime.now(timezone.utc))
    try:
        with session.begin_nested():  # a concurrent request may be issuing the same one
            session.add(certificate)
            session.flush()
            certificate.serial = f"{certificate.issued_at:%Y}-{certificate.id:07d}"
            _render_all(certificate, folder, settings)
            session.flush()
    except IntegrityError:
        return None
    return certificate


def issue_earned(session: Session, user: User, catalog: Catalog,
                 settings: IssueSettings) -> list[Certificate]:
    """Every course and program certificate `user` has earned and does not hold yet."""
    held = {(kind, slug) for kind, slug in session.execute(
        select(Certificate.kind, Certificate.subject_slug).where(Certificate.user_id == user.id))}
    done = progress.progress_for(session, user.id, catalog.courses)
    earned = [("course", course) for course in catalog.courses if done[course.slug].complete]
    earned += [("program", program) for program in catalog.programs
               if user.audience in program.audience
               and all(done.get(slug) and done[slug].complete for slug in program.courses)]
    issued = (_issue(session, user, kind, subject, catalog, settings)
              for kind, subject in earned if (kind, subject.slug) not in held)
    return [certificate for certificate in issued if certificate]


def reissue(session: Session, certificate: Certificate, catalog: Catalog,
            settings: IssueSettings) -> None:
    """After a name correction: new PDFs under the same code; old files verify as replaced."""
    certificate.holder_name = certificate.user.full_name
    certificate.reissued_at = datetime.now(timezone.utc)
    session.execute(update(CertificatePdf).where(CertificatePdf.certificate_id == certificate.id)
                    .values(current=False))
    session.expire(certificate, ["pdfs"])
    _render_all(certificate, template_folder(catalog, certificate.kind, certificate.subject_slug),
                settings)


def revoke(certificate: Certificate, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a revocation needs a reason")
    certificate.revoked_at = datetime.now(timezone.utc)
    certificate.revoked_reason = reason


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


def learner_certificates(session: Session, user_id: int) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                                .order_by(Certificate.issued_at.desc())))

