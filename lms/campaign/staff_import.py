"""Importing civil servants from a staff list: the dry run, the manager's decisions, the import."""
from __future__ import annotations

from lms.campaign.staff_sheet import Column, StaffRow, StaffSheet, header_key
from lms.campaign.activation import (AUDIENCE, NOT_ACTIVATED, activation_key, issue_activation_code,
                                     needs_code, shown_code)

import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms.models import OrgUnit, User
from lms.services import access, audit
from lms.services.accounts import (AccountError, Identifier, end_all_sessions, parse_identifier)


LOST_LEADING_ZERO = re.compile(r"^[35789]\d{8}$")


@dataclass(frozen=True)
class RowProblem:
    key: str  # which column: one of FIELDS
    code: str
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedRow:
    source: StaffRow
    action: str  # create, update, unchanged, error, decide (the manager chooses) or skipped
    changes: tuple[str, ...] = ()  # for update: unit, position, audience, code, takeover
    problems: tuple[RowProblem, ...] = ()
    user_id: int | None = None
    unit_id: int | None = None
    unit_name: str = ""
    identifier: Identifier | None = None
    issue_code: bool = False
    # Why the existing account may not be this person: name-differs, unproven (signed up by
    # someone, with a number never proven). Nothing changes until the manager decides.
    conflicts: tuple[str, ...] = ()
    account_name: str = ""  # the existing account's name, shown beside the file's


DECISIONS = ("update", "skip")


@dataclass(frozen=True)
class StaffPlan:
    rows: tuple[PlannedRow, ...]
    columns: dict[str, Column]

    @property
    def has_problems(self) -> bool:
        return any(row.problems for row in self.rows)

    @property
    def undecided(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == "decide"]

    @property
    def ok(self) -> bool:
        return self.ready()

    def ready(self, leave_out_problems: bool = False) -> bool:
        """Whether it can be applied; with `leave_out_problems`, the rows with a problem are
        left out (one bad row need not hold back 500 good ones)."""
        return (bool(self.rows) and not self.undecided
                and (leave_out_problems or not self.has_problems))

    @property
    def left_out(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.problems]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def digest(self) -> str:
        """Changes when what the import would do changes, e.g. someone imported in between."""
        # A row to decide counts as "decide" whatever was chosen, so the choice made on the
        # dry-run page does not look like a change since the dry run.
        actions = [[row.source.row, "decide" if row.conflicts else row.action, row.user_id,
                    row.unit_id, [] if row.conflicts else list(row.changes)]
                   for row in self.rows]
        return hashlib.sha256(json.dumps(actions).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    full_name: str
    identifier: str  # as written in the file, which is how the person knows it
    unit_name: str
    code: str  # "1234 5678 9012 3456"
    expires_at: datetime


def _identifier(raw: str) -> Identifier:
    digits = re.sub(r"[\s.\-()]", "", raw)
    return parse_identifier("0" + digits if LOST_LEADING_ZERO.match(digits) else raw)


def parse_decisions(fields) -> dict[int, str]:
    """{row: "update" or "skip"} from the dry-run form's "decide-<row>" fields; others ignored."""
    decisions = {}
    for name, value in fields:
        number = name.removeprefix("decide-")
        if name.startswith("decide-") and number.isascii() and number.isdigit() \
                and len(number) < 8 and value in DECISIONS:
            decisions[int(number)] = value
    return decisions


def _name_key(name: str) -> str:
    return header_key(name or "")


def plan_staff_import(session: Session, sheet: StaffSheet, uploader: User,
                      now: datetime | None = None,
                      decisions: dict[int, str] | None = None) -> StaffPlan:
    """What importing `sheet` would do for each row, as `uploader` may; writes nothing.
    `decisions` are the manager's choices for rows whose account may not be this person."""
    decisions = decisions or {}
    now = now or datetime.now(timezone.utc)
    codes = {row.unit_code for row in sheet.rows if row.unit_code}
    units = {unit.code: unit for unit in
             session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))} if codes else {}
    identifiers = {}
    for row in sheet.rows:
        try:
            identifiers[row.row] = _identifier(row.identifier)
        except AccountError as error:
            identifiers[row.row] = error
    accounts = _accounts(session, [i for i in identifiers.values() if isinstance(i, Identifier)])
    seen: dict[str, int] = {}
    planned = []
    for row in sheet.rows:
        problems = []
        if not row.full_name:
            problems.append(RowProblem("full_name", "empty-name"))
        elif len(row.full_name) > 200:
            problems.append(RowProblem("full_name", "too-long", {"limit": 200}))
        if len(row.position) > 200:
            problems.append(RowProblem("position", "too-long", {"limit": 200}))
        if len(row.staff_number) > 50:
            problems.append(RowProblem("staff_number", "too-long", {"limit": 50}))
        unit = units.get(row.unit_code)
        if not row.unit_code:
            problems.append(RowProblem("unit_code", "empty-unit"))
        elif unit is None:
            problems.append(RowProblem("unit_code", "unknown-unit", {"code": row.unit_code}))
        elif not access.can_see_unit(session, uploader, unit):
            problems.append(RowProblem("unit_code", "unit-out-of-scope", {"code": row.unit_code}))
            unit = None  # its name is not the uploader's to see
        identifier, user = identifiers[row.row], None
        if isinstance(identifier, AccountError):
            problems.append(RowProblem("identifier", "empty-identifier" if not row.identifier
                                       else identifier.code))
            identifier = None
        else:
            if identifier.value in seen:
                problems.append(RowProblem("identifier", "duplicate",
                                           {"row": seen[identifier.value]}))
            seen.setdefault(identifier.value, row.row)
            user = accounts.get(identifier)
            # A manager must not pull someone out of a unit they do not manage, nor take in
            # an account that belongs to no unit (an administrator, say): only admins may.
            if user is not None and not (
                    access.can_see_unit(session, uploader, user.org_unit) if user.org_unit
                    else access.scope_path(session, uploader) == ""):
                problems.append(RowProblem("identifier", "person-out-of-scope"))
            elif user is not None and not access.may_change_person(uploader, user):
                problems.append(RowProblem("identifier", "person-above-your-role"))
        planned.append(_planned_row(row, problems, unit, identifier, user, now,
                                    decisions.get(row.row)))
    return StaffPlan(tuple(planned), sheet.columns)


def _accounts(session: Session, identifiers: list[Identifier]) -> dict[Identifier, User]:
    """The existing accounts among `identifiers`, in two queries rather than one per row."""
    found = {}
    for kind, column in (("phone", User.phone), ("email", User.email)):
        values = [i.value for i in identifiers if i.kind == kind]
        for start in range(0, len(values), 500):
            query = (select(User).where(column.in_(values[start:start + 500]))
                     .options(selectinload(User.org_unit)))
            found.update({Identifier(kind, getattr(user, kind)): user
                          for user in session.scalars(query)})
    return found


def _unit_paths(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(ids)))
                .all()) if ids else {}


def _users(session: Session, ids: list[int]) -> dict[int, User]:
    found = {}
    for start in range(0, len(ids), 500):
        found.update({user.id: user for user in session.scalars(
            select(User).where(User.id.in_(ids[start:start + 500])))})
    return found


def conflicts_of(user: User, row: StaffRow, identifier: Identifier) -> tuple[str, ...]:
    """Why an existing account may belong to someone else than the person on this row."""
    proven = user.phone_proven_at if identifier.kind == "phone" else user.email_proven_at
    return tuple(name for name, found in (
        ("name-differs", _name_key(user.full_name) != _name_key(row.full_name)),
        # Signed up by someone (not imported), with a number or address never proven.
        ("unproven", user.audience != AUDIENCE and user.password_hash != NOT_ACTIVATED
         and proven is None)) if found)


def _planned_row(row: StaffRow, problems: list[RowProblem], unit: OrgUnit | None,
                 identifier: Identifier | None, user: User | None, now: datetime,
                 decision: str | None = None) -> PlannedRow:
    unit_name = unit.name if unit else ""
    if problems:
        return PlannedRow(row, "error", problems=tuple(problems), unit_name=unit_name)
    if user is None:
        return PlannedRow(row, "create", unit_id=unit.id, unit_name=unit_name,
                          identifier=identifier, issue_code=True)
    conflicts = conflicts_of(user, row, identifier)
    # Taking over an unproven account: whoever signed up with the number loses it; the person
    # on the list activates it with a new code.
    takeover = "unproven" in conflicts
    changes = tuple(name for name, differs in (
        ("unit", user.org_unit_id != unit.id),
        ("position", (user.position or "") != row.position),
        # An empty cell, or no such column, leaves the number HR gave before.
        ("staff_number", bool(row.staff_number) and user.staff_number != row.staff_number),
        ("audience", user.audience != AUDIENCE),
        ("code", takeover or needs_code(user, now)),
        ("takeover", takeover)) if differs)
    if conflicts and decision not in DECISIONS:
        action = "decide"
    elif conflicts and decision == "skip":
        action = "skipped"
    else:
        action = "update" if changes else "unchanged"
    return PlannedRow(row, action, changes, user_id=user.id, unit_id=unit.id,
                      unit_name=unit_name, identifier=identifier,
                      issue_code="code" in changes, conflicts=conflicts,
                      account_name=user.full_name)


def apply_staff_import(session: Session, plan: StaffPlan, actor: audit.Actor,
                       now: datetime | None = None,
                       leave_out_problems: bool = False) -> list[IssuedCode]:
    """Creates and updates the accounts of a valid plan (or of its valid rows, with
    `leave_out_problems`); returns the new codes, in clear, once."""
    if not plan.ready(leave_out_problems):
        raise ValueError("a plan with problems cannot be applied")
    now = now or datetime.now(timezone.utc)
    key = activation_key()
    rows = [row for row in plan.rows if row.action in ("create", "update")]
    # A province's file is 1,000 rows: read what it needs in a few queries, flush once.
    paths = _unit_paths(session, {row.unit_id for row in rows})
    existing = _users(session, [row.user_id for row in rows if row.user_id])
    applied = []
    with session.no_autoflush:
        for row in rows:
            if row.action == "create":
                user = User(full_name=row.source.full_name, password_hash=NOT_ACTIVATED,
                            session_token=secrets.token_hex(16),
                            **{row.identifier.kind: row.identifier.value})
                session.add(user)
            else:
                user = existing[row.user_id]
            if "takeover" in row.changes:  # now the account of the person on the list
                user.password_hash, user.full_name = NOT_ACTIVATED, row.source.full_name
                end_all_sessions(user)
            user.org_unit_id, user.audience = row.unit_id, AUDIENCE
            user.position = row.source.position or None
            user.staff_number = row.source.staff_number or user.staff_number
            applied.append((row, user))
    session.flush()  # the new accounts get their ids, which the audit entries name
    issued = []
    for row, user in applied:
        audit.record(session, actor, "staff-imported", subject=user, now=now,
                     unit_path=paths[row.unit_id],
                     details={"action": row.action, "unit": row.unit_name,
                              "position": user.position, "staff_number": user.staff_number,
                              "decided": list(row.conflicts),
                              "takeover": "takeover" in row.changes})
        if row.issue_code:
            code = issue_activation_code(user, now, key)
            issued.append(IssuedCode(user.full_name, row.source.identifier, row.unit_name,
                                     shown_code(code), user.activation_expires_at))
            audit.record(session, actor, "activation-code-issued", subject=user, now=now,
                         unit_path=paths[row.unit_id],
                         details={"expires_at": user.activation_expires_at.isoformat()})
    session.flush()
    return issued
