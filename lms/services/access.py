"""Who sees which organisation units: the one rule every report, list and export goes through."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lms.models import OrgUnit, User
from lms.services import audit
from lms.wording import N_, Gettext, in_english

ROLES = ("learner", "helper", "trainer", "manager", "organiser", "admin")
# Managers see their unit and the units below it; organisers their whole tree (a province);
# administrators everything. Learners and trainers see no one else's records.
SCOPED_ROLES = ("manager", "organiser")
# A helper (a community digital team member, a volunteer) helps people in one unit, granted by
# its manager; they see none of its reports, only what each person they help needs.
UNIT_ROLES = (*SCOPED_ROLES, "helper")
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


def may_change_person(staff: User, person: User) -> bool:
    """Administrators may change anyone; others only people below their own role, so a
    manager cannot move a fellow manager or an organiser out of their responsibilities."""
    return staff.role == "admin" or ROLES.index(person.role) < ROLES.index(staff.role)


# Why a role cannot be granted as asked (RoleError.code), in words.
ROLE_ERRORS = {
    "unknown-role": N_("“%(role)s” is not a role: use one of %(roles)s."),
    "unit-needed": N_("A %(role)s needs the code of the unit they are responsible for."),
    "unknown-unit": N_("There is no unit with the code %(unit)s."),
    "no-unit": N_("A %(role)s is not responsible for a unit: leave out the unit."),
}


class RoleError(ValueError):
    """A role cannot be granted as asked; `code` (a key of ROLE_ERRORS) says why."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, {"roles": ", ".join(ROLES), **params}
        super().__init__(self.message())

    def message(self, gettext: Gettext = in_english) -> str:
        return gettext(ROLE_ERRORS[self.code]) % self.params


def grant_role(session: Session, user: User, role: str, scope_code: str | None,
               actor: audit.Actor) -> None:
    """Makes `user` a learner, helper (in a unit), trainer, manager (of a unit), organiser (of a
    tree) or admin."""
    if role not in ROLES:
        raise RoleError("unknown-role", role=role)
    scope = None
    if role in UNIT_ROLES:
        if not scope_code:
            raise RoleError("unit-needed", role=role)
        scope = session.scalar(select(OrgUnit).where(OrgUnit.code == scope_code))
        if scope is None:
            raise RoleError("unknown-unit", unit=scope_code)
    elif scope_code:
        raise RoleError("no-unit", role=role)
    before = (user.role, user.scope_unit.code if user.scope_unit else None)
    user.role, user.scope_unit_id = role, scope.id if scope else None
    audit.record(session, actor, "role-granted", subject=user,
                 details={"role": role, "unit": scope_code, "before": {"role": before[0],
                                                                       "unit": before[1]}})
