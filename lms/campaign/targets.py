"""Certification targets: set on a unit, measured against its people."""
from __future__ import annotations

from lms.campaign.scope import in_subtree, visible_unit
from lms.campaign.errors import ReportError
from lms.campaign.audiences import AUDIENCES

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lms.content import Catalog
from lms.models import (Certificate, OrgUnit, Target,
                        User)
from lms.services import audit
from lms.services.access import can_see_unit, scope_path
from lms.services.record import valid_certificate


TARGET_KINDS = ("count", "percent")


@dataclass(frozen=True)
class TargetProgress:
    target: Target
    members: int  # people of the target's audience in the unit and below
    certified: int
    today: date

    @property
    def goal(self) -> int:
        """How many people must be certified: the count, or the share of members rounded up."""
        if self.target.kind == "percent":
            return math.ceil(self.target.value * self.members / 100)
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
    def days_left(self) -> int:
        return (self.target.deadline - self.today).days

    @property
    def per_day(self) -> int | None:
        """People to certify each day, the deadline day included; None once it has passed."""
        if self.remaining == 0:
            return 0
        if self.days_left < 0:
            return None
        return math.ceil(self.remaining / (self.days_left + 1))


def create_target(session: Session, viewer: User, catalog: Catalog, *, unit_code: str,
                  program_slug: str, audience: str, kind: str, value: int, deadline: date,
                  today_: date, actor: audit.Actor) -> Target:
    unit = visible_unit(session, viewer, unit_code.strip())
    if unit is None:
        raise ReportError("unit", "unknown-unit")
    if catalog.program(program_slug) is None:
        raise ReportError("program", "unknown-program")
    if audience not in AUDIENCES or kind not in TARGET_KINDS:
        raise ReportError("kind", "invalid")
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
    """One target measured on its own: members and certified people in its unit's subtree."""
    certificate = aliased(Certificate)
    members, certified = session.execute(
        select(func.count(), func.count(certificate.id))
        .select_from(User)
        .join(OrgUnit, OrgUnit.id == User.org_unit_id)
        .outerjoin(certificate, valid_certificate(certificate, User.id, "program",
                                                  target.program_slug, today_))
        .where(in_subtree(target.org_unit.path), User.audience == target.audience)).one()
    return TargetProgress(target, members, certified, today_)


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
