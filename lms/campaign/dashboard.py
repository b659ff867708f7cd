"""The campaign page of a unit: who is certified there, by sub-unit, audience, age and day."""
from __future__ import annotations

from lms.services.clock import vietnam_day
from lms.campaign.scope import in_subtree
from lms.campaign.audiences import AGE_GROUPS, AUDIENCES, age_group
from lms.campaign.snapshot import snapshot_completions_per_day, snapshot_unit_counts
from lms.campaign.audiences import BOTH, named
from lms.campaign.targets import TargetProgress, sub_unit_gap
from lms.campaign.units import expected_count

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from lms.content import Catalog
from lms.models import (Certificate, OrgUnit, ReportSnapshot, Target,
                        User)
from lms.services.clock import VIETNAM, aware, day_start_utc, end_of_day_utc
from lms.services.record import valid_certificate


COMPLETION_DAYS = 30


@dataclass
class Tally:
    people: int = 0
    certified: int = 0  # holding at least one valid program certificate
    programs: Counter = field(default_factory=Counter)  # certified, per program

    def add(self, people: int, certified: int, programs: dict[str, int]) -> None:
        self.people += people
        self.certified += certified
        for slug, count in programs.items():  # Counter.update's checks cost more than this
            if count:
                self.programs[slug] += count

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
class Standing:
    """One line of a sub-unit table: where a sub-unit stands, against its expected count."""
    row: SubUnitRow
    registered: int
    certified: int
    expected: int | None  # None: no figure for the sub-unit, so its registered people count
    gap: int  # people still to certify there

    @property
    def base(self) -> int:
        return self.registered if self.expected is None else self.expected

    @property
    def percent(self) -> int:
        return min(100, self.certified * 100 // self.base) if self.base else 0


SORTS = ("percent", "gap", "name")


def arrange(standings: list[Standing], sort: str = "percent",
            below: int | None = None) -> list[Standing]:
    """Lagging sub-units first (lowest share; or largest gap), optionally only those below
    `below` percent; "name" keeps the alphabetical order they come in."""
    if below is not None:
        standings = [s for s in standings if s.percent < below]
    if sort == "gap":
        return sorted(standings, key=lambda s: (-s.gap, s.percent))
    if sort == "percent":
        return sorted(standings, key=lambda s: (s.percent, -s.gap))
    return list(standings)


def _figures(row: SubUnitRow, audience: str, program: str | None) -> tuple[int, int]:
    """(registered, certified) of `audience` in a sub-unit: in `program`, or in any program."""
    tallies = [row.by_audience.get(a, Tally()) for a in named(audience)]
    return (sum(t.people for t in tallies),
            sum(t.programs[program] if program else t.certified for t in tallies))


def standing(row: SubUnitRow, target=None) -> Standing:
    audience = target.audience if target is not None else BOTH
    registered, certified = _figures(row, audience, target.program_slug if target else None)
    expected = expected_count(row.unit, audience) if row.unit else None
    base = registered if expected is None else expected
    gap = (sub_unit_gap(target, base, certified) if target is not None
           else max(base - certified, 0))
    return Standing(row, registered, certified, expected, gap)


@dataclass(frozen=True)
class TargetView:
    progress: TargetProgress
    rows: list[Standing]  # per sub-unit, in the target's audience and program


@dataclass(frozen=True)
class Dashboard:
    unit: OrgUnit | None
    total: Tally
    sub_units: list[SubUnitRow]  # alphabetical; `standings` says where each stands
    by_audience: dict[str, Tally]
    by_age: dict[str, Tally]
    targets: list[TargetView]
    completions: list[tuple[date, int]]  # program certificates issued, per day, oldest first
    programs: tuple[str, ...]
    as_of: datetime | None = None  # when the figures come from the reporting snapshot

    @property
    def standings(self) -> list[Standing]:
        return [standing(row) for row in self.sub_units]

    @property
    def whole(self) -> Standing:
        """The unit itself, as the sub-unit tables' total line."""
        return standing(SubUnitRow(self.unit, self.total, self.by_audience))

    @property
    def counted_at(self) -> datetime | None:
        """When the snapshot was counted, in Vietnam time (None: counted live, just now)."""
        return aware(self.as_of).astimezone(VIETNAM) if self.as_of else None


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
    # Each row (a unit, audience and age group: 16,000 at a million learners) is added once,
    # to its sub-unit, audience and age group; the page's tallies are sums of those few.
    cells: dict[tuple[int | None, str, str], Tally] = {}
    for path, audience, age, people, certified, per_program in counts:
        key = (_child_id(path, depth), audience, age)
        cell = cells.get(key) or cells.setdefault(key, Tally())
        cell.add(people, certified, per_program)
    for (child, audience, age), cell in cells.items():
        for tally in (total, by_audience.setdefault(audience, Tally()), by_age[age],
                      per_child.setdefault(child, Tally()),
                      per_child_audience.setdefault((child, audience), Tally())):
            tally.add(cell.people, cell.certified, cell.programs)
    rows = [SubUnitRow(c, per_child[c.id],
                       {a: per_child_audience.get((c.id, a), Tally()) for a in by_audience})
            for c in children]
    if per_child.get(None, Tally()).people:
        rows.append(SubUnitRow(None, per_child[None],
                               {a: per_child_audience.get((None, a), Tally())
                                for a in by_audience}))
    target_views = []
    whole = SubUnitRow(unit, total, by_audience)
    for target in targets:
        registered, certified = _figures(whole, target.audience, target.program_slug)
        progress = TargetProgress(target, registered, certified, today_,
                                  expected_count(unit, target.audience))
        target_views.append(TargetView(progress, [standing(row, target) for row in rows]))
    completions = (snapshot_completions_per_day(session, prefix, today_, COMPLETION_DAYS)
                   if snapshot else completions_per_day(session, prefix, today_))
    return Dashboard(unit, total, rows, by_audience, by_age, target_views, completions, programs,
                     snapshot.refreshed_at if snapshot else None)
