"""Units changed in the web interface: created, renamed, moved, re-kinded, given expected counts.

Each field is checked by the import's own rules (unit_import.unit_field_problems), so a unit
typed in a form and a unit read from a CSV file meet the same checks. Every change goes to the
audit trail.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.campaign.scope import in_subtree, visible_unit
from lms.campaign.unit_import import EXPECTED_COLUMNS, UnitRow, clean, unit_field_problems
from lms.campaign.unit_problems import UnitProblem
from lms.campaign.units import add_units
from lms.models import OrgUnit, User
from lms.services import audit
from lms.services.access import scope_path

UNIT_EDITOR_ROLES = ("organiser", "admin")


class UnitChangeError(ValueError):
    def __init__(self, problems: list[UnitProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class UnitFields:
    """What the form holds, as typed."""
    code: str
    name: str
    kind: str
    parent_code: str
    expected_residents: str = ""
    expected_civil_servants: str = ""

    def row(self) -> UnitRow:
        return UnitRow(0, clean(self.code), clean(self.name), clean(self.parent_code),
                       clean(self.kind).lower(), clean(self.expected_residents),
                       clean(self.expected_civil_servants))


def _problem(column: str, code: str, /, **params) -> UnitProblem:
    return UnitProblem(0, column, code, params)


def _parent(session: Session, viewer: User, row: UnitRow,
            problems: list[UnitProblem]) -> OrgUnit | None:
    """The visible parent named; only administrators may add or move a unit to the top."""
    if not row.parent_code:
        if viewer.role != "admin":
            problems.append(_problem("parent_code", "parent-needed"))
        return None
    parent = visible_unit(session, viewer, row.parent_code)
    if parent is None:
        problems.append(_problem("parent_code", "parent-unknown", code=row.parent_code))
    return parent


def units_under(session: Session, viewer: User, unit: OrgUnit | None) -> list[OrgUnit]:
    """The units directly under `unit` (None: the viewer's top units), for browsing the tree."""
    prefix = scope_path(session, viewer)
    if prefix is None:
        return []
    if unit is None:
        top = (OrgUnit.parent_id.is_(None) if prefix == ""
               else OrgUnit.id == viewer.scope_unit_id)
        return list(session.scalars(select(OrgUnit).where(top).order_by(OrgUnit.name)))
    return list(session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id)
                                .order_by(OrgUnit.name)))


def create_unit(session: Session, viewer: User, fields: UnitFields,
                actor: audit.Actor) -> OrgUnit:
    row = fields.row()
    problems = unit_field_problems(row)
    if row.code and session.scalar(select(OrgUnit.id).where(OrgUnit.code == row.code)):
        problems.append(_problem("code", "code-taken", code=row.code))
    parent = _parent(session, viewer, row, problems)
    if problems:
        raise UnitChangeError(problems)
    add_units(session, [{"code": row.code, "name": row.name, "kind": row.kind,
                         "parent_code": parent.code if parent else "", **row.expected()}])
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == row.code))
    audit.record(session, actor, "unit-created", unit_path=unit.path, details={
        "code": unit.code, "name": unit.name, "kind": unit.kind,
        "parent": parent.code if parent else None, **row.expected()})
    return unit


def change_unit(session: Session, viewer: User, unit: OrgUnit, fields: UnitFields,
                actor: audit.Actor) -> OrgUnit:
    """Renames, re-kinds, moves (never under itself) and sets expected counts of `unit`."""
    row = fields.row()
    row = UnitRow(0, unit.code, row.name, row.parent_code, row.kind,
                  row.expected_residents, row.expected_civil_servants)  # the code stays
    problems = unit_field_problems(row)
    current_parent = unit.parent.code if unit.parent else ""
    parent = unit.parent
    if row.parent_code != current_parent:
        if unit.id == viewer.scope_unit_id:
            problems.append(_problem("parent_code", "move-own-scope"))
        else:
            parent = _parent(session, viewer, row, problems)
            if parent is not None and parent.path.startswith(unit.path):
                # Under itself or one of its own units: the tree would become a loop.
                problems.append(_problem("parent_code", "move-inside", code=parent.code))
    if problems:
        raise UnitChangeError(problems)
    before = _described(unit)
    unit.name, unit.kind = row.name, row.kind
    for name, value in row.expected().items():
        setattr(unit, name, value)
    if parent is not unit.parent:
        _move(session, unit, parent)
    session.flush()
    after = _described(unit)
    audit.record(session, actor, "unit-changed", unit_path=unit.path, details={
        "code": unit.code, "before": {k: v for k, v in before.items() if after[k] != v},
        "after": {k: v for k, v in after.items() if before[k] != v}})
    return unit


def _move(session: Session, unit: OrgUnit, parent: OrgUnit | None) -> None:
    """Re-files `unit` and every unit below it under `parent` (their paths start anew)."""
    old = unit.path
    new = f"{parent.path if parent else '/'}{unit.id}/"
    for below in session.scalars(select(OrgUnit).where(in_subtree(old))):
        below.path = new + below.path[len(old):]
    unit.parent = parent


def _described(unit: OrgUnit) -> dict:
    return {"name": unit.name, "kind": unit.kind,
            "parent": unit.parent.code if unit.parent else None,
            **{name: getattr(unit, name) for name in EXPECTED_COLUMNS}}
