"""Learners without a phone or email of their own: registered by a helper, with consent given
after the helper read them the printed notice, and a learner card that signs them in with a
short PIN at any support point. Cards can be printed again, replaced and revoked."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms.models import Consent, LearnerCard, OrgUnit, User
from lms.services import accounts, audit, passwords, recovery
from lms.services.personal_data import NOTICE_VERSION
from lms.support.points import SupportError, helper_scope, works_in

NUMBER_DIGITS = 10
EARLIEST_BIRTH_YEAR = 1900
# A card holder has no password until they link a phone and choose one: this matches none.
CARD_ONLY = "!card"


def shown_number(number: str) -> str:
    """1234 5678 90: easier to read out and type."""
    return f"{number[:4]} {number[4:8]} {number[8:]}"


def typed_number(raw: str | None) -> str:
    return "".join(ch for ch in (raw or "") if not ch.isspace() and ch not in ".-")


@dataclass(frozen=True)
class NewLearner:
    full_name: str
    birth_year: int | None
    commune_id: int | None
    pin: str
    read_aloud: bool


def registration_problems(session: Session, helper: User, new: NewLearner,
                          this_year: int) -> list[tuple[str, str]]:
    problems = []
    if not " ".join((new.full_name or "").split()):
        problems.append(("full_name", "required"))
    if new.birth_year is None or not EARLIEST_BIRTH_YEAR <= new.birth_year <= this_year:
        problems.append(("birth_year", "birth-year"))
    if not works_in(session, helper, session.get(OrgUnit, new.commune_id)
                    if new.commune_id else None):
        problems.append(("commune", "choose-unit"))
    try:
        passwords.check_new_pin(new.pin, new.birth_year)
    except passwords.PasswordRefused as refused:
        problems.append(("pin", refused.code))
    if not new.read_aloud:
        problems.append(("read_aloud", "read-aloud"))
    return problems


def register(session: Session, helper: User, new: NewLearner, actor: audit.Actor,
             now: datetime) -> LearnerCard:
    """A person with no phone or email, their consent as recorded by the helper, and a card."""
    problems = registration_problems(session, helper, new, now.year)
    if problems:
        raise SupportError(*problems)
    person = User(full_name=" ".join(new.full_name.split()), birth_year=new.birth_year,
                  org_unit_id=new.commune_id, password_hash=CARD_ONLY,
                  session_token=secrets.token_hex(16), created_at=now)
    session.add(person)
    session.flush()
    session.add(Consent(user_id=person.id, notice_version=NOTICE_VERSION, given_at=now,
                        address=actor.address, recorded_by_id=helper.id, read_aloud=True))
    audit.record(session, actor, "learner-registered", subject=person, now=now,
                 details={"notice": NOTICE_VERSION, "read_aloud": True})
    return _issue(session, helper, person, new.pin, actor, now)


def _issue(session: Session, helper: User, person: User, pin: str, actor: audit.Actor,
           now: datetime) -> LearnerCard:
    while True:  # 10^10 numbers: a clash is rare, and the unique index is the last word
        number = f"{secrets.randbelow(10 ** NUMBER_DIGITS):0{NUMBER_DIGITS}d}"
        if session.scalar(select(LearnerCard.id).where(LearnerCard.number == number)) is None:
            break
    card = LearnerCard(user_id=person.id, number=number, pin_hash=passwords.HASHER.hash(pin),
                       issued_at=now, issued_by_id=helper.id)
    session.add(card)
    session.flush()
    audit.record(session, actor, "learner-card-issued", subject=person, now=now,
                 details={"card": shown_number(number)})
    return card


def replace(session: Session, helper: User, card: LearnerCard, pin: str, actor: audit.Actor,
            now: datetime) -> LearnerCard:
    """A lost card, or a forgotten PIN: the old card stops working, a new one is printed."""
    try:
        passwords.check_new_pin(pin, card.user.birth_year)
    except passwords.PasswordRefused as refused:
        raise SupportError(("pin", refused.code)) from None
    revoke(session, card, actor, now)
    return _issue(session, helper, card.user, pin, actor, now)


def revoke(session: Session, card: LearnerCard, actor: audit.Actor, now: datetime) -> None:
    if card.revoked_at is None:
        card.revoked_at = now
        audit.record(session, actor, "learner-card-revoked", subject=card.user, now=now,
                     details={"card": shown_number(card.number)})


def viewed(session: Session, card: LearnerCard, actor: audit.Actor, now: datetime) -> None:
    """A helper opened a card holder's page (their name, birth year and card): a person's
    data seen by someone else is traced like any other staff action on it."""
    audit.record(session, actor, "learner-card-viewed", subject=card.user, now=now,
                 details={"card": shown_number(card.number)})


def printed(session: Session, card: LearnerCard, actor: audit.Actor, now: datetime) -> None:
    audit.record(session, actor, "learner-card-printed", subject=card.user, now=now,
                 details={"card": shown_number(card.number)})


def card_of_person(session: Session, helper: User, card_id: int) -> LearnerCard | None:
    """A card the helper may see: of a person in the communes they work in."""
    card = session.get(LearnerCard, card_id)
    if card is None or not works_in(session, helper, card.user.org_unit):
        return None
    return card


def find_card_holders(session: Session, helper: User, text: str,
                      limit: int = 20) -> list[LearnerCard]:
    """Cards (working or not) of people in the helper's communes, by card number or name.
    Helpers see a card holder's name, birth year and commune: what they need to help."""
    path = helper_scope(session, helper)
    wanted = " ".join((text or "").split())
    if path is None or not wanted:
        return []
    number = typed_number(wanted)
    query = (select(LearnerCard).join(User, User.id == LearnerCard.user_id)
             .join(OrgUnit, OrgUnit.id == User.org_unit_id)
             .where(OrgUnit.path.startswith(path, autoescape=True), User.deleted_at.is_(None),
                    or_(LearnerCard.number == number, User.full_name.ilike(f"%{wanted}%")))
             .order_by(LearnerCard.revoked_at.is_not(None), User.full_name,
                       LearnerCard.issued_at.desc()))
    return list(session.scalars(query.limit(limit)))


def authenticate(session: Session, raw_number: str, pin: str) -> User | None:
    """The card holder if the card works and the PIN matches; one Argon2 check either way."""
    number = typed_number(raw_number)
    card = session.scalar(select(LearnerCard).where(
        LearnerCard.number == number, LearnerCard.revoked_at.is_(None))) if number.isdigit() \
        and len(number) == NUMBER_DIGITS else None
    matched = passwords.verify(card.pin_hash if card else None, pin or "")
    if card is None or not matched or card.user.deleted_at is not None:
        return None
    return card.user


def link_phone(session: Session, person: User, raw_phone: str,
               now: datetime) -> recovery.IssuedCode:
    """A card holder who now has a phone: it is kept as a claim, and a code is sent to prove
    it (the same proof as at sign-up). Once proven, "forgot password" gives them a password."""
    try:
        parsed = accounts.parse_identifier(raw_phone)
    except accounts.AccountError:
        raise SupportError(("phone", "bad-phone")) from None
    if parsed.kind != "phone":
        raise SupportError(("phone", "bad-phone"))
    holder = accounts.find_account(session, parsed)
    if holder is not None and holder.id != person.id:
        raise SupportError(("phone", "taken"))
    person.phone, person.phone_proven_at = parsed.value, None
    return recovery.start_proof(session, person, now)
