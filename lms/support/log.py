"""The support log: each assisted session a helper records at a point or door to door, and
the list of services it counts (the usual ones built in; organisers add and retire others).
A form carries a one-time token, so a form sent twice (a double tap, a weak connection
resending) records one visit."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.models import LearnerCard, OrgUnit, SupportPoint, SupportService, SupportVisit, User
from lms.services import accounts, audit
from lms.support import cards
from lms.support.points import SupportError, points_of_helper, works_in

# The services most asked for at the movement's points, always offered unless retired.
BUILT_IN_SERVICES = ("vneid", "vneid-level-2", "public-service-portal", "etax-mobile", "vssid",
                     "learning-together", "scam-advice")
AGE_GROUPS = ("under-30", "30-59", "60-plus", "unknown")
OUTCOMES = ("done", "partly", "not-done")
MAX_PEOPLE, MAX_MINUTES = 200, 600


def new_token() -> str:
    return secrets.token_urlsafe(32)


def age_group(birth_year: int | None, this_year: int) -> str:
    if not birth_year:
        return "unknown"
    age = this_year - birth_year
    return "60-plus" if age >= 60 else "30-59" if age >= 30 else "under-30"


# --- the list of services ---------------------------------------------------------------------

@dataclass(frozen=True)
class Service:
    code: str
    name: str  # "" for a built-in one: the page names it in its language


def offered_services(session: Session) -> list[Service]:
    rows = {row.code: row for row in session.scalars(select(SupportService))}
    built_in = [Service(code, "") for code in BUILT_IN_SERVICES
                if code not in rows or rows[code].retired_at is None]
    added = sorted((Service(row.code, row.name) for row in rows.values()
                    if row.name and row.retired_at is None), key=lambda s: s.name.casefold())
    return built_in + added


def retired_services(session: Session) -> list[Service]:
    return [Service(row.code, row.name) for row in session.scalars(
        select(SupportService).where(SupportService.retired_at.is_not(None))
        .order_by(SupportService.code))]


def add_service(session: Session, name: str) -> Service:
    tidy = " ".join((name or "").split())
    if not tidy:
        raise SupportError(("name", "required"))
    if any(service.name.casefold() == tidy.casefold() for service in offered_services(session)):
        raise SupportError(("name", "name-taken"))
    row = SupportService(code=f"added-{secrets.token_hex(4)}", name=tidy)
    session.add(row)
    session.flush()
    return Service(row.code, row.name)


def retire_service(session: Session, code: str, now: datetime) -> None:
    """Off the form from now on; visits that named it keep it."""
    row = session.scalar(select(SupportService).where(SupportService.code == code))
    if row is None and code in BUILT_IN_SERVICES:
        row = SupportService(code=code, name="")
        session.add(row)
    if row is not None:
        row.retired_at = now


def bring_back_service(session: Session, code: str) -> None:
    row = session.scalar(select(SupportService).where(SupportService.code == code))
    if row is not None:
        row.retired_at = None


# --- logging a visit --------------------------------------------------------------------------

@dataclass(frozen=True)
class Visit:
    token: str
    place: str  # "point-<id>" or "commune-<id>" (door to door)
    person: str  # a card number or phone number, or "" for passers-by
    people_count: int | None
    age_group: str | None
    services: tuple[str, ...]
    outcome: str | None
    minutes: int | None


def places(session: Session, helper: User, communes: list[OrgUnit]) -> list[tuple[str, str]]:
    """(value, name) of where a helper can have helped: their points, or door to door in one
    of their communes (the page words the second)."""
    return [*((f"point-{p.id}", p.name) for p in points_of_helper(session, helper)),
            *((f"commune-{c.id}", c.name) for c in communes)]


def _place(session: Session, helper: User, value: str) -> tuple[SupportPoint | None,
                                                                OrgUnit | None]:
    kind, _, number = (value or "").partition("-")
    if not number.isdigit():
        return None, None
    if kind == "point":
        point = next((p for p in points_of_helper(session, helper) if p.id == int(number)), None)
        return point, point.commune if point else None
    unit = session.get(OrgUnit, int(number)) if kind == "commune" else None
    return None, unit if works_in(session, helper, unit) else None


def _person(session: Session, helper: User, typed: str) -> User | None:
    number = cards.typed_number(typed)
    if number.isdigit() and len(number) == cards.NUMBER_DIGITS:
        card = session.scalar(select(LearnerCard).where(LearnerCard.number == number))
        person = card.user if card else None
    else:
        _parsed, person = accounts.account_typed(session, typed)
    return person if person is not None and works_in(session, helper, person.org_unit) else None


def record_visit(session: Session, helper: User, visit: Visit, actor: audit.Actor,
                 now: datetime) -> tuple[SupportVisit, bool]:
    """Records one visit; (the visit, False) when this form's token was already recorded."""
    earlier = session.scalar(select(SupportVisit).where(SupportVisit.token == visit.token))
    if earlier is not None:
        return earlier, False
    problems = []
    point, commune = _place(session, helper, visit.place)
    if commune is None:
        problems.append(("place", "choose-unit"))
    person = _person(session, helper, visit.person) if visit.person.strip() else None
    if visit.person.strip() and person is None:
        problems.append(("person", "no-person"))
    if person is None and not (visit.people_count and 1 <= visit.people_count <= MAX_PEOPLE):
        problems.append(("people_count", "people-count"))
    if person is None and visit.age_group not in AGE_GROUPS:
        problems.append(("age_group", "choose-age-group"))
    offered = {service.code for service in offered_services(session)}
    if not visit.services or not set(visit.services) <= offered:
        problems.append(("services", "choose-service"))
    if visit.outcome not in OUTCOMES:
        problems.append(("outcome", "choose-outcome"))
    if not (visit.minutes and 1 <= visit.minutes <= MAX_MINUTES):
        problems.append(("minutes", "minutes"))
    if not visit.token or len(visit.token) > 43:
        problems.append(("token", "required"))
    if problems:
        raise SupportError(*problems)
    row = SupportVisit(token=visit.token, at=now, point_id=point.id if point else None,
                       commune_id=commune.id, helper_id=helper.id,
                       person_id=person.id if person else None,
                       people_count=1 if person else visit.people_count,
                       age_group=age_group(person.birth_year, now.year) if person
                       else visit.age_group,
                       services=sorted(set(visit.services)), outcome=visit.outcome,
                       minutes=visit.minutes)
    try:
        with session.begin_nested():  # a second tab sending the same form at the same moment
            session.add(row)
            session.flush()
    except IntegrityError:
        return session.scalar(select(SupportVisit).where(SupportVisit.token == visit.token)
                              ), False
    audit.record(session, actor, "support-visit-logged", subject=person,
                 unit_path=commune.path, now=now,
                 details={"visit": row.id, "services": row.services, "people": row.people_count})
    return row, True


def visits_by(session: Session, helper: User, limit: int = 20) -> list[SupportVisit]:
    return list(session.scalars(select(SupportVisit).where(SupportVisit.helper_id == helper.id)
                                .order_by(SupportVisit.at.desc()).limit(limit)))
