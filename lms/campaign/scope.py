"""The units a staff member may see, and the units under a unit."""
from __future__ import annotations


from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from lms.models import (OrgUnit, User)
from lms.services.access import scope_path


def in_subtree(prefix: str) -> ColumnElement[bool]:
    """Units under `prefix` (a unit's path); "" is every unit."""
    return OrgUnit.path.startswith(prefix, autoescape=True) if prefix else OrgUnit.id.is_not(None)


def visible_unit(session: Session, viewer: User, code: str) -> OrgUnit | None:
    """The unit with `code` if `viewer` may see it; None for unknown and out-of-scope alike."""
    prefix = scope_path(session, viewer)
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None or prefix is None or not unit.path.startswith(prefix):
        return None
    return unit


def home_unit(session: Session, viewer: User) -> tuple[bool, OrgUnit | None]:
    """(may see anything, the unit their dashboard starts at: None for administrators' all)."""
    prefix = scope_path(session, viewer)
    if prefix is None:
        return False, None
    return True, (session.get(OrgUnit, viewer.scope_unit_id) if prefix else None)


def trail(session: Session, viewer: User, unit: OrgUnit | None) -> list[OrgUnit]:
    """The visible units above `unit`, top first, for the breadcrumb."""
    if unit is None:
        return []
    prefix = scope_path(session, viewer) or ""
    ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
    above = {u.id: u for u in session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [above[i] for i in ids if i in above and above[i].path.startswith(prefix)]
