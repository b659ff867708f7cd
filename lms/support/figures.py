"""What the support log and the record say about help given under one unit: people helped
(60 and over apart), services done, lessons and quizzes completed with a helper, by month;
and the same per point, per helper and per commune. The campaign dashboard shows the
subtree's totals (templates/support/_dashboard_figures.html) beside its targets."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lms.models import LessonProgress, OrgUnit, QuizAttempt, SupportPoint, SupportVisit, User
from lms.services.clock import vietnam_date
from lms.support.log import AGE_GROUPS


@dataclass
class Tally:
    """The help given by one point, helper or commune (or all of them together)."""

    name: str
    visits: int = 0
    minutes: int = 0
    people: Counter = field(default_factory=Counter)  # by age group

    @property
    def people_helped(self) -> int:
        return sum(self.people.values())

    def add(self, people: int, age_group: str, minutes: int) -> None:
        self.visits += 1
        self.minutes += minutes
        self.people[age_group] += people


@dataclass
class SupportFigures:
    total: Tally
    services: Counter  # service code -> visits where it was done (fully or partly)
    lessons_with_help: int
    quizzes_passed_with_help: int
    by_month: dict[date, int]  # first day of a month -> people helped (Vietnam's calendar)
    by_point: list[Tally]
    by_helper: list[Tally]
    by_commune: list[Tally]


def figures(session: Session, unit_path: str, door_to_door: str = "") -> SupportFigures:
    """Everything under the unit with this path ("" for the whole country). `door_to_door`
    names the visits made away from any point, in the page's language."""
    commune = aliased(OrgUnit)
    helper = aliased(User)
    under = commune.path.startswith(unit_path, autoescape=True)
    rows = session.execute(
        select(SupportVisit.at, SupportVisit.people_count, SupportVisit.age_group,
               SupportVisit.minutes, SupportVisit.services, SupportVisit.outcome,
               SupportPoint.name, commune.name, helper.full_name)
        .join(commune, commune.id == SupportVisit.commune_id)
        .outerjoin(SupportPoint, SupportPoint.id == SupportVisit.point_id)
        .outerjoin(helper, helper.id == SupportVisit.helper_id)
        .where(under).execution_options(yield_per=1000))
    total, services, months = Tally(""), Counter(), Counter()
    points: dict[str, Tally] = {}
    helpers: dict[str, Tally] = {}
    communes: dict[str, Tally] = {}
    for at, people, age, minutes, done, outcome, point, commune_name, helper_name in rows:
        for tally in (total, points.setdefault(point or door_to_door, Tally(point or
                                                                             door_to_door)),
                      helpers.setdefault(helper_name or "", Tally(helper_name or "")),
                      communes.setdefault(commune_name, Tally(commune_name))):
            tally.add(people, age, minutes)
        if outcome != "not-done":
            services.update(done)
        months[vietnam_date(at).replace(day=1)] += people
    learner_unit = aliased(OrgUnit)
    in_subtree = (select(User.id).join(learner_unit, learner_unit.id == User.org_unit_id)
                  .where(learner_unit.path.startswith(unit_path, autoescape=True)))
    lessons = session.scalar(select(func.count()).select_from(LessonProgress).where(
        LessonProgress.assisted_by_id.is_not(None), LessonProgress.user_id.in_(in_subtree)))
    quizzes = session.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.assisted_by_id.is_not(None), QuizAttempt.passed.is_(True),
        QuizAttempt.user_id.in_(in_subtree)))
    return SupportFigures(total, services, lessons, quizzes, dict(sorted(months.items())),
                          _by_name(points), _by_name(helpers), _by_name(communes))


def _by_name(tallies: dict[str, Tally]) -> list[Tally]:
    return sorted(tallies.values(), key=lambda tally: tally.name.casefold())


def shown_month(month: date) -> str:
    """12/2026: read alike in Vietnamese and English."""
    return f"{month.month:02d}/{month.year}"


def export_rows(found: SupportFigures, labels: dict[str, str]) -> list[list]:
    """One table for CSV and XLSX: a section, a name, then the figures. `labels` names the
    sections and services in the reader's language."""
    rows = []
    for section, tallies in (("point", found.by_point), ("helper", found.by_helper),
                             ("commune", found.by_commune), ("total", [found.total])):
        for tally in tallies:
            rows.append([labels[section], tally.name or labels[section], tally.visits,
                         tally.people_helped, *(tally.people[g] for g in AGE_GROUPS),
                         tally.minutes])
    for code, count in sorted(found.services.items()):
        rows.append([labels["service"], labels.get(code, code), count, None, None, None, None,
                     None, None])
    for month, people in found.by_month.items():
        rows.append([labels["month"], shown_month(month), None, people, None, None, None, None,
                     None])
    rows.append([labels["lessons"], "", found.lessons_with_help, None, None, None, None, None,
                 None])
    rows.append([labels["quizzes"], "", found.quizzes_passed_with_help, None, None, None, None,
                 None, None])
    return rows


def report_unit(session: Session, scope: str | None, code: str | None) -> OrgUnit | None | bool:
    """The unit a report is about: the one asked for if it is in `scope`, else the scope's
    own unit (None for the whole country); False when nothing may be seen."""
    if scope is None:
        return False
    if code:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
        return unit if unit is not None and unit.path.startswith(scope) else False
    return session.scalar(select(OrgUnit).where(OrgUnit.path == scope)) if scope else None


def units_below(session: Session, unit: OrgUnit | None) -> list[OrgUnit]:
    """The next level down, to go down the tree."""
    query = select(OrgUnit).where(OrgUnit.parent_id == unit.id if unit else
                                  OrgUnit.parent_id.is_(None))
    return list(session.scalars(query.order_by(OrgUnit.name)))
