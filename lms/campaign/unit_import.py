"""Importing organisation units from a CSV file: validate the whole file, then add or rename."""
from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import OrgUnit
from lms.models.org import UNIT_KINDS
from lms.services import audit
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
class UnitProblem:
    row: int
    column: str | None
    message: str  # in English, for the command line
    key: str = ""  # which rule, so the web form can say it in the reader's language
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        where = f"row {self.row}" + (f', column "{self.column}"' if self.column else "")
        return f"{where}: {self.message}"


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
        return [], [UnitProblem(1, None, "the file is not UTF-8 text: save it as "
                                         "\"CSV UTF-8\" and try again")]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:  # a cell over the csv module's size limit, say
        return [], [UnitProblem(1, None, f"the file is not a CSV table ({error})")]
    header = [clean(name).lower() for name in (records[0] if records else [])]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [UnitProblem(1, name, "this column is missing: the first row must be "
                                         "code,name,parent_code,kind") for name in missing]
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
            problems.append(UnitProblem(row.row, "parent_code", f'unknown parent code '
                                        f'"{row.parent_code}": it is neither in this file '
                                        f'nor already imported'))
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

    def problem(column: str, message: str, key: str = "", **params) -> None:
        found.append(UnitProblem(row.row, column, message, key, params))

    found.extend(unit_field_problems(row))
    if row.code in first_row and not any(p.column == "code" for p in found):
        problem("code", f'the code "{row.code}" is already used on row {first_row[row.code]}')
    unit = existing.get(row.code)
    if unit is not None:
        # Moving a unit would re-file every record below it; that is not an import's job.
        current_parent = unit.parent.code if unit.parent else ""
        if row.parent_code != current_parent:
            problem("parent_code", f'"{row.code}" already exists under '
                    f'"{current_parent or "no parent"}": the import does not move units')
        if row.kind in UNIT_KINDS and row.kind != unit.kind:
            problem("kind", f'"{row.code}" already exists as a {unit.kind}: '
                    f'the import does not change kinds')
    return found


def unit_field_problems(row: UnitRow) -> list[UnitProblem]:
    """What is wrong with one unit's own fields, wherever it is typed (CSV row or web form)."""
    found = []

    def problem(column: str, message: str, key: str, **params) -> None:
        found.append(UnitProblem(row.row, column, message, key, params))

    if not row.code:
        problem("code", "the code is empty", "code-empty")
    elif len(row.code) > MAX_CODE_LENGTH:
        problem("code", f"the code is longer than {MAX_CODE_LENGTH} characters", "code-long",
                length=MAX_CODE_LENGTH)
    elif "/" in row.code or not row.code.strip("."):
        # Reports open a unit at /reports/units/<code>/: such a code could never be opened.
        problem("code", 'the code cannot contain "/" or be only dots', "code-slash")
    if not row.name:
        problem("name", "the name is empty", "name-empty")
    elif len(row.name) > MAX_NAME_LENGTH:
        problem("name", f"the name is longer than {MAX_NAME_LENGTH} characters", "name-long",
                length=MAX_NAME_LENGTH)
    if row.kind not in UNIT_KINDS:
        problem("kind", f'"{row.kind}" is not a kind of unit: use one of {", ".join(UNIT_KINDS)}'
                if row.kind else f"the kind is empty: use one of {', '.join(UNIT_KINDS)}",
                "kind-unknown")
    if row.parent_code and row.parent_code == row.code:
        problem("parent_code", "a unit cannot be its own parent", "own-parent")
    for name in EXPECTED_COLUMNS:
        value = getattr(row, name)
        if value and not (value.isascii() and value.isdigit() and int(value) <= MAX_EXPECTED):
            problem(name, f'"{value}" is not a number of people: write a whole number from 0 '
                    f"to {MAX_EXPECTED} without dots or spaces, or leave it empty", "expected-number", value=value)
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
            loop = " → ".join(chain + [code])
            problems.append(UnitProblem(row_of[code], "parent_code",
                                        f'"{code}" is its own ancestor ({loop})'))
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
