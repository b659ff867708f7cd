"""Assigned training: courses or programs a unit or listed people must finish by a date."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (ColumnElement, Select, and_, bindparam, exists, false, func, literal, not_,
                        or_, select)
from sqlalchemy.orm import Session, aliased

from lms.content import Catalog
from lms.content.schema import Course, Program
from lms.models import Assignment, AssignmentPerson, OrgUnit, User
from lms.services import accounts, audit, record
from lms.services.access import can_see_unit, scope_path
from lms.services.record import assignment_state
from lms.campaign import audiences
from lms.campaign.errors import ReportError
from lms.campaign.scope import in_subtree, visible_unit
from lms.campaign.snapshot import snapshot_subtree_totals

MAX_PEOPLE = 500  # per assignment form; larger groups are assigned by unit


def subject_of(catalog: Catalog, kind: str, slug: str) -> Course | Program | None:
    return catalog.course(slug) if kind == "course" else catalog.program(slug)


def subject_choices(catalog: Catalog, language: str) -> list[tuple[str, str]]:
    """("program:slug" or "course:slug", title) pairs, programs first."""
    return ([(f"program:{p.slug}", p.title(language)) for p in catalog.programs]
            + [(f"course:{c.slug}", c.title(language)) for c in catalog.courses])


# --- who an assignment reaches (the one rule every count, list, reminder and export uses) ---

def audience_of(assignment: Assignment, catalog: Catalog) -> tuple[str, ...]:
    """The audiences the assignment counts: those it names that its subject is declared for."""
    subject = subject_of(catalog, assignment.subject_kind, assignment.subject_slug)
    return audiences.reached(subject.audience if subject else None, assignment.audience)


def reaches(assignment: Assignment, catalog: Catalog, within: str = "") -> ColumnElement[bool]:
    """Whether the person in the query's User row (joined to their OrgUnit) is assigned it.

    `within` (a unit path; "" for everywhere) keeps only people in that unit and below.
    """
    if assignment.org_unit_id is not None:
        whom = in_subtree(assignment.org_unit.path)
    else:
        whom = User.id.in_(select(AssignmentPerson.user_id)
                           .where(AssignmentPerson.assignment_id == assignment.id))
    return and_(whom, in_subtree(within), User.audience.in_(audience_of(assignment, catalog)))


def people_assigned(assignment: Assignment, catalog: Catalog, within: str = "") -> Select:
    """SELECT of the ids of the people `assignment` reaches, its audience only, under `within`.

    User and OrgUnit are in its FROM, so callers may add columns or conditions on either.
    """
    return (select(User.id).select_from(User).join(OrgUnit, OrgUnit.id == User.org_unit_id)
            .where(reaches(assignment, catalog, within)))


# --- creating -----------------------------------------------------------------------------

def parse_people(text: str) -> list[str]:
    """Phone numbers or email addresses, one per line (commas and semicolons work too)."""
    return [part.strip() for part in re.split(r"[\n,;]+", text or "") if part.strip()]


def create_assignment(session: Session, viewer: User, catalog: Catalog, *, subject: str,
                      unit_code: str, people: str, due_on: date, today_: date,
                      actor: audit.Actor, audience: str = "") -> Assignment:
    """Assigns `subject` ("course:slug" or "program:slug") to a visible unit or to listed people.

    Raises ReportError; for unknown people its code is "unknown-people" and `unknown` lists them;
    for listed people outside the audience, "wrong-audience" and `unknown` lists them.
    """
    kind, _, slug = (subject or "").partition(":")
    found = subject_of(catalog, kind, slug) if kind in ("course", "program") else None
    if found is None:
        raise ReportError("subject", "unknown-subject")
    audience = check_audience(found, audience)
    identifiers = parse_people(people)
    if bool(unit_code.strip()) == bool(identifiers):
        raise ReportError("unit", "unit-or-people")
    if due_on < today_:
        raise ReportError("due_on", "past")
    assignment = Assignment(subject_kind=kind, subject_slug=slug, due_on=due_on,
                            audience=audience, created_by_id=viewer.id)
    if unit_code.strip():
        unit = visible_unit(session, viewer, unit_code.strip())
        if unit is None:
            raise ReportError("unit", "unknown-unit")
        assignment.org_unit_id = unit.id
        session.add(assignment)
        session.flush()
        _audit_assignment(session, actor, "assignment-created", assignment, unit.path)
        return assignment
    if len(identifiers) > MAX_PEOPLE:
        raise ReportError("people", "too-many")
    users = _people_in_scope(session, viewer, identifiers, audiences.named(audience))
    session.add(assignment)
    session.flush()
    session.add_all(AssignmentPerson(assignment_id=assignment.id, user_id=user_id)
                    for user_id in sorted(set(users)))
    session.flush()
    _audit_assignment(session, actor, "assignment-created", assignment, None)
    return assignment


def _audit_assignment(session: Session, actor: audit.Actor, action: str, assignment: Assignment,
                      unit_path: str | None) -> None:
    people = [] if assignment.org_unit_id else list(session.scalars(
        select(AssignmentPerson.user_id).where(AssignmentPerson.assignment_id == assignment.id)))
    # Listed people may sit in several units: the entry goes under the actor's own scope.
    path = unit_path if unit_path is not None else _actor_scope(session, actor)
    audit.record(session, actor, action, unit_path=path, details={
        "assignment": assignment.id, "subject": f"{assignment.subject_kind}:"
                                                f"{assignment.subject_slug}",
        "due_on": assignment.due_on.isoformat(), "people": people})


def _actor_scope(session: Session, actor: audit.Actor) -> str | None:
    user = session.get(User, actor.user_id) if actor.user_id else None
    return scope_path(session, user) if user else None


def remove_assignment(session: Session, assignment: Assignment, actor: audit.Actor) -> None:
    _audit_assignment(session, actor, "assignment-removed", assignment,
                      assignment.org_unit.path if assignment.org_unit else None)
    session.delete(assignment)


def check_audience(subject: Course | Program, audience: str) -> str:
    """The audience to store ("": all the subject is for); refuses one it is not declared for,
    saying whom it is for."""
    audience = audiences.chosen(subject.audience, audience or "")
    if audience not in audiences.AUDIENCE_CHOICES:
        raise ReportError("audience", "invalid")
    if not audiences.allowed(subject.audience, audience):
        raise ReportError("audience", "only-" + "-and-".join(sorted(subject.audience)))
    return audience


class UnknownPeople(ReportError):
    def __init__(self, unknown: list[str], code: str = "unknown-people"):
        super().__init__("people", code)
        self.unknown = unknown


def _people_in_scope(session: Session, viewer: User, identifiers: list[str],
                     audience: tuple[str, ...]) -> list[int]:
    """Ids of the people named; someone outside the viewer's units is as unknown as a typo.

    Someone outside the assignment's audience is refused by name, with the reason.
    """
    prefix = scope_path(session, viewer)
    if prefix is None:  # no units at all, not every unit
        raise UnknownPeople(identifiers)
    found, unknown, outside = [], [], []
    for raw in identifiers:
        try:
            identifier = accounts.parse_identifier(raw)
        except accounts.AccountError:
            unknown.append(raw)
            continue
        column = User.phone if identifier.kind == "phone" else User.email
        person = session.execute(select(User.id, User.audience)
                                 .join(OrgUnit, OrgUnit.id == User.org_unit_id)
                                 .where(column == identifier.value, in_subtree(prefix))).first()
        if person is None:
            unknown.append(raw)
        elif person.audience not in audience:
            outside.append(raw)
        else:
            found.append(person.id)
    if unknown:
        raise UnknownPeople(unknown)
    if outside:
        raise UnknownPeople(outside, "outside-audience")
    return found


# --- a learner's own ----------------------------------------------------------------------

class _DueDate:
    """Days left before an assignment's due date (negative once it has passed)."""

    assignment: Assignment
    today: date

    @property
    def days_left(self) -> int:
        return (self.assignment.due_on - self.today).days


@dataclass(frozen=True)
class LearnerAssignment(_DueDate):
    assignment: Assignment
    subject: Course | Program
    done: bool
    today: date

    @property
    def state(self) -> str:
        return assignment_state(self.done, self.assignment.due_on, self.today)


def _assigned_to():
    # The person's unit's path is read in the same query (not by loading their unit); with no
    # unit it is NULL, and NULL is no unit's prefix.
    own = aliased(OrgUnit, name="own_unit")
    unit_path = select(own.path).where(own.id == bindparam("unit_id")).scalar_subquery()
    through_unit = and_(Assignment.org_unit_id.is_not(None), unit_path.startswith(OrgUnit.path))
    by_name = Assignment.id.in_(select(AssignmentPerson.assignment_id)
                                .where(AssignmentPerson.user_id == bindparam("user_id")))
    return (select(Assignment).outerjoin(OrgUnit).where(or_(through_unit, by_name))
            .order_by(Assignment.due_on, Assignment.id))


_ASSIGNED_TO = _assigned_to()  # built once: My learning runs it on every visit


def for_learner(session: Session, user: User, catalog: Catalog,
                today_: date) -> list[LearnerAssignment]:
    """What `user` was assigned (through their unit or by name): open ones first, soonest due."""
    assigned = session.scalars(_ASSIGNED_TO, {"user_id": user.id, "unit_id": user.org_unit_id})
    earliest: dict[tuple[str, str], Assignment] = {}
    for assignment in assigned:  # the same subject twice: the earlier due date applies
        if user.audience not in audience_of(assignment, catalog):
            continue  # the civil-servant program is not shown to a citizen
        earliest.setdefault((assignment.subject_kind, assignment.subject_slug), assignment)
    subjects = {key: subject_of(catalog, *key) for key in earliest}
    done = record.has_done(session, user.id, set(earliest), today_)
    items = [LearnerAssignment(a, subjects[key], key in done, today_)
             for key, a in earliest.items() if subjects[key]]
    return sorted(items, key=lambda item: (item.done, item.assignment.due_on))


# --- for managers -------------------------------------------------------------------------

def done_condition(catalog: Catalog, kind: str, slug: str, today_: date) -> ColumnElement[bool]:
    """Whether the person in the query's User row has done the subject, as SQL (the record's)."""
    if kind == "course" and catalog.course(slug) is None:
        return false()
    return record.has_completed(kind, slug, today_)


@dataclass(frozen=True)
class AssignmentSummary(_DueDate):
    assignment: Assignment
    subject: Course | Program | None
    unit_name: str | None  # None: assigned to listed people
    assigned: int  # people within the report's units
    done: int
    pending: list[tuple[str, str, str]]  # (name, unit, position) of people not done yet, a few
    today: date

    @property
    def state(self) -> str:
        # Nobody assigned (yet) is not "everyone done".
        return assignment_state(0 < self.assigned == self.done, self.assignment.due_on,
                                self.today)


def summaries(session: Session, prefix: str, catalog: Catalog, today_: date,
              people_shown: int = 20, snapshot=None) -> list[AssignmentSummary]:
    """Assignments reaching anyone under `prefix`, counted there; people behind on flagged ones.

    Only the assignment's audience is counted (people_assigned). Each assignment costs two
    aggregate queries (and one list when it is due soon or overdue), so the cost follows the
    number of assignments, not of people.
    """
    unit_path = OrgUnit.path
    person_unit = aliased(OrgUnit)
    relevant = session.execute(
        select(Assignment, OrgUnit.path, OrgUnit.name).outerjoin(OrgUnit)
        .where(or_(
            and_(Assignment.org_unit_id.is_not(None),
                 or_(in_subtree(prefix), literal(prefix).startswith(unit_path))),
            exists().where(AssignmentPerson.assignment_id == Assignment.id,
                           AssignmentPerson.user_id == User.id,
                           User.org_unit_id.in_(select(person_unit.id).where(
                               person_unit.path.startswith(prefix, autoescape=True))))))
        .order_by(Assignment.due_on, Assignment.id))
    results = []
    for assignment, path, unit_name in relevant:
        done = done_condition(catalog, assignment.subject_kind, assignment.subject_slug, today_)
        people = people_assigned(assignment, catalog, prefix).with_only_columns(func.count())
        if snapshot is not None and assignment.org_unit_id is not None:
            within = path if len(path) > len(prefix) else prefix
            assigned, finished = snapshot_subtree_totals(
                session, within, assignment.subject_kind, assignment.subject_slug,
                audience_of(assignment, catalog))
        else:
            assigned, finished = session.scalar(people), session.scalar(people.where(done))
        summary = AssignmentSummary(
            assignment, subject_of(catalog, assignment.subject_kind, assignment.subject_slug),
            unit_name, assigned, finished, [], today_)
        if summary.state in ("overdue", "due-soon"):
            # The first few by id (cheap on a whole province), then shown in unit and name order.
            behind = session.execute(
                people.with_only_columns(User.full_name, OrgUnit.name,
                                         func.coalesce(User.position, ""), OrgUnit.path)
                .where(not_(done)).order_by(User.id).limit(people_shown))
            summary.pending.extend((name, unit, position) for name, unit, position, _ in
                                   sorted(behind, key=lambda row: (row[3], row[0])))
        results.append(summary)
    return results


def removable_assignment(session: Session, viewer: User, assignment_id: int) -> Assignment | None:
    """The assignment if `viewer` may remove it; else None.

    One made for a unit is removable by whoever sees that unit; one made for listed people,
    which may reach into several units, only by its author or an administrator.
    """
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    if assignment.org_unit is not None:
        return assignment if can_see_unit(session, viewer, assignment.org_unit) else None
    return assignment if viewer.role == "admin" or assignment.created_by_id == viewer.id else None
