"""Accounts: identifiers, sign-up, sign-in, and a person's own details."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from lms.models import User
from lms.campaign import units as org
from lms.services import passwords, sessions
from lms.services.passwords import HASHER  # noqa: F401  (tests hash fixtures' passwords)

# Vietnamese mobile numbers: 0 (or +84) then 3, 5, 7, 8 or 9, then eight digits. ASCII digits
# only: "٠٩١٢..." or full-width digits would be stored as a second spelling of one number.
MOBILE = re.compile(r"^(?:\+?84|0)([35789][0-9]{8})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A rule was broken; `field` and `code` let the form say which and why."""

    def __init__(self, field: str, code: str, more: tuple[tuple[str, str], ...] = ()):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code
        # Every problem found, the first included, so a form can show them all at once.
        self.problems = ((field, code), *more)

    @classmethod
    def of(cls, problems: list[tuple[str, str]]) -> "AccountError":
        return cls(*problems[0], more=tuple(problems[1:]))


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


def check_new_password(password: str, *, phone: str | None = None,
                       email: str | None = None) -> None:
    """The password rule (services/passwords.py), as an error the forms show by the field."""
    try:
        passwords.check_new(password, phone=phone, email=email)
    except passwords.PasswordRefused as refused:
        raise AccountError("password", refused.code) from None


def find_account(session: Session, identifier: Identifier) -> User | None:
    column = User.phone if identifier.kind == "phone" else User.email
    return session.scalar(select(User).where(column == identifier.value))


def account_typed(session: Session, raw: str) -> tuple[Identifier | None, User | None]:
    """The phone number or email a person typed, read, and the account it names; (None, None)
    when it cannot be read, so callers can answer alike whether or not an account exists."""
    try:
        parsed = parse_identifier(raw)
    except AccountError:
        return None, None
    return parsed, find_account(session, parsed)


def registration_problems(session: Session, *, identifier: str, full_name: str,
                          password: str, org_unit_id: int | None,
                          unit_required: bool = True) -> list[tuple[str, str]]:
    """Every (field, code) wrong with a sign-up, so the form can show them all at once."""
    problems = []
    try:
        parsed = parse_identifier(identifier)
    except AccountError as error:
        parsed = None
        problems.append((error.field, error.code))
    else:
        if find_account(session, parsed):
            problems.append(("identifier", "taken"))
    if not " ".join((full_name or "").split()):
        problems.append(("full_name", "required"))
    if unit_required and org.learner_unit(session, org_unit_id) is None:
        problems.append(("org_unit", "choose-unit"))
    try:
        check_new_password(password, **({parsed.kind: parsed.value} if parsed else {}))
    except AccountError as error:
        problems.append((error.field, error.code))
    return problems


def register(session: Session, *, identifier: str, full_name: str, password: str,
             birth_year: int | None = None, org_unit_id: int | None = None,
             unit_required: bool = True) -> User:
    problems = registration_problems(session, identifier=identifier, full_name=full_name,
                                     password=password, org_unit_id=org_unit_id,
                                     unit_required=unit_required)
    if problems:
        raise AccountError.of(problems)
    parsed = parse_identifier(identifier)
    user = User(full_name=" ".join(full_name.split()), birth_year=birth_year,
                org_unit_id=org_unit_id, password_hash=passwords.hash_password(password),
                session_token=secrets.token_hex(16), **{parsed.kind: parsed.value})
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, identifier: str, password: str) -> User | None:
    """The account if the password matches; None for an unknown account or a wrong password."""
    try:
        user = find_account(session, parse_identifier(identifier))
    except AccountError:
        user = None
    # One Argon2 verification whatever the account (unknown, not yet activated, or real).
    if not passwords.verify(user.password_hash if user else None, password):
        return None
    if passwords.needs_rehash(user.password_hash) or passwords.normalised(password) != password:
        user.password_hash = passwords.hash_password(password)
    return user


def end_all_sessions(user: User) -> None:
    """Every signed-in device of `user` is signed out at its next request."""
    user.session_token = secrets.token_hex(16)
    session = object_session(user)
    if session is not None and user.id is not None:
        sessions.end_all(session, user)


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify(user.password_hash, current):
        raise AccountError("current_password", "wrong")
    check_new_password(new, phone=user.phone, email=user.email)
    user.password_hash = passwords.hash_password(new)
    end_all_sessions(user)


def remember_language(user: User, language: str) -> None:
    """The interface language the person chose, kept with the account: what messages sent
    to them later (reminders) are written in."""
    user.language = language


def chooses_own_unit(user: User) -> bool:
    """A citizen may move to another commune; a civil servant's or a staff member's unit is
    their manager's to change (it decides their scope, assignments and targets)."""
    return user.audience == "citizen" and user.role in ("learner", "helper", "trainer")


def update_profile(session: Session, user: User, full_name: str, org_unit_id: int | None) -> None:
    problems = []
    name = " ".join((full_name or "").split())
    if not name:
        problems.append(("full_name", "required"))
    unit_changes = chooses_own_unit(user) and org_unit_id != user.org_unit_id
    if unit_changes and org.learner_unit(session, org_unit_id) is None:
        problems.append(("org_unit", "choose-unit"))
    if problems:
        raise AccountError.of(problems)
    user.full_name = name
    if unit_changes:
        user.org_unit_id = org_unit_id
