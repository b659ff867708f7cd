"""Certification targets: set on a unit, measured against its people."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lms.campaign import audiences
from lms.campaign.assignments import check_audience
from lms.campaign.errors import ReportError
from lms.campaign.scope import in_subtree, visible_unit
from lms.campaign.units import expected_count
from lms.content import Catalog
from lms.models import Certificate, OrgUnit, Target, User
from lms.services import audit
from lms.services.access import can_see_unit, scope_path
from lms.services.record import valid_certificate


TARGET_KINDS = ("count", "percent")


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    registered: int  # people of the target's audience registered in the unit and below
    certified: int
    today: date
    expected: int | None = None  # the unit's expected count for the audience, when known

    @property
    def counts_registered(self) -> bool:
        """A percentage target without an expected figure falls back to registered people."""
        return self.target.kind == "percent" and self.expected is None

    @property
    def base(self) -> int:
        """Whom a percentage is taken of: the expected count, else the registered people."""
        return self.registered if self.expected is None else self.expected

    @property
    def goal(self) -> int:
        """How many people must be certified: the count, or the share of the base rounded up."""
        if self.target.kind == "percent":
            return math.ceil(self.target.value * self.base / 100)
        return self.target.value

    @property
    def has_members(self) -> bool:
        """A percentage of nobody is no target yet: it must not read as reached."""
        return self.goal > 0

    @property
    def percent(self) -> int:
        """Of the goal, rounded down so that 100 means reached."""
        return min(100, self.certified * 100 // self.goal) if self.goal else 0

    @property
    def remaining(self) -> int:
        return max(self.goal - self.certified, 0)

    @property
    def gap(self) -> int:  # as a sub-unit table's total line calls it
        return self.remaining

    @property
    def days_left(self) -> int:
        """Days from today to the deadline; 0 on the deadline day, negative once passed.

        The pace is said as it is ("5 people to go in 30 days"), never rounded to a daily rate.
        """
        return (self.target.deadline - self.today).days


def sub_unit_gap(target: Target, base: int, certified: int) -> int:
    """People a sub-unit still has to certify: to its share of a percentage target, or (for a
    count target, which has no share per sub-unit) to everyone counted there."""
    goal = math.ceil(target.value * base / 100) if target.kind == "percent" else base
    return max(goal - certified, 0)


def create_target(session: Session, viewer: User, catalog: Catalog, *, unit_code: str,
                  program_slug: str, audience: str, kind: str, value: int, deadline: date,
                  today_: date, actor: audit.Actor) -> Target:
    unit = visible_unit(session, viewer, unit_code.strip())
    if unit is None:
        raise ReportError("unit", "unknown-unit")
    program = catalog.program(program_slug)
    if program is None:
        raise ReportError("program", "unknown-program")
    if kind not in TARGET_KINDS:
        raise ReportError("kind", "invalid")
    # A target the program can never meet (the civil-servant program for citizens) is refused.
    audience = check_audience(program, audience)
    if value < 1 or (kind == "percent" and value > 100):
        raise ReportError("value", "percent-range" if kind == "percent" else "positive")
    if deadline < today_:
        raise ReportError("deadline", "past")
    target = Target(org_unit_id=unit.id, program_slug=program_slug, audience=audience,
                    kind=kind, value=value, deadline=deadline)
    session.add(target)
    session.flush()
    _audit_target(session, actor, "target-created", target, unit.path)
    return target


def _audit_target(session: Session, actor: audit.Actor, action: str, target: Target,
                  unit_path: str) -> None:
    audit.record(session, actor, action, unit_path=unit_path, details={
        "target": target.id, "program": target.program_slug, "audience": target.audience,
        "kind": target.kind, "value": target.value, "deadline": target.deadline.isoformat()})


def remove_target(session: Session, target: Target, actor: audit.Actor) -> None:
    _audit_target(session, actor, "target-removed", target, target.org_unit.path)
    session.delete(target)


def target_progress(session: Session, target: Target, today_: date) -> TargetProgress:
    """One target measured on its own: registered and certified people in its unit's subtree."""
    certificate = aliased(Certificate)
    registered, certified = session.execute(
        select(func.count(), func.count(certificate.id))
        .select_from(User)
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .outerjoin(certificate, valid_certificate(certificate, User.id, "program",
                                                  target.program_slug, today_))
        .where(in_subtree(target.org_unit.path),
               User.audience.in_(audiences.named(target.audience)))).one()
    return TargetProgress(target, registered, certified, today_,
                          expected_count(target.org_unit, target.audience))


def visible_targets(session: Session, viewer: User, today_: date) -> list[TargetProgress]:
    prefix = scope_path(session, viewer)
    if prefix is None:
        return []
    targets = session.scalars(select(Target).join(OrgUnit).where(in_subtree(prefix))
                              .order_by(Target.deadline, OrgUnit.path, Target.id))
    return [target_progress(session, target, today_) for target in targets]


def removable_target(session: Session, viewer: User, target_id: int) -> Target | None:
    """The target if `viewer` may remove it (it is set on a unit they see); else None."""
    target = session.get(Target, target_id)
    return target if target and can_see_unit(session, viewer, target.org_unit) else None
