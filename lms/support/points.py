"""Support points and their helpers: who may help where, the points a manager keeps, and the
public list a citizen reads to find help in their commune."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lms.models import OrgUnit, SupportPoint, SupportPointHelper, User
from lms.models.support import POINT_KINDS
from lms.services import access, audit
from lms.campaign.units import LEARNER_UNIT_KINDS


class SupportError(ValueError):
    """A rule was broken; `problems` are (field, code) pairs the forms say in plain words."""

    def __init__(self, *problems: tuple[str, str]):
        super().__init__(", ".join(f"{field}: {code}" for field, code in problems))
        self.problems = problems


def helper_scope(session: Session, helper: User) -> str | None:
    """The unit path a helper works in (None if they are not a helper, or have no unit)."""
    if helper.role != "helper" or not helper.scope_unit_id:
        return None
    unit = session.get(OrgUnit, helper.scope_unit_id)
    return unit.path if unit else None


def communes_for(session: Session, staff: User) -> list[OrgUnit]:
    """The communes and wards a manager (or a helper) may open points or register people in."""
    path = helper_scope(session, staff) if staff.role == "helper" else access.scope_path(
        session, staff)
    if path is None:
        return []
    query = select(OrgUnit).where(OrgUnit.kind.in_(LEARNER_UNIT_KINDS)).order_by(OrgUnit.name)
    if path:
        query = query.where(OrgUnit.path.startswith(path, autoescape=True))
    return list(session.scalars(query))


def works_in(session: Session, helper: User, unit: OrgUnit | None) -> bool:
    """A helper registers and helps people of the communes under the unit they were given."""
    path = helper_scope(session, helper)
    return (path is not None and unit is not None and unit.kind in LEARNER_UNIT_KINDS
            and unit.path.startswith(path))


# --- helpers ----------------------------------------------------------------------------------

def grant_helper(session: Session, manager: User, person: User | None, unit_id: int | None,
                 actor: audit.Actor) -> None:
    """A manager makes a learner of any commune a helper in one of the manager's units."""
    unit = session.get(OrgUnit, unit_id) if unit_id else None
    problems = []
    if person is None:
        problems.append(("identifier", "no-account"))
    elif person.role not in ("learner", "helper") or not access.may_change_person(manager,
                                                                                   person):
        problems.append(("identifier", "has-other-role"))
    if unit is None or not access.can_see_unit(session, manager, unit):
        problems.append(("unit", "choose-unit"))
    if problems:
        raise SupportError(*problems)
    access.grant_role(session, person, "helper", unit.code, actor)


def remove_helper(session: Session, manager: User, person: User, actor: audit.Actor) -> None:
    """Back to a learner, and off every point's list of helpers."""
    if person.role != "helper" or not access.can_see_unit(session, manager, person.scope_unit):
        raise SupportError(("person", "not-your-helper"))
    session.execute(delete(SupportPointHelper).where(SupportPointHelper.user_id == person.id))
    access.grant_role(session, person, "learner", None, actor)


def helpers_of(session: Session, manager: User) -> list[User]:
    """The helpers working in the manager's units."""
    path = access.scope_path(session, manager)
    if path is None:
        return []
    query = (select(User).join(OrgUnit, OrgUnit.id == User.scope_unit_id)
             .where(User.role == "helper").order_by(User.full_name))
    if path:
        query = query.where(OrgUnit.path.startswith(path, autoescape=True))
    return list(session.scalars(query))


# --- points -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PointDetails:
    name: str
    address: str
    commune_id: int | None
    kind: str
    opening_times: str
    helper_ids: tuple[int, ...]


def _tidy(text: str | None) -> str:
    return " ".join((text or "").split())


def save_point(session: Session, manager: User, point: SupportPoint | None,
               details: PointDetails, actor: audit.Actor) -> SupportPoint:
    """Creates or changes a point in the manager's units; every problem is reported at once."""
    problems = []
    if not _tidy(details.name):
        problems.append(("name", "required"))
    if not _tidy(details.address):
        problems.append(("address", "required"))
    commune = session.get(OrgUnit, details.commune_id) if details.commune_id else None
    if commune is None or commune.kind not in LEARNER_UNIT_KINDS or not access.can_see_unit(
            session, manager, commune):
        problems.append(("commune", "choose-unit"))
    if details.kind not in POINT_KINDS:
        problems.append(("kind", "choose-kind"))
    allowed = {helper.id: helper for helper in helpers_of(session, manager)}
    if any(helper_id not in allowed for helper_id in details.helper_ids):
        problems.append(("helpers", "not-your-helper"))
    if problems:
        raise SupportError(*problems)
    if point is None:
        point = SupportPoint()
        session.add(point)
    point.name, point.address = _tidy(details.name), _tidy(details.address)
    point.commune_id, point.kind = commune.id, details.kind
    point.opening_times = (details.opening_times or "").strip()
    point.helpers = [allowed[helper_id] for helper_id in details.helper_ids]
    session.flush()
    audit.record(session, actor, "support-point-saved", unit_path=commune.path,
                 details={"point": point.id, "name": point.name, "kind": point.kind,
                          "helpers": sorted(details.helper_ids)})
    return point


def close_point(session: Session, point: SupportPoint, actor: audit.Actor,
                now: datetime) -> None:
    point.closed_at = now
    audit.record(session, actor, "support-point-closed", unit_path=point.commune.path,
                 details={"point": point.id, "name": point.name})


def points_managed_by(session: Session, manager: User) -> list[SupportPoint]:
    path = access.scope_path(session, manager)
    if path is None:
        return []
    query = (select(SupportPoint).join(OrgUnit, OrgUnit.id == SupportPoint.commune_id)
             .where(SupportPoint.closed_at.is_(None)).order_by(OrgUnit.name, SupportPoint.name))
    if path:
        query = query.where(OrgUnit.path.startswith(path, autoescape=True))
    return list(session.scalars(query))


def point_managed_by(session: Session, manager: User, point_id: int) -> SupportPoint | None:
    point = session.get(SupportPoint, point_id)
    if point is None or not access.can_see_unit(session, manager, point.commune):
        return None
    return point


def points_of_helper(session: Session, helper: User) -> list[SupportPoint]:
    return list(session.scalars(
        select(SupportPoint).join(SupportPointHelper, SupportPointHelper.point_id
                                  == SupportPoint.id)
        .where(SupportPointHelper.user_id == helper.id, SupportPoint.closed_at.is_(None))
        .order_by(SupportPoint.name)))


def open_points_in(session: Session, commune: OrgUnit) -> list[SupportPoint]:
    """The public list: the commune's open points, fixed ones first."""
    return sorted(session.scalars(select(SupportPoint).where(
        SupportPoint.commune_id == commune.id, SupportPoint.closed_at.is_(None))),
        key=lambda point: (POINT_KINDS.index(point.kind), point.name))


def communes_with_points(session: Session) -> list[tuple[str, list[OrgUnit]]]:
    """[(province name, [communes with an open point])], for the public index."""
    communes = session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_(select(SupportPoint.commune_id).where(
            SupportPoint.closed_at.is_(None)))).order_by(OrgUnit.name))
    grouped: dict[str, list[OrgUnit]] = {}
    for commune in communes:
        grouped.setdefault(commune.parent.name if commune.parent else "", []).append(commune)
    return sorted(grouped.items())


def public_commune(session: Session, code: str) -> OrgUnit | None:
    commune = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    return commune if commune is not None and commune.kind in LEARNER_UNIT_KINDS else None


def start_shared_device(session: Session, helper: User, point_id: int | None,
                        actor: audit.Actor) -> SupportPoint | None:
    """A helper puts a device of their point in support-point mode (audited); None if the
    point is not one of theirs."""
    point = next((p for p in points_of_helper(session, helper) if p.id == point_id), None)
    if point is not None:
        audit.record(session, actor, "shared-device-started", unit_path=point.commune.path,
                     details={"point": point.id, "name": point.name})
    return point
