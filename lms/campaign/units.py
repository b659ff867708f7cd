"""Organisation units: the province -> commune/ward -> unit tree that learners belong to."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.campaign.audiences import named
from lms.models import OrgUnit

SAMPLE_UNITS_FILE = Path(__file__).resolve().parent.parent / "seed" / "org_units.sample.csv"
# The communes, wards and special zones (đặc khu) that learners belong to.
LEARNER_UNIT_KINDS = ("commune", "ward", "special-zone")


@dataclass(frozen=True)
class UnitChoice:
    id: int
    name: str
    province: str


def add_units(session: Session, rows: list[dict[str, str]]) -> int:
    """Adds units given parents-first as {code, name, parent_code, kind} and optionally their
    expected counts; returns the count."""
    by_code = {unit.code: unit for unit in session.scalars(select(OrgUnit))}
    added = 0
    for row in rows:
        if row["code"] in by_code:
            continue
        parent = by_code.get(row.get("parent_code") or "")
        unit = OrgUnit(code=row["code"], name=row["name"], kind=row["kind"], parent=parent,
                       path="", expected_residents=row.get("expected_residents"),
                       expected_civil_servants=row.get("expected_civil_servants"))
        session.add(unit)
        session.flush()  # the id is part of the path
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        by_code[unit.code] = unit
        added += 1
    return added


def expected_count(unit: OrgUnit | None, audience: str) -> int | None:
    """How many people of `audience` a unit expects (adult residents for citizens, its civil
    servants for civil servants, their sum for both); None when a figure is missing."""
    figures = {"citizen": unit.expected_residents if unit else None,
               "civil-servant": unit.expected_civil_servants if unit else None}
    wanted = [figures[a] for a in named(audience)]
    return None if not wanted or None in wanted else sum(wanted)


def seed_sample_units_if_empty(session: Session) -> int:
    """A fresh install gets a small sample list so that sign-up works out of the box."""
    if session.scalar(select(func.count()).select_from(OrgUnit)):
        return 0
    with SAMPLE_UNITS_FILE.open(encoding="utf-8", newline="") as handle:
        return add_units(session, list(csv.DictReader(handle)))


def learner_unit_choices(session: Session) -> list[UnitChoice]:
    """Communes and wards, grouped by province, for the sign-up and profile forms."""
    province = OrgUnit.__table__.alias("province")
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, province.c.name)
        .join(province, province.c.id == OrgUnit.parent_id)
        .where(OrgUnit.kind.in_(LEARNER_UNIT_KINDS))
        .order_by(province.c.name, OrgUnit.name))
    return [UnitChoice(*row) for row in rows]


def provinces_with_learner_units(session: Session) -> list[tuple[int, str]]:
    """(id, name) of each province that has communes or wards, for the picker's first step."""
    province = OrgUnit.__table__.alias("province")
    rows = session.execute(
        select(province.c.id, province.c.name).distinct()
        .join(OrgUnit, OrgUnit.parent_id == province.c.id)
        .where(OrgUnit.kind.in_(LEARNER_UNIT_KINDS)).order_by(province.c.name))
    return [tuple(row) for row in rows]


def learner_units_in(session: Session, province_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the communes and wards of one province, for the picker's second step."""
    if province_id is None:
        return []
    rows = session.execute(select(OrgUnit.id, OrgUnit.name).where(
        OrgUnit.parent_id == province_id, OrgUnit.kind.in_(LEARNER_UNIT_KINDS))
        .order_by(OrgUnit.name))
    return [tuple(row) for row in rows]


def learner_unit(session: Session, unit_id: int | None) -> OrgUnit | None:
    """The commune or ward with this id, or None if it is not one a learner can belong to."""
    if unit_id is None or not 0 < unit_id < 2 ** 31:
        return None
    unit = session.get(OrgUnit, unit_id)
    return unit if unit is not None and unit.kind in LEARNER_UNIT_KINDS else None


def grouped_unit_choices(session: Session) -> dict[str, list[tuple[int, str]]]:
    """{province: [(unit id, name), ...]}, as a grouped select field takes them."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for choice in learner_unit_choices(session):
        grouped.setdefault(choice.province, []).append((choice.id, choice.name))
    return grouped
