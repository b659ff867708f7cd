"""A person's own data (Law 91/2025/QH15, Decree 356/2025/ND-CP): consent to the privacy
notice, everything kept about them for the right of access, and deletion.

Deletion removes what it can (progress, attempts, assignments by name, reminders, codes, sessions,
consents, phone, email, password) and pseudonymises what must stay as evidence: the account
becomes a nameless holder of its certificates, whose codes keep verifying with the name
masked and a note; entries in the audit trail about staff actions keep the name they had.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.models import (AssignmentPerson, AuditEntry, Certificate, Consent, LearnerCard,
                        LessonProgress, OneTimeCode, QuizAttempt, Reminder, User)
from lms.campaign import assignments
from lms.services import passwords, record, sessions
from lms.services.accounts import AccountError
from lms.services.certificates import masked_name
from lms.services.clock import vietnam_date

# Raise when the notice's content changes; a consent names the version the person read
# (2026-12-01.2: due-date reminders by SMS and email).
NOTICE_VERSION = "2026-12-01.2"
DELETED = "!deleted"  # matches no password, as "!" does for accounts never activated


def record_consent(session: Session, user: User, address: str | None, now: datetime) -> None:
    session.add(Consent(user_id=user.id, notice_version=NOTICE_VERSION, given_at=now,
                        address=address))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export(session: Session, user: User, catalog: Catalog, now: datetime) -> dict:
    """Everything lms keeps about one person; completions are the record's, dated by
    Vietnam's calendar."""
    lessons = session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id)
                              .order_by(LessonProgress.completed_at))
    attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                               .order_by(QuizAttempt.started_at))
    consents = session.scalars(select(Consent).where(Consent.user_id == user.id)
                               .order_by(Consent.given_at))
    about = session.scalars(select(AuditEntry).where(AuditEntry.subject_user_id == user.id)
                            .order_by(AuditEntry.id))
    reminded = session.scalars(select(Reminder).where(Reminder.user_id == user.id)
                               .order_by(Reminder.id))
    return {
        "account": {
            "full_name": user.full_name, "phone": user.phone, "email": user.email,
            "phone_proven_at": _iso(user.phone_proven_at),
            "email_proven_at": _iso(user.email_proven_at),
            "birth_year": user.birth_year, "created_at": user.created_at.isoformat(),
            "unit": user.org_unit.name if user.org_unit else None,
            "unit_code": user.org_unit.code if user.org_unit else None, "role": user.role,
            "position": user.position, "audience": user.audience,
            "signed_in_devices": sessions.count(session, user, now),
            "language": user.language,
            "sms_reminders_off_since": _iso(user.sms_reminders_off_at),
            "email_reminders_off_since": _iso(user.email_reminders_off_at),
        },
        "lessons_done": [{"course": p.course_slug, "lesson": p.lesson_slug,
                          "completed_at": p.completed_at.isoformat(),
                          "assisted_at_a_support_point": p.assisted_by_id is not None}
                         for p in lessons],
        "quiz_attempts": [{"course": a.course_slug, "started_at": a.started_at.isoformat(),
                           "submitted_at": _iso(a.submitted_at),
                           "score_percent": a.score_percent, "passed": a.passed,
                           "assisted_at_a_support_point": a.assisted_by_id is not None,
                           "answers": a.answers} for a in attempts],
        "courses_completed": [
            {"course": r.course.slug, "completed_on": r.completed_on.isoformat(),
             "certificate_code": r.certificate.code}
            for r in record.course_records(session, user.id, catalog.courses, catalog).values()
            if r.complete],
        "certificates": [
            {"code": c.code, "serial": c.serial, "kind": c.kind, "subject": c.subject_slug,
             "holder_name": c.holder_name, "issued_on": vietnam_date(c.issued_at).isoformat(),
             "issued_at": c.issued_at.isoformat(), "revoked_at": _iso(c.revoked_at),
             "revoked_reason": c.revoked_reason}
            for c in record.certificates_held(session, user.id)],
        "assignments": [
            {"kind": item.assignment.subject_kind, "subject": item.assignment.subject_slug,
             "due_on": item.assignment.due_on.isoformat(), "done": item.done}
            for item in assignments.for_learner(session, user, catalog, vietnam_date(now))],
        "reminders": [
            {"kind": r.assignment.subject_kind, "subject": r.assignment.subject_slug,
             "due_on": r.assignment.due_on.isoformat(), "rule": r.rule, "channel": r.channel,
             "status": r.status, "sent_at": _iso(r.sent_at)} for r in reminded],
        "consents": [{"privacy_notice": c.notice_version, "given_at": c.given_at.isoformat()}
                     for c in consents],
        "audit_entries_about_me": [
            {"at": e.at.isoformat(), "action": e.action, "by": e.actor_name,
             "details": e.details} for e in about],
    }


def _reauthenticated(session: Session, user: User, secret: str) -> bool:
    """The password; for a learner card holder without a phone or email, their card's PIN."""
    if user.phone or user.email:
        return passwords.verify(user.password_hash, secret)
    card = session.scalar(select(LearnerCard).where(LearnerCard.user_id == user.id,
                                                    LearnerCard.revoked_at.is_(None)))
    return passwords.verify(card.pin_hash if card else None, secret)


def delete_account(session: Session, user: User, password: str, now: datetime) -> None:
    if not _reauthenticated(session, user, password):
        raise AccountError("password", "wrong")
    for model in (LessonProgress, QuizAttempt, AssignmentPerson, OneTimeCode, Consent,
                  LearnerCard, Reminder):
        session.execute(delete(model).where(model.user_id == user.id))
    sessions.end_all(session, user)
    held = session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    if not held:
        session.delete(user)
        return
    masked = masked_name(user.full_name)
    for certificate in held:
        certificate.holder_name = masked_name(certificate.holder_name)
    user.full_name, user.phone, user.email, user.birth_year = masked, None, None, None
    user.position, user.password_hash, user.deleted_at = None, DELETED, now
    user.org_unit_id = user.scope_unit_id = None
    user.role, user.activation_code_hash, user.activation_expires_at = "learner", None, None
    user.phone_proven_at = user.email_proven_at = None
    user.language = user.sms_reminders_off_at = user.email_reminders_off_at = None
