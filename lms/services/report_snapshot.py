"""Writes the reporting snapshot: tallies per unit, refreshed every few minutes.

Counting a province of a million people live takes seconds; the snapshot turns the province
dashboard into sums over a few thousand rows. `flask reports refresh` rebuilds it (run it
from cron); dashboards use it while it is fresher than LMS_REPORT_SNAPSHOT_MAX_AGE and count
live otherwise, so a small installation without the job still sees exact numbers.
"""
from __future__ import annotations

import time as clock
from collections import Counter, defaultdict
from datetime import date

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from lms.models import Certificate, DailyCompletion, ReportSnapshot, UnitTally, User
from lms.services.clock import now
from lms.services.record import valid_certificate
from lms.services.reports import age_group, vietnam_day


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
