"""One-time codes: proving a phone number or email, and getting back into an account.

A code is short-lived, single-use, stored as an Argon2 hash, and dies after a few wrong tries
(a new one can be asked for: the guesser gains nothing, the owner loses a minute). Sent codes
have 6 digits and last 15 minutes; a code printed by a manager for a person standing in front
of them has 8 digits and lasts an hour. Sending is the caller's (lms/messaging.py): these
functions return the clear code once.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lms.models import OneTimeCode, OrgUnit, User
from lms.services import access, audit, passwords
from lms.services.accounts import (AccountError, account_typed, check_new_password,
                                   end_all_sessions, find_account, parse_identifier)
from lms.services.clock import aware
from lms.campaign.activation import NOT_ACTIVATED, issue_activation_code, shown_code

SENT_VALID_FOR = timedelta(minutes=15)
PRINTED_VALID_FOR = timedelta(hours=1)
MAX_WRONG_TRIES = 5
PROVE, RESET = "prove", "reset"
_DUMMY_CODE_HASH = passwords.HASHER.hash("000000")


@dataclass(frozen=True)
class IssuedCode:
    user: User
    target: str  # the phone number or email it goes to (or the account's, when printed)
    code: str  # in clear, once: "123456" or "1234 5678"
    expires_at: datetime


def _issue(session: Session, user: User, purpose: str, target: str, now: datetime, *,
           digits: int = 6, valid_for: timedelta = SENT_VALID_FOR,
           issued_by: int | None = None) -> IssuedCode:
    """A new code; any earlier live code of the same purpose stops working."""
    session.execute(update(OneTimeCode).where(
        OneTimeCode.user_id == user.id, OneTimeCode.purpose == purpose,
        OneTimeCode.used_at.is_(None)).values(used_at=now))
    code = f"{secrets.randbelow(10 ** digits):0{digits}d}"
    row = OneTimeCode(user_id=user.id, purpose=purpose, target=target, created_at=now,
                      code_hash=passwords.HASHER.hash(code), expires_at=now + valid_for,
                      issued_by_id=issued_by, wrong_tries=0)
    session.add(row)
    session.flush()
    shown = f"{code[:4]} {code[4:]}" if digits == 8 else code
    return IssuedCode(user, target, shown, row.expires_at)


def _use(session: Session, user: User | None, purpose: str, code: str,
         now: datetime) -> OneTimeCode | None:
    """The live code of `user` that matches, now used up; None otherwise. One Argon2
    verification whatever the case, so the answer time says nothing."""
    row = None
    if user is not None:
        row = session.scalar(select(OneTimeCode).where(
            OneTimeCode.user_id == user.id, OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None)).order_by(OneTimeCode.id.desc()).limit(1))
        if row is not None and aware(row.expires_at) <= now:
            row = None
    digits = re.sub(r"[\s.\-]", "", code or "")
    try:
        matched = passwords.HASHER.verify(row.code_hash if row else _DUMMY_CODE_HASH, digits)
    except Exception:  # noqa: BLE001 - argon2's mismatch and malformed-input errors alike
        matched = False
    if row is None:
        return None
    if not matched:
        row.wrong_tries += 1
        if row.wrong_tries >= MAX_WRONG_TRIES:
            row.used_at = now  # dead: the owner asks for a new one
        return None
    row.used_at = now
    return row


# Proving a phone number or email ---------------------------------------------------------------

def start_proof(session: Session, user: User, now: datetime) -> IssuedCode | None:
    """A code for the identifier the account signs in with, if it is not proven yet."""
    target = unproven_identifier(user)
    return _issue(session, user, PROVE, target, now) if target else None


def unproven_identifier(user: User) -> str | None:
    if user.phone and user.phone_proven_at is None:
        return user.phone
    if user.email and user.email_proven_at is None:
        return user.email
    return None


def prove(session: Session, user: User, code: str, now: datetime) -> None:
    used = _use(session, user, PROVE, code, now)
    if used is None:
        raise AccountError("code", "wrong-code")
    _mark_proven(user, used.target, now)


def _mark_proven(user: User, target: str, now: datetime) -> None:
    if target == user.phone:
        user.phone_proven_at = now
    elif target == user.email:
        user.email_proven_at = now


# Getting back in ------------------------------------------------------------------------------------

def request_reset(session: Session, identifier: str, now: datetime) -> IssuedCode | None:
    """A code to send to the phone or email typed, if an account signs in with it. The caller
    answers the same either way, so the form does not reveal who has an account."""
    try:
        parsed = parse_identifier(identifier)
    except AccountError:
        return None
    user = find_account(session, parsed)
    return _issue(session, user, RESET, parsed.value, now) if user else None


def reset_password(session: Session, identifier: str, code: str, new_password: str,
                   address: str | None, now: datetime) -> User:
    """Sets a new password with a reset code (sent, or printed by a manager); ends every
    session; a sent code also proves the phone or email it went to."""
    parsed, user = account_typed(session, identifier)
    check_new_password(new_password, **({parsed.kind: parsed.value} if parsed else {}))
    used = _use(session, user, RESET, code, now)
    if used is None:
        raise AccountError("code", "wrong-code")
    user.password_hash = passwords.hash_password(new_password)
    user.activation_code_hash = user.activation_expires_at = None
    if used.issued_by_id is None:
        _mark_proven(user, used.target, now)
    end_all_sessions(user)
    audit.record(session, audit.Actor(user.id, user.full_name, address), "password-reset",
                 subject=user, now=now,
                 details={"code": "printed" if used.issued_by_id else "sent",
                          "issued_by": used.issued_by_id})
    return user


class AssistError(ValueError):
    """The staff member may not help this person; `code` says why."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def assist(session: Session, staff: User, person: User, actor: audit.Actor,
           now: datetime) -> tuple[str, IssuedCode]:
    """For a person standing in front of a manager (of their unit) or an administrator: a new
    activation code if the account was imported and never activated, otherwise a one-time
    reset code. Returns ("activation" or "reset", the code), and writes the audit entry."""
    in_scope = (access.can_see_unit(session, staff, person.org_unit) if person.org_unit
                else access.scope_path(session, staff) == "")
    if not in_scope:
        raise AssistError("out-of-scope")
    if person.id == staff.id or not access.may_change_person(staff, person):
        raise AssistError("above-your-role")
    if not (person.phone or person.email):  # a learner card holder: no code can reach them
        raise AssistError("card-only")
    if person.password_hash == NOT_ACTIVATED:
        code = issue_activation_code(person, now)
        audit.record(session, actor, "activation-code-issued", subject=person, now=now,
                     details={"expires_at": person.activation_expires_at.isoformat(),
                              "reissued": True})
        return "activation", IssuedCode(person, person.phone or person.email,
                                        shown_code(code), person.activation_expires_at)
    issued = _issue(session, person, RESET, person.phone or person.email, now, digits=8,
                    valid_for=PRINTED_VALID_FOR, issued_by=staff.id)
    audit.record(session, actor, "reset-code-issued", subject=person, now=now,
                 details={"expires_at": issued.expires_at.isoformat()})
    return "reset", issued


def people_to_assist(session: Session, staff: User, text: str, limit: int = 20) -> list[User]:
    """People in `staff`'s units whose phone, email (exactly) or name (in part) match."""
    text = " ".join((text or "").split())[:200]
    path = access.scope_path(session, staff)
    if not text or path is None:
        return []
    try:
        parsed = parse_identifier(text)
        match = (User.phone if parsed.kind == "phone" else User.email) == parsed.value
    except AccountError:
        match = User.full_name.ilike(f"%{text}%")
    query = select(User).join(OrgUnit, User.org_unit_id == OrgUnit.id, isouter=not path)
    if path:
        query = query.where(OrgUnit.path.startswith(path, autoescape=True))
    return list(session.scalars(query.where(match).order_by(User.full_name).limit(limit)))
