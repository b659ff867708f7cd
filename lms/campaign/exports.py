"""Who completed what, person by person and unit by unit: the rows behind the report exports."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from sqlalchemy import and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from lms.content import Catalog
from lms.models import Assignment, AssignmentPerson, Certificate, OrgUnit, User
from lms.services import audit
from lms.services.clock import vietnam_date
from lms.services.record import assignment_state, valid_certificate
from lms.campaign.audiences import AUDIENCES
from lms.campaign.dashboard import Tally, unit_counts
from lms.campaign.assignments import people_assigned
from lms.campaign.scope import in_subtree

# People are read this many at a time, so a 1,000,000-person export streams in constant memory.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    key: str
    subject: str | None = None  # the course or program slug the column is about
    due_on: date | None = None  # for an assignment's status: its due date


@dataclass(frozen=True)
class Reaching:
    """An assignment that reaches people of the export's units, as plain values: a streamed
    export outlives the request's database objects."""
    assignment_id: int
    subject_kind: str
    subject_slug: str
    due_on: date


def assignments_reaching(session: Session, prefix: str) -> list[Reaching]:
    """Assignments of a unit at, above or below `prefix`, or of listed people in it."""
    listed_here = exists().where(
        AssignmentPerson.assignment_id == Assignment.id, AssignmentPerson.user_id == User.id,
        User.org_unit_id == OrgUnit.id, in_subtree(prefix))
    unit = OrgUnit.__table__.alias("assigned_unit")
    query = (select(Assignment).outerjoin(unit, unit.c.id == Assignment.org_unit_id)
             .where(or_(and_(Assignment.org_unit_id.is_not(None),
                             or_(unit.c.path.startswith(prefix, autoescape=True),
                                 literal(prefix).startswith(unit.c.path))),
                        listed_here))
             .order_by(Assignment.due_on, Assignment.id))
    return [Reaching(a.id, a.subject_kind, a.subject_slug, a.due_on)
            for a in session.scalars(query)]


def national_phone(phone: str) -> str:
    """ "+84912345678" as people and HR write it, "0912 345 678": with its spaces a
    spreadsheet keeps it as text, leading zero included."""
    digits = "0" + phone.removeprefix("+84") if phone.startswith("+84") else phone
    return f"{digits[:4]} {digits[4:7]} {digits[7:]}" if len(digits) == 10 else digits


def people_count(session: Session, prefix: str) -> int:
    """How many rows a people export of the subtree has."""
    return session.scalar(select(func.count(User.id)).join(OrgUnit, OrgUnit.id == User.org_unit_id)
                          .where(in_subtree(prefix)))


def person_columns(catalog: Catalog, reaching: list[Reaching] = ()) -> list[Column]:
    return ([Column("name"), Column("unit_code"), Column("unit"), Column("position"),
             Column("audience"), Column("staff_number"), Column("contact")]
            + [Column("course_completed", c.slug) for c in catalog.courses]
            + [column for p in catalog.programs
               for column in (Column("certificate_code", p.slug), Column("certified_on", p.slug))]
            + [Column("assignment_status", r.subject_slug, r.due_on) for r in reaching])


def person_rows(session: Session, prefix: str, catalog: Catalog, today_: date,
                chunk: int = CHUNK, reaching: list[Reaching] = ()) -> Iterator[list]:
    """One row per person in the subtree, in unit then name order, as `person_columns` says.

    Completion is the record's (services/record.py): a valid course certificate, dated by
    its Vietnam day of issue; the same for programs, with the certificate's code. An
    assignment's status is the record's assignment_state; empty where it does not reach.
    """
    people = (select(User.id, User.full_name, OrgUnit.code, OrgUnit.name, User.position,
                     User.audience, User.staff_number, User.phone, User.email)
              .join(OrgUnit, OrgUnit.id == User.org_unit_id).where(in_subtree(prefix))
              .order_by(OrgUnit.path, User.full_name, User.id)
              .execution_options(yield_per=chunk))
    assigned = [session.get(Assignment, r.assignment_id) for r in reaching]
    for partition in session.execute(people).partitions():
        ids = [row[0] for row in partition]
        held = {(user_id, kind, slug): (code, issued) for user_id, kind, slug, code, issued in
                session.execute(
            select(Certificate.user_id, Certificate.kind, Certificate.subject_slug,
                   Certificate.code, Certificate.issued_at)
            .where(Certificate.user_id.in_(ids),
                   or_(valid_certificate(Certificate, Certificate.user_id, "course", None,
                                         today_),
                       valid_certificate(Certificate, Certificate.user_id, "program", None,
                                         today_))))}
        # Who each assignment reaches among these people: the one rule, audience included.
        reached = [set(session.scalars(people_assigned(assignment, catalog)
                                       .where(User.id.in_(ids)))) for assignment in assigned]
        for (user_id, name, unit_code, unit_name, position, audience, staff_number, phone,
             email) in partition:
            row = [name, unit_code, unit_name, position or "", audience, staff_number or "",
                   national_phone(phone) if phone else email or ""]
            for course in catalog.courses:
                _code, issued = held.get((user_id, "course", course.slug), (None, None))
                row.append(vietnam_date(issued) if issued else None)
            for program in catalog.programs:
                code, issued = held.get((user_id, "program", program.slug), (None, None))
                row += [code or "", vietnam_date(issued) if issued else None]
            for r, people in zip(reaching, reached):
                if user_id in people:
                    done = (user_id, r.subject_kind, r.subject_slug) in held
                    row.append(assignment_state(done, r.due_on, today_))
                else:
                    row.append("")
            yield row


def unit_columns(catalog: Catalog) -> list[Column]:
    return ([Column("unit_code"), Column("unit"), Column("kind"), Column("parent_code"),
             Column("people")] + [Column("audience_people", a) for a in AUDIENCES]
            + [Column("certified"), Column("certified_percent")]
            + [Column("program_certified", p.slug) for p in catalog.programs])


def unit_rows(session: Session, prefix: str, catalog: Catalog, today_: date) -> Iterator[list]:
    """One row per unit in the subtree; each counts its own people and everyone below it."""
    programs = tuple(p.slug for p in catalog.programs)
    totals: dict[str, Tally] = defaultdict(Tally)
    audiences: dict[tuple[str, str], int] = defaultdict(int)
    for path, audience, _age, people, certified, per_program in unit_counts(
            session, prefix, programs, today_):
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):  # the unit and every unit above it
            above = "/" + "/".join(parts[:depth]) + "/"
            totals[above].add(people, certified, per_program)
            audiences[(above, audience)] += people
    parent = OrgUnit.__table__.alias("parent")
    units = session.execute(select(OrgUnit.path, OrgUnit.code, OrgUnit.name, OrgUnit.kind,
                                   parent.c.code)
                            .outerjoin(parent, parent.c.id == OrgUnit.parent_id)
                            .where(in_subtree(prefix)).order_by(OrgUnit.path))
    for path, code, name, kind, parent_code in units:
        tally = totals.get(path, Tally())
        yield ([code, name, kind, parent_code or "", tally.people]
               + [audiences.get((path, a), 0) for a in AUDIENCES]
               + [tally.certified, tally.percent]
               + [tally.programs[slug] for slug in programs])


def record_export(session: Session, actor: audit.Actor, unit_code: str, unit_path: str,
                  what: str, file_format: str) -> None:
    """A per-person export reveals names, positions and completions: it goes to the audit trail
    (per-unit tallies name no one)."""
    if what == "people":
        audit.record(session, actor, "personal-data-exported", unit_path=unit_path,
                     details={"unit": unit_code, "format": file_format})
