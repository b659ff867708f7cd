"""Accounts: identifiers, passwords, sign-in, sessions, and a learner's own data."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.models import LessonProgress, QuizAttempt, User
from lms.services import record
from lms.services.clock import vietnam_date

# OWASP Password Storage Cheat Sheet: Argon2id, 19 MiB of memory, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "seed" / "common-passwords.txt"
# Vietnamese mobile numbers: 0 (or +84) then 3, 5, 7, 8 or 9, then eight digits.
MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Verifying against this when no account matches keeps the answer time the same.
_DUMMY_HASH = HASHER.hash("not a real password")


class AccountError(ValueError):
    """A rule was broken; `field` and `code` let the form say which and why."""

    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


@dataclass(frozen=True)
class Identifier:
    kind: str  # "phone" or "email"
    value: str


def parse_identifier(raw: str) -> Identifier:
    """A phone number (09x..., +84 9x..., with spaces, dots or dashes) or an email address."""
    text = (raw or "").strip()
    if "@" in text:
        # Length first: on a long crafted text the pattern takes quadratic time.
        if len(text) > 254 or not EMAIL.match(text):
            raise AccountError("identifier", "bad-email")
        return Identifier("email", text.lower())
    digits = re.sub(r"[\s.\-()]", "", text)
    match = MOBILE.match(digits)
    if not match:
        raise AccountError("identifier", "bad-phone")
    return Identifier("phone", "+84" + match.group(1))


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip()
                     and not line.startswith("#"))


def check_new_password(password: str) -> None:
    """NIST SP 800-63B: length and a block list, no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("password", "too-short")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password", "too-long")
    if password.lower() in common_passwords() or len(set(password)) <= 2:
        raise AccountError("password", "too-common")


def find_account(session: Session, identifier: Identifier) -> User | None:
    column = User.phone if identifier.kind == "phone" else User.email
    return session.scalar(select(User).where(column == identifier.value))


def register(session: Session, *, identifier: str, full_name: str, password: str,
             birth_year: int | None = None, org_unit_id: int | None = None) -> User:
    parsed = parse_identifier(identifier)
    check_new_password(password)
    name = " ".join((full_name or "").split())
    if not name:
        raise AccountError("full_name", "required")
    if find_account(session, parsed):
        raise AccountError("identifier", "taken")
    user = User(full_name=name, birth_year=birth_year, org_unit_id=org_unit_id,
                password_hash=HASHER.hash(password), session_token=secrets.token_hex(16),
                **{parsed.kind: parsed.value})
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, identifier: str, password: str) -> User | None:
    """The account if the password matches; None for an unknown account or a wrong password."""
    try:
        user = find_account(session, parse_identifier(identifier))
    except AccountError:
        user = None
    try:
        HASHER.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user


def end_all_sessions(user: User) -> None:
    """Every session carrying the old token stops working at its next request."""
    user.session_token = secrets.token_hex(16)


def change_password(user: User, current: str, new: str) -> None:
    try:
        HASHER.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("current_password", "wrong") from None
    check_new_password(new)
    user.password_hash = HASHER.hash(new)
    end_all_sessions(user)


def update_profile(user: User, full_name: str, org_unit_id: int | None) -> None:
    name = " ".join((full_name or "").split())
    if not name:
        raise AccountError("full_name", "required")
    user.full_name, user.org_unit_id = name, org_unit_id


def export_personal_data(session: Session, user: User, catalog: Catalog) -> dict:
    """Everything lms keeps about one learner, for the right of access; completions are the
    record's (services/record.py), dated by Vietnam's calendar."""
    lessons = session.scalars(select(LessonProgress).where(LessonProgress.user_id == user.id)
                              .order_by(LessonProgress.completed_at))
    attempts = session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                               .order_by(QuizAttempt.started_at))
    return {
        "account": {
            "full_name": user.full_name, "phone": user.phone, "email": user.email,
            "birth_year": user.birth_year, "created_at": user.created_at.isoformat(),
            "unit": user.org_unit.name if user.org_unit else None, "role": user.role,
        },
        "lessons_done": [{"course": p.course_slug, "lesson": p.lesson_slug,
                          "completed_at": p.completed_at.isoformat()} for p in lessons],
        "quiz_attempts": [{"course": a.course_slug, "started_at": a.started_at.isoformat(),
                           "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                           "score_percent": a.score_percent, "passed": a.passed,
                           "answers": a.answers} for a in attempts],
        "courses_completed": [
            {"course": r.course.slug, "completed_on": r.completed_on.isoformat(),
             "certificate_code": r.certificate.code}
            for r in record.course_records(session, user.id, catalog.courses, catalog).values()
            if r.complete],
        "certificates": [
            {"code": c.code, "serial": c.serial, "kind": c.kind, "subject": c.subject_slug,
             "holder_name": c.holder_name, "issued_on": vietnam_date(c.issued_at).isoformat(),
             "issued_at": c.issued_at.isoformat(),
             "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
             "revoked_reason": c.revoked_reason}
            for c in record.certificates_held(session, user.id)],
    }


def delete_account(session: Session, user: User, password: str) -> None:
    try:
        HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AccountError("password", "wrong") from None
    for model in (LessonProgress, QuizAttempt):
        session.execute(delete(model).where(model.user_id == user.id))
    session.delete(user)
