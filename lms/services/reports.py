"""Campaign reports: who is certified where, against which targets, by day, audience and age."""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, case, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from lms.content import Catalog
from lms.models import (Certificate, DailyCompletion, OrgUnit, ReportSnapshot, Target,
                        UnitTally, User)
from lms.services import audit
from lms.services.access import can_see_unit, scope_path
from lms.services.clock import VIETNAM, aware, day_start_utc, end_of_day_utc, now
from lms.services.record import valid_certificate

AUDIENCES = ("citizen", "civil-servant")
AGE_GROUPS = ("under-30", "30-44", "45-59", "60-plus", "unknown")
TARGET_KINDS = ("count", "percent")
COMPLETION_DAYS = 30


class ReportError(ValueError):
    """A form value breaks a rule; `field` and `code` say which and why."""

    def __init__(self, field: str, code: str):
        super().__init__(f"{field}: {code}")
        self.field, self.code = field, code


def in_subtree(prefix: str) -> ColumnElement[bool]:
    """Units under `prefix` (a unit's path); "" is every unit."""
    return OrgUnit.path.startswith(prefix, autoescape=True) if prefix else OrgUnit.id.is_not(None)


# --- units a viewer may see ---------------------------------------------------------------

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


# --- targets ------------------------------------------------------------------------------

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


# --- the reporting snapshot (see report_snapshot.refresh) ------------------------------------

def fresh_snapshot(session: Session, max_age: timedelta) -> ReportSnapshot | None:
    latest = session.scalar(select(ReportSnapshot).order_by(ReportSnapshot.refreshed_at.desc())
                            .limit(1))
    if latest is None or aware(latest.refreshed_at) < now() - max_age:
        return None
    return latest


def snapshot_unit_counts(session: Session, prefix: str, program_slugs: tuple[str, ...]):
    """The same rows as reports.unit_counts, read from the snapshot."""
    query = (select(OrgUnit.path, UnitTally.audience, UnitTally.age_group, UnitTally.people,
                    UnitTally.certified, UnitTally.programs)
             .join(OrgUnit, OrgUnit.id == UnitTally.org_unit_id).where(in_subtree(prefix)))
    for path, audience, group, people, certified, programs in session.execute(query):
        yield (path, audience, AGE_GROUPS[group], people, certified,
               {slug: int(programs.get(slug, 0)) for slug in program_slugs})


def snapshot_completions_per_day(session: Session, prefix: str, today_: date,
                                 days: int) -> list[tuple[date, int]]:
    first = today_ - timedelta(days=days - 1)
    counted = dict(session.execute(
        select(DailyCompletion.day, func.sum(DailyCompletion.certified))
        .join(OrgUnit, OrgUnit.id == DailyCompletion.org_unit_id)
        .where(in_subtree(prefix), DailyCompletion.day >= first, DailyCompletion.day <= today_)
        .group_by(DailyCompletion.day)).all())
    return [(first + timedelta(days=i), int(counted.get(first + timedelta(days=i), 0)))
            for i in range(days)]


def snapshot_subtree_totals(session: Session, path: str, kind: str, slug: str) -> tuple[int, int]:
    """(people, people who completed the course or hold the program) under a unit's path."""
    field = UnitTally.courses if kind == "course" else UnitTally.programs
    people, done = 0, 0
    for count, held in session.execute(select(UnitTally.people, field)
                                       .join(OrgUnit, OrgUnit.id == UnitTally.org_unit_id)
                                       .where(in_subtree(path))):
        people += count
        done += int(held.get(slug, 0))
    return people, done


# --- the dashboard ------------------------------------------------------------------------

@dataclass
class Tally:
    people: int = 0
    certified: int = 0  # holding at least one valid program certificate
    programs: Counter = field(default_factory=Counter)  # certified, per program

    def add(self, people: int, certified: int, programs: dict[str, int]) -> None:
        self.people += people
        self.certified += certified
        self.programs.update(programs)

    @property
    def percent(self) -> int:
        return self.certified * 100 // self.people if self.people else 0

    def share(self, program_slug: str) -> int:
        return self.programs[program_slug] * 100 // self.people if self.people else 0


@dataclass(frozen=True)
class SubUnitRow:
    unit: OrgUnit | None  # None: people attached directly to the unit itself
    tally: Tally
    by_audience: dict[str, Tally]


@dataclass(frozen=True)
class TargetView:
    progress: TargetProgress
    rows: list[tuple[SubUnitRow, int, int]]  # sub-unit, members, certified (target's audience)


@dataclass(frozen=True)
class Dashboard:
    unit: OrgUnit | None
    total: Tally
    sub_units: list[SubUnitRow]
    by_audience: dict[str, Tally]
    by_age: dict[str, Tally]
    targets: list[TargetView]
    completions: list[tuple[date, int]]  # program certificates issued, per day, oldest first
    programs: tuple[str, ...]
    as_of: datetime | None = None  # when the figures come from the reporting snapshot

    @property
    def counted_at(self) -> datetime | None:
        """When the snapshot was counted, in Vietnam time (None: counted live, just now)."""
        return aware(self.as_of).astimezone(VIETNAM) if self.as_of else None


def age_group(this_year: int):
    # Literal years (not bound parameters) so PostgreSQL sees one expression to group by.
    # Small integers (indexes into AGE_GROUPS) group faster than text on a million rows.
    year = User.birth_year
    return case((year.is_(None), literal_column("4")),
                (year > literal_column(str(this_year - 30)), literal_column("0")),
                (year > literal_column(str(this_year - 45)), literal_column("1")),
                (year > literal_column(str(this_year - 60)), literal_column("2")),
                else_=literal_column("3"))


def unit_counts(session: Session, prefix: str, program_slugs: tuple[str, ...], today_: date):
    """People and certified people per unit, audience and age group, counted in the database.

    Yields (unit path, audience, age group, people, certified in any, {program: certified}).
    At most units x audiences x age groups rows come back, whatever the number of people.
    """
    certificates = [aliased(Certificate) for _ in program_slugs]
    flags = [case((c.id.is_not(None), 1), else_=0).label(f"p{i}")
             for i, c in enumerate(certificates)]
    any_flag = (case((or_(*[c.id.is_not(None) for c in certificates]), 1), else_=0)
                if certificates else literal_column("0")).label("any_program")
    inner = (select(User.org_unit_id, User.audience, age_group(today_.year).label("age"),
                    any_flag, *flags)
             .select_from(User).join(OrgUnit, OrgUnit.id == User.org_unit_id))
    for certificate, slug in zip(certificates, program_slugs):
        inner = inner.outerjoin(certificate,
                                valid_certificate(certificate, User.id, "program", slug, today_))
    inner = inner.where(in_subtree(prefix)).subquery()
    columns = [inner.c.org_unit_id, inner.c.audience, inner.c.age]
    query = select(*columns, func.count(), func.sum(inner.c.any_program),
                   *[func.sum(inner.c[f"p{i}"]) for i in range(len(program_slugs))]
                   ).group_by(*columns)
    paths = {unit_id: path for unit_id, path in session.execute(
        select(OrgUnit.id, OrgUnit.path).where(in_subtree(prefix)))}
    for unit_id, audience, age, people, any_program, *per_program in session.execute(query):
        yield (paths[unit_id], audience, AGE_GROUPS[int(age)], people, int(any_program or 0),
               {slug: int(n or 0) for slug, n in zip(program_slugs, per_program)})


def completions_per_day(session: Session, prefix: str, today_: date,
                        days: int = COMPLETION_DAYS) -> list[tuple[date, int]]:
    """Program certificates issued (and not revoked) per Vietnam day, the last `days` days."""
    first = today_ - timedelta(days=days - 1)
    day = vietnam_day(session, Certificate.issued_at)
    inner = (select(day.label("day")).select_from(Certificate)
             .join(User, User.id == Certificate.user_id)
             .join(OrgUnit, OrgUnit.id == User.org_unit_id)
             .where(in_subtree(prefix), Certificate.kind == "program",
                    Certificate.revoked_at.is_(None),
                    Certificate.issued_at >= day_start_utc(first),
                    Certificate.issued_at < end_of_day_utc(today_))
             .subquery())
    counted = {date.fromisoformat(str(d)[:10]): n for d, n in
               session.execute(select(inner.c.day, func.count()).group_by(inner.c.day))}
    return [(first + timedelta(days=i), counted.get(first + timedelta(days=i), 0))
            for i in range(days)]


def vietnam_day(session: Session, moment):
    """The Vietnam calendar day of a stored UTC time, as SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Ho_Chi_Minh", moment))
    return func.date(moment, "+7 hours")  # SQLite keeps UTC text; no DST in Vietnam since 1975


def _child_id(path: str, depth: int) -> int | None:
    parts = path.strip("/").split("/")
    return int(parts[depth]) if len(parts) > depth else None


def dashboard(session: Session, unit: OrgUnit | None, catalog: Catalog,
              today_: date, snapshot: ReportSnapshot | None = None) -> Dashboard:
    """The campaign page for `unit` (None: every unit), one level of sub-units down.

    With a `snapshot`, counts come from its tallies (fast at any size) instead of live.
    """

    prefix = unit.path if unit else ""
    depth = len(prefix.strip("/").split("/")) if prefix else 0
    targets = list(session.scalars(select(Target).where(Target.org_unit_id == unit.id)
                                   .order_by(Target.deadline, Target.id))) if unit else []
    programs = tuple(dict.fromkeys([p.slug for p in catalog.programs]
                                   + [t.program_slug for t in targets]))
    children = list(session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id == unit.id if unit else OrgUnit.parent_id.is_(None))
        .order_by(OrgUnit.name)))
    total, by_audience = Tally(), {a: Tally() for a in AUDIENCES}
    by_age = {g: Tally() for g in AGE_GROUPS}
    per_child: dict[int | None, Tally] = {c.id: Tally() for c in children}
    per_child_audience: dict[tuple[int | None, str], Tally] = {}
    counts = (snapshot_unit_counts(session, prefix, programs) if snapshot
              else unit_counts(session, prefix, programs, today_))
    for path, audience, age, people, certified, per_program in counts:
        child = _child_id(path, depth)
        for tally in (total, by_audience.setdefault(audience, Tally()), by_age[age],
                      per_child.setdefault(child, Tally()),
                      per_child_audience.setdefault((child, audience), Tally())):
            tally.add(people, certified, per_program)
    rows = [SubUnitRow(c, per_child[c.id],
                       {a: per_child_audience.get((c.id, a), Tally()) for a in by_audience})
            for c in children]
    if per_child.get(None, Tally()).people:
        rows.append(SubUnitRow(None, per_child[None],
                               {a: per_child_audience.get((None, a), Tally())
                                for a in by_audience}))
    target_views = []
    for target in targets:
        tally = by_audience.get(target.audience, Tally())
        progress = TargetProgress(target, tally.people, tally.programs[target.program_slug],
                                  today_)
        target_views.append(TargetView(progress, [
            (row, row.by_audience[target.audience].people,
             row.by_audience[target.audience].programs[target.program_slug]) for row in rows]))
    completions = (snapshot_completions_per_day(session, prefix, today_, COMPLETION_DAYS)
                   if snapshot else completions_per_day(session, prefix, today_))
    return Dashboard(unit, total, rows, by_audience, by_age, target_views, completions, programs,
                     snapshot.refreshed_at if snapshot else None)


def removable_target(session: Session, viewer: User, target_id: int) -> Target | None:
    """The target if `viewer` may remove it (it is set on a unit they see); else None."""
    target = session.get(Target, target_id)
    return target if target and can_see_unit(session, viewer, target.org_unit) else None
