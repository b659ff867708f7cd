"""Who sees which organisation units: the one rule every report, list and export goes through."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lms.models import OrgUnit, User

ROLES = ("learner", "trainer", "manager", "organiser", "admin")
# Managers see their unit and the units below it; organisers their whole tree (a province);
# administrators everything. Learners and trainers see no one else's records.
SCOPED_ROLES = ("manager", "organiser")
REPORT_ROLES = ("manager", "organiser", "admin")


def scope_path(session: Session, user: User) -> str | None:
    """The path prefix of the units `user` may see: "" for all, None for none."""
    if user.role == "admin":
        return ""
    if user.role in SCOPED_ROLES and user.scope_unit_id:
        unit = session.get(OrgUnit, user.scope_unit_id)
        return unit.path if unit else None
    return None


def visible_units(session: Session, user: User) -> Select:
    """A query for the units `user` may see (possibly none)."""
    path = scope_path(session, user)
    query = select(OrgUnit)
    if path is None:
        return query.where(False)
    return query.where(OrgUnit.path.startswith(path, autoescape=True)) if path else query


def can_see_unit(session: Session, user: User, unit: OrgUnit) -> bool:
    path = scope_path(session, user)
    return path is not None and unit.path.startswith(path)
