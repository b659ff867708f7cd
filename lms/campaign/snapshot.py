"""The reporting snapshot: tallies per unit, refreshed every few minutes.

Counting a province of a million people live takes seconds; the snapshot turns the province
dashboard into sums over a few thousand rows. `flask reports refresh` rebuilds it (run it
from cron); dashboards use it while it is fresher than LMS_REPORT_SNAPSHOT_MAX_AGE and count
live otherwise, so a small installation without the job still sees exact numbers.
"""
from __future__ import annotations

from datetime import timedelta
from lms.services.clock import aware, vietnam_day
from lms.models import OrgUnit
from lms.campaign.scope import in_subtree
from lms.campaign.audiences import AGE_GROUPS, age_group

import time as clock
from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from lms.models import Certificate, DailyCompletion, ReportSnapshot, UnitTally, User
from lms.services.clock import now
from lms.services.record import valid_certificate


def refresh(session: Session, today_: date) -> ReportSnapshot:
    """Recounts everything in a handful of GROUP BY queries; replaces the previous snapshot."""
    started = clock.perf_counter()
    age = age_group(today_.year)
    key = (User.org_unit_id, User.audience, age)
    rows: dict[tuple, dict] = defaultdict(lambda: {"people": 0, "certified": 0,
                                                   "programs": Counter(), "courses": Counter()})
    for unit_id, audience, group, people in session.execute(
            select(*key, func.count()).where(User.org_unit_id.is_not(None)).group_by(*key)):
        rows[(unit_id, audience, int(group))]["people"] = people
    certified = select(*key, func.count()).where(
        User.org_unit_id.is_not(None),
        exists().where(valid_certificate(Certificate, User.id, "program", None, today_)))
    for unit_id, audience, group, people in session.execute(certified.group_by(*key)):
        rows[(unit_id, audience, int(group))]["certified"] = people
    for kind, field in (("program", "programs"), ("course", "courses")):
        held = (select(*key, Certificate.subject_slug, func.count())
                .join(Certificate, Certificate.user_id == User.id)
                .where(User.org_unit_id.is_not(None),
                       valid_certificate(Certificate, User.id, kind, None, today_))
                .group_by(*key, Certificate.subject_slug))
        for unit_id, audience, group, slug, people in session.execute(held):
            rows[(unit_id, audience, int(group))][field][slug] = people
    day = vietnam_day(session, Certificate.issued_at)
    daily = session.execute(
        select(User.org_unit_id, day, func.count())
        .join(Certificate, Certificate.user_id == User.id)
        .where(User.org_unit_id.is_not(None),
               valid_certificate(Certificate, User.id, "program", None, today_))
        .group_by(User.org_unit_id, day)).all()

    session.execute(delete(UnitTally))
    session.execute(delete(DailyCompletion))
    if rows:
        session.execute(insert(UnitTally), [
            {"org_unit_id": unit_id, "audience": audience, "age_group": group,
             "people": row["people"], "certified": row["certified"],
             "programs": dict(row["programs"]), "courses": dict(row["courses"])}
            for (unit_id, audience, group), row in rows.items()])
    if daily:
        session.execute(insert(DailyCompletion), [
            {"org_unit_id": unit_id, "day": date.fromisoformat(str(when)[:10]), "certified": n}
            for unit_id, when, n in daily])
    snapshot = ReportSnapshot(refreshed_at=now(), seconds=clock.perf_counter() - started)
    session.add(snapshot)
    session.execute(delete(ReportSnapshot).where(ReportSnapshot.refreshed_at < snapshot.refreshed_at))
    session.flush()
    return snapshot


# --- reading it -----------------------------------------------------------------------------

def fresh_snapshot(session: Session, max_age: timedelta) -> ReportSnapshot | None:
    latest = session.scalar(select(ReportSnapshot).order_by(ReportSnapshot.refreshed_at.desc())
                            .limit(1))
    if latest is None or aware(latest.refreshed_at) < now() - max_age:
        return None
    return latest


def snapshot_unit_counts(session: Session, prefix: str, program_slugs: tuple[str, ...]):
    """The same rows as dashboard.unit_counts, read from the snapshot."""
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


def snapshot_subtree_totals(session: Session, path: str, kind: str, slug: str,
                            audiences: tuple[str, ...]) -> tuple[int, int]:
    """(people, people who completed the course or hold the program) of `audiences` under a
    unit's path."""
    field = UnitTally.courses if kind == "course" else UnitTally.programs
    people, done = 0, 0
    for count, held in session.execute(select(UnitTally.people, field)
                                       .join(OrgUnit, OrgUnit.id == UnitTally.org_unit_id)
                                       .where(in_subtree(path),
                                              UnitTally.audience.in_(audiences))):
        people += count
        done += int(held.get(slug, 0))
    return people, done
