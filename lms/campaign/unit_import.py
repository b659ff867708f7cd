"""Importing organisation units from a CSV file: validate the whole file, then add or rename."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import OrgUnit
from lms.models.org import UNIT_KINDS
from lms.services import audit
from lms.campaign.unit_problems import UnitProblem
from lms.campaign.units import add_units

COLUMNS = ("code", "name", "parent_code", "kind")
# Optional: what percentage targets count against. Files without them stay valid.
EXPECTED_COLUMNS = ("expected_residents", "expected_civil_servants")
MAX_CODE_LENGTH = 32
MAX_NAME_LENGTH = 200
MAX_EXPECTED = 100_000_000


@dataclass(frozen=True)
class UnitRow:
    row: int  # as a spreadsheet counts it: the header is row 1
    code: str
    name: str
    parent_code: str
    kind: str
    expected_residents: str = ""  # as typed; checked by expected_problems
    expected_civil_servants: str = ""

    def expected(self) -> dict[str, int | None]:
        """The expected counts given (empty: not given), once the row is valid."""
        return {name: int(getattr(self, name)) if getattr(self, name) else None
                for name in EXPECTED_COLUMNS}


@dataclass(frozen=True)
class Rename:
    code: str
    old_name: str
    new_name: str


@dataclass(frozen=True)
class UnitImportPlan:
    to_add: tuple[UnitRow, ...]  # parents before their children
    to_rename: tuple[Rename, ...]
    unchanged: int
    problems: tuple[UnitProblem, ...]
    to_count: tuple[UnitRow, ...] = ()  # existing units whose expected counts change


@dataclass(frozen=True)
class UnitImportSummary:
    added: int
    renamed: tuple[Rename, ...]
    unchanged: int
    counted: int = 0  # units whose expected counts changed


def clean(value: str | None) -> str:
    """One spelling for text typed on different machines: NFC, single spaces, no edges."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def read_units_csv(data: bytes) -> tuple[list[UnitRow], list[UnitProblem]]:
    """Rows of a code,name,parent_code,kind file (UTF-8, with or without BOM; , or ;)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [UnitProblem(1, None, "not-utf8")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:  # a cell over the csv module's size limit, say
        return [], [UnitProblem(1, None, "not-a-table")]
    header = [clean(name).lower() for name in (records[0] if records else [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [UnitProblem(1, name, "column-missing") for name in missing]
    position = {name: header.index(name) for name in COLUMNS + EXPECTED_COLUMNS
                if name in header}
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: clean(record[index]) if index < len(record) else ""
                 for name, index in position.items()}
        rows.append(UnitRow(number, cells["code"], cells["name"], cells["parent_code"],
                            cells["kind"].lower(),
                            *(cells.get(name, "") for name in EXPECTED_COLUMNS)))
    return rows, []


def plan_unit_import(session: Session, rows: list[UnitRow]) -> UnitImportPlan:
    """What importing `rows` would do, or every problem in them; writes nothing."""
    existing = {unit.code: unit for unit in session.scalars(select(OrgUnit))}
    problems: list[UnitProblem] = []
    first_row: dict[str, int] = {}
    valid: dict[str, UnitRow] = {}
    for row in rows:
        row_problems = _row_problems(row, first_row, existing)
        first_row.setdefault(row.code, row.row)
        problems.extend(row_problems)
        if not row_problems:
            valid[row.code] = row
    known = set(existing) | {row.code for row in rows}
    for row in rows:
        if row.parent_code and row.parent_code != row.code and row.parent_code not in known:
            problems.append(UnitProblem(row.row, "parent_code", "parent-not-found",
                                        {"code": row.parent_code}))
    problems.extend(_cycles(rows))
    if problems:
        return UnitImportPlan((), (), 0, tuple(sorted(problems, key=lambda p: p.row)))
    new = {code: row for code, row in valid.items() if code not in existing}
    renames = tuple(Rename(code, existing[code].name, row.name) for code, row in valid.items()
                    if code in existing and existing[code].name != row.name)
    recount = tuple(row for code, row in valid.items() if code in existing
                    and _count_changes(existing[code], row))
    changed = {r.code for r in renames} | {row.code for row in recount}
    return UnitImportPlan(tuple(_parents_first(new)), renames,
                          len(valid) - len(new) - len(changed), (), recount)


def _count_changes(unit: OrgUnit, row: UnitRow) -> dict[str, int]:
    """The expected counts the row gives that differ from the unit's (an empty cell keeps)."""
    return {name: value for name, value in row.expected().items()
            if value is not None and getattr(unit, name) != value}


def _row_problems(row: UnitRow, first_row: dict[str, int],
                  existing: dict[str, OrgUnit]) -> list[UnitProblem]:
    found = []

    def problem(column: str, code: str, /, **params) -> None:
        found.append(UnitProblem(row.row, column, code, params))

    found.extend(unit_field_problems(row))
    if row.code in first_row and not any(p.column == "code" for p in found):
        problem("code", "code-repeated", code=row.code, first=first_row[row.code])
    unit = existing.get(row.code)
    if unit is not None:
        # Moving a unit would re-file every record below it; that is not an import's job.
        current_parent = unit.parent.code if unit.parent else ""
        if row.parent_code != current_parent:
            problem("parent_code", "moved" if current_parent else "moved-from-top",
                    code=row.code, parent=current_parent)
        if row.kind in UNIT_KINDS and row.kind != unit.kind:
            problem("kind", "kind-changed", code=row.code, kind=unit.kind)
    return found


def unit_field_problems(row: UnitRow) -> list[UnitProblem]:
    """What is wrong with one unit's own fields, wherever it is typed (CSV row or web form)."""
    found = []

    def problem(column: str, code: str, /, **params) -> None:
        found.append(UnitProblem(row.row, column, code, params))

    if not row.code:
        problem("code", "code-empty")
    elif len(row.code) > MAX_CODE_LENGTH:
        problem("code", "code-long", length=MAX_CODE_LENGTH)
    elif "/" in row.code or not row.code.strip("."):
        # Reports open a unit at /reports/units/<code>/: such a code could never be opened.
        problem("code", "code-slash")
    if not row.name:
        problem("name", "name-empty")
    elif len(row.name) > MAX_NAME_LENGTH:
        problem("name", "name-long", length=MAX_NAME_LENGTH)
    if row.kind not in UNIT_KINDS:
        problem("kind", "kind-unknown" if row.kind else "kind-empty", kind=row.kind,
                kinds=", ".join(UNIT_KINDS))
    if row.parent_code and row.parent_code == row.code:
        problem("parent_code", "own-parent")
    for name in EXPECTED_COLUMNS:
        value = getattr(row, name)
        if value and not (value.isascii() and value.isdigit() and int(value) <= MAX_EXPECTED):
            problem(name, "expected-number", value=value)
    return found


def _cycles(rows: list[UnitRow]) -> list[UnitProblem]:
    """A problem for every row whose chain of parents in the file comes back to itself."""
    parent_of = {row.code: row.parent_code for row in rows if row.code}
    row_of = {}
    for row in rows:
        row_of.setdefault(row.code, row.row)
    problems = []
    for code in parent_of:
        chain, seen, current = [code], {code}, parent_of[code]
        while current in parent_of and current not in seen:
            chain.append(current)
            seen.add(current)
            current = parent_of[current]
        if current == code and len(chain) > 1:
            problems.append(UnitProblem(row_of[code], "parent_code", "own-ancestor",
                                        {"code": code, "loop": " → ".join(chain + [code])}))
    return problems


def _parents_first(new: dict[str, UnitRow]) -> list[UnitRow]:
    ordered: list[UnitRow] = []
    placed: set[str] = set()

    for row in sorted(new.values(), key=lambda r: r.row):
        waiting = []  # this row and its not yet placed ancestors, child first
        while row is not None and row.code not in placed:
            waiting.append(row)
            placed.add(row.code)
            row = new.get(row.parent_code)
        ordered.extend(reversed(waiting))
    return ordered


def apply_unit_import(session: Session, plan: UnitImportPlan,
                      actor: audit.Actor) -> UnitImportSummary:
    if plan.problems:
        raise ValueError("a plan with problems cannot be applied")
    for rename in plan.to_rename:
        session.scalar(select(OrgUnit).where(OrgUnit.code == rename.code)).name = rename.new_name
    counted = []
    for row in plan.to_count:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == row.code))
        changes = _count_changes(unit, row)
        for name, value in changes.items():
            setattr(unit, name, value)
        counted.append({"code": row.code, **changes})
    added = add_units(session, [{"code": row.code, "name": row.name, "kind": row.kind,
                                 "parent_code": row.parent_code, **row.expected()}
                                for row in plan.to_add])
    session.flush()
    audit.record(session, actor, "units-imported", unit_path="", details={
        "added": [row.code for row in plan.to_add],
        "renamed": [{"code": r.code, "from": r.old_name, "to": r.new_name}
                    for r in plan.to_rename],
        "expected_counts": counted})
    return UnitImportSummary(added, plan.to_rename, plan.unchanged, len(counted))
