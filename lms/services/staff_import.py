"""Importing civil servants from a spreadsheet, and the one-time codes that activate them."""
from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import io
import json
import re
import secrets
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms.models import OrgUnit, User
from lms.services import access, audit
from lms.services.accounts import (HASHER, AccountError, Identifier, account_typed,
                                   check_new_password, end_all_sessions, parse_identifier)
from lms.services.org_import import clean
from lms.services.passwords import hash_password

MAX_FILE_BYTES = 5 * 1024 * 1024
# An XLSX is a zip, and a few kilobytes can unpack into gigabytes: before openpyxl sees it,
# refuse one that unpacks into far more than a staff list needs (1,000 rows are under 1 MB of
# XML), has more parts than a workbook, or packs a large part implausibly tight. The sizes
# are those the zip declares; zipfile never unpacks more than an entry declares.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 200
MAX_PACKING_RATIO = 100  # spreadsheet XML packs about 5-20 times; a zip bomb, 1,000 times
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
# Only the first columns are read: the four a staff list needs sit among them.
MAX_COLUMNS = 64
# Each new person's code is hashed with Argon2 (about 20 ms): 1,000 rows stay well within
# a request's time.
MAX_ROWS = 1000
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in office sheets
MAX_RECORDS = 20 * MAX_ROWS  # blank lines included: a sheet formatted down to row 1,048,576
CODE_VALID_FOR = timedelta(days=30)
AUDIENCE = "civil-servant"
NOT_ACTIVATED = "!"
FIELDS = ("full_name", "identifier", "unit_code", "position")
# Header names as people write them, compared without accents, case, spaces or underscores.
HEADER_NAMES = {
    "full_name": ("full name", "name", "ho va ten", "ho ten"),
    "identifier": ("phone or email", "phone", "email", "mobile", "so dien thoai hoac email",
                   "so dien thoai", "dien thoai", "sdt", "email hoac so dien thoai"),
    "unit_code": ("unit code", "ma don vi", "ma dv"),
    "position": ("position", "chuc vu", "chuc danh"),
}
# Excel stores 0912345678 typed in a number cell as 912345678.
LOST_LEADING_ZERO = re.compile(r"^[35789]\d{8}$")
_DUMMY_CODE_HASH = HASHER.hash("00000000")


class StaffFileError(ValueError):
    """The file as a whole cannot be read; `code` says why, `detail` gives the particulars."""

    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class StaffRow:
    row: int  # as the spreadsheet counts it, header included
    full_name: str
    identifier: str
    unit_code: str
    position: str


@dataclass(frozen=True)
class Column:
    letter: str  # A, B, ... as the spreadsheet shows it
    header: str  # as written in the file


@dataclass(frozen=True)
class StaffSheet:
    rows: tuple[StaffRow, ...]
    columns: dict[str, Column]  # field name -> where it is in the file


@dataclass(frozen=True)
class RowProblem:
    key: str  # which column: one of FIELDS
    code: str
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedRow:
    source: StaffRow
    action: str  # create, update, unchanged, error, decide (the manager chooses) or skipped
    changes: tuple[str, ...] = ()  # for update: unit, position, audience, code, takeover
    problems: tuple[RowProblem, ...] = ()
    user_id: int | None = None
    unit_id: int | None = None
    unit_name: str = ""
    identifier: Identifier | None = None
    issue_code: bool = False
    # Why the existing account may not be this person: name-differs, unproven (signed up by
    # someone, with a number never proven). Nothing changes until the manager decides.
    conflicts: tuple[str, ...] = ()
    account_name: str = ""  # the existing account's name, shown beside the file's


DECISIONS = ("update", "skip")


@dataclass(frozen=True)
class StaffPlan:
    rows: tuple[PlannedRow, ...]
    columns: dict[str, Column]

    @property
    def has_problems(self) -> bool:
        return any(row.problems for row in self.rows)

    @property
    def undecided(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == "decide"]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.has_problems and not self.undecided

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def digest(self) -> str:
        """Changes when what the import would do changes, e.g. someone imported in between."""
        # A row to decide counts as "decide" whatever was chosen, so the choice made on the
        # dry-run page does not look like a change since the dry run.
        actions = [[row.source.row, "decide" if row.conflicts else row.action, row.user_id,
                    row.unit_id, [] if row.conflicts else list(row.changes)]
                   for row in self.rows]
        return hashlib.sha256(json.dumps(actions).encode()).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    full_name: str
    identifier: str  # as written in the file, which is how the person knows it
    unit_name: str
    code: str  # "1234 5678"
    expires_at: datetime


# Reading the file ---------------------------------------------------------------------------

def read_staff_file(data: bytes) -> StaffSheet:
    """The rows of a CSV (UTF-8, with or without BOM, comma or semicolon) or XLSX staff list."""
    if len(data) > MAX_FILE_BYTES:
        raise StaffFileError("too-big", megabytes=MAX_FILE_BYTES // (1024 * 1024))
    if not data.strip():
        raise StaffFileError("empty")
    if data.startswith(b"PK\x03\x04"):
        table = _xlsx_table(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise StaffFileError("old-excel")
    else:
        table = _csv_table(data)
    return _sheet(table)


def _csv_table(data: bytes) -> list[list[str]]:
    if b"\x00" in data:
        raise StaffFileError("not-a-table")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StaffFileError("not-utf8") from None
    first_lines = text[:4000]
    delimiter = ";" if first_lines.count(";") > first_lines.count(",") else ","
    try:
        return _take(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise StaffFileError("not-a-table") from None


def _xlsx_table(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_unpacked_size(archive.infolist())
        with warnings.catch_warnings():
            # Styles or extensions openpyxl does not know are irrelevant to a staff list.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                # Explicit bounds: otherwise openpyxl pads every row to the width, and the
                # sheet to the height, that the file's <dimension> claims (up to 17 billion
                # cells), and _take could not stop it in time.
                records = sheet.iter_rows(max_row=MAX_RECORDS + 1, max_col=MAX_COLUMNS,
                                          values_only=True)
                table = _take(_record(values) for values in records)
            finally:
                workbook.close()
    except StaffFileError:
        raise
    # A damaged or disguised workbook can fail anywhere inside openpyxl; the person only
    # needs to know that this file cannot be read.
    except Exception:  # noqa: BLE001
        raise StaffFileError("bad-xlsx") from None
    return table


def _check_unpacked_size(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise StaffFileError("unpacks-too-big", megabytes=MAX_UNPACKED_BYTES // (1024 * 1024))
    for entry in entries:
        if (entry.file_size > RATIO_CHECKED_FROM_BYTES
                and entry.file_size > MAX_PACKING_RATIO * max(entry.compress_size, 1)):
            raise StaffFileError("unpacks-too-big", megabytes=MAX_UNPACKED_BYTES // (1024 * 1024))


def _record(values: tuple) -> list[str]:
    # Most records of a sheet formatted far down are empty: skip the per-cell work for them.
    return [_cell_text(value) for value in values] if any(v is not None for v in values) else []


def _take(records) -> list[list[str]]:
    """The records, stopping as soon as there are more than any allowed file holds."""
    table, filled = [], 0
    for record in records:
        table.append(record)
        filled += any((cell or "").strip() for cell in record)
        if filled > MAX_ROWS + HEADER_SEARCH_ROWS:
            raise StaffFileError("too-many-rows", limit=MAX_ROWS)
        if len(table) > MAX_RECORDS:
            raise StaffFileError("too-many-blank-rows", limit=MAX_RECORDS)
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def header_key(text: str) -> str:
    """ "Số điện thoại" and "so_dien_thoai" alike become "so dien thoai"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.replace("_", " ").lower().split())


def _sheet(table: list[list[str]]) -> StaffSheet:
    lookup = {name: key for key, names in HEADER_NAMES.items() for name in names}
    for index, record in enumerate(table[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, text in enumerate(record):
            key = lookup.get(header_key(text or ""))
            if key and key in found:
                raise StaffFileError("same-column-twice", column=clean(text), row=index + 1)
            if key:
                found[key] = position
        if len(found) >= 2:  # this is the header row, possibly with columns missing
            break
    else:
        raise StaffFileError("no-header")
    missing = [name for name in FIELDS if name not in found]
    if missing:
        raise StaffFileError("missing-columns", fields=missing, row=index + 1)
    columns = {name: Column(_column_letter(position), clean(table[index][position]))
               for name, position in found.items()}
    rows = []
    for number, record in enumerate(table[index + 1:], start=index + 2):
        if not any((cell or "").strip() for cell in record):
            continue
        if len(rows) == MAX_ROWS:
            raise StaffFileError("too-many-rows", limit=MAX_ROWS)
        cells = {name: clean(record[position]) if position < len(record) else ""
                 for name, position in found.items()}
        rows.append(StaffRow(number, **cells))
    if not rows:
        raise StaffFileError("no-rows")
    return StaffSheet(tuple(rows), columns)


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# Carrying a checked sheet from the dry run to the confirmation -------------------------------

def encode_sheet(sheet: StaffSheet) -> str:
    """Compact text for a hidden form field; the confirmation checks everything again."""
    payload = {"columns": {name: [column.letter, column.header]
                           for name, column in sheet.columns.items()},
               "rows": [[row.row, row.full_name, row.identifier, row.unit_code, row.position]
                        for row in sheet.rows]}
    packed = zlib.compress(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return base64.urlsafe_b64encode(packed).decode("ascii")


def decode_sheet(text: str) -> StaffSheet:
    try:
        unpacker = zlib.decompressobj()
        packed = base64.urlsafe_b64decode(text.encode("ascii"))
        unpacked = unpacker.decompress(packed, MAX_FILE_BYTES)
        if unpacker.unconsumed_tail:
            raise ValueError("too big")
        payload = json.loads(unpacked)
        columns = {name: Column(*payload["columns"][name]) for name in FIELDS}
        rows = tuple(StaffRow(int(number), *map(str, cells))
                     for number, *cells in payload["rows"][:MAX_ROWS])
    except (ValueError, TypeError, KeyError, OverflowError, zlib.error, binascii.Error,
            UnicodeError):
        raise StaffFileError("not-a-table") from None
    if not rows:
        raise StaffFileError("no-rows")
    return StaffSheet(rows, columns)


# Planning and applying --------------------------------------------------------------------------

def _identifier(raw: str) -> Identifier:
    digits = re.sub(r"[\s.\-()]", "", raw)
    return parse_identifier("0" + digits if LOST_LEADING_ZERO.match(digits) else raw)


def needs_code(user: User, now: datetime) -> bool:
    """Not yet activated, and holding no code that still works."""
    return user.password_hash == NOT_ACTIVATED and (
        user.activation_code_hash is None or user.activation_expires_at is None
        or _as_utc(user.activation_expires_at) <= now)


def parse_decisions(fields) -> dict[int, str]:
    """{row: "update" or "skip"} from the dry-run form's "decide-<row>" fields; others ignored."""
    decisions = {}
    for name, value in fields:
        number = name.removeprefix("decide-")
        if name.startswith("decide-") and number.isascii() and number.isdigit() \
                and len(number) < 8 and value in DECISIONS:
            decisions[int(number)] = value
    return decisions


def _name_key(name: str) -> str:
    return header_key(name or "")


def plan_staff_import(session: Session, sheet: StaffSheet, uploader: User,
                      now: datetime | None = None,
                      decisions: dict[int, str] | None = None) -> StaffPlan:
    """What importing `sheet` would do for each row, as `uploader` may; writes nothing.
    `decisions` are the manager's choices for rows whose account may not be this person."""
    decisions = decisions or {}
    now = now or datetime.now(timezone.utc)
    codes = {row.unit_code for row in sheet.rows if row.unit_code}
    units = {unit.code: unit for unit in
             session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))} if codes else {}
    identifiers = {}
    for row in sheet.rows:
        try:
            identifiers[row.row] = _identifier(row.identifier)
        except AccountError as error:
            identifiers[row.row] = error
    accounts = _accounts(session, [i for i in identifiers.values() if isinstance(i, Identifier)])
    seen: dict[str, int] = {}
    planned = []
    for row in sheet.rows:
        problems = []
        if not row.full_name:
            problems.append(RowProblem("full_name", "empty-name"))
        elif len(row.full_name) > 200:
            problems.append(RowProblem("full_name", "too-long", {"limit": 200}))
        if len(row.position) > 200:
            problems.append(RowProblem("position", "too-long", {"limit": 200}))
        unit = units.get(row.unit_code)
        if not row.unit_code:
            problems.append(RowProblem("unit_code", "empty-unit"))
        elif unit is None:
            problems.append(RowProblem("unit_code", "unknown-unit", {"code": row.unit_code}))
        elif not access.can_see_unit(session, uploader, unit):
            problems.append(RowProblem("unit_code", "unit-out-of-scope", {"code": row.unit_code}))
            unit = None  # its name is not the uploader's to see
        identifier, user = identifiers[row.row], None
        if isinstance(identifier, AccountError):
            problems.append(RowProblem("identifier", "empty-identifier" if not row.identifier
                                       else identifier.code))
            identifier = None
        else:
            if identifier.value in seen:
                problems.append(RowProblem("identifier", "duplicate",
                                           {"row": seen[identifier.value]}))
            seen.setdefault(identifier.value, row.row)
            user = accounts.get(identifier)
            # A manager must not pull someone out of a unit they do not manage, nor take in
            # an account that belongs to no unit (an administrator, say): only admins may.
            if user is not None and not (
                    access.can_see_unit(session, uploader, user.org_unit) if user.org_unit
                    else access.scope_path(session, uploader) == ""):
                problems.append(RowProblem("identifier", "person-out-of-scope"))
            elif user is not None and not access.may_change_person(uploader, user):
                problems.append(RowProblem("identifier", "person-above-your-role"))
        planned.append(_planned_row(row, problems, unit, identifier, user, now,
                                    decisions.get(row.row)))
    return StaffPlan(tuple(planned), sheet.columns)


def _accounts(session: Session, identifiers: list[Identifier]) -> dict[Identifier, User]:
    """The existing accounts among `identifiers`, in two queries rather than one per row."""
    found = {}
    for kind, column in (("phone", User.phone), ("email", User.email)):
        values = [i.value for i in identifiers if i.kind == kind]
        for start in range(0, len(values), 500):
            query = (select(User).where(column.in_(values[start:start + 500]))
                     .options(selectinload(User.org_unit)))
            found.update({Identifier(kind, getattr(user, kind)): user
                          for user in session.scalars(query)})
    return found


def conflicts_of(user: User, row: StaffRow, identifier: Identifier) -> tuple[str, ...]:
    """Why an existing account may belong to someone else than the person on this row."""
    proven = user.phone_proven_at if identifier.kind == "phone" else user.email_proven_at
    return tuple(name for name, found in (
        ("name-differs", _name_key(user.full_name) != _name_key(row.full_name)),
        # Signed up by someone (not imported), with a number or address never proven.
        ("unproven", user.audience != AUDIENCE and user.password_hash != NOT_ACTIVATED
         and proven is None)) if found)


def _planned_row(row: StaffRow, problems: list[RowProblem], unit: OrgUnit | None,
                 identifier: Identifier | None, user: User | None, now: datetime,
                 decision: str | None = None) -> PlannedRow:
    unit_name = unit.name if unit else ""
    if problems:
        return PlannedRow(row, "error", problems=tuple(problems), unit_name=unit_name)
    if user is None:
        return PlannedRow(row, "create", unit_id=unit.id, unit_name=unit_name,
                          identifier=identifier, issue_code=True)
    conflicts = conflicts_of(user, row, identifier)
    # Taking over an unproven account: whoever signed up with the number loses it; the person
    # on the list activates it with a new code.
    takeover = "unproven" in conflicts
    changes = tuple(name for name, differs in (
        ("unit", user.org_unit_id != unit.id),
        ("position", (user.position or "") != row.position),
        ("audience", user.audience != AUDIENCE),
        ("code", takeover or needs_code(user, now)),
        ("takeover", takeover)) if differs)
    if conflicts and decision not in DECISIONS:
        action = "decide"
    elif conflicts and decision == "skip":
        action = "skipped"
    else:
        action = "update" if changes else "unchanged"
    return PlannedRow(row, action, changes, user_id=user.id, unit_id=unit.id,
                      unit_name=unit_name, identifier=identifier,
                      issue_code="code" in changes, conflicts=conflicts,
                      account_name=user.full_name)


def apply_staff_import(session: Session, plan: StaffPlan, actor: audit.Actor,
                       now: datetime | None = None) -> list[IssuedCode]:
    """Creates and updates the accounts of a valid plan; returns the new codes, in clear, once."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    now = now or datetime.now(timezone.utc)
    issued = []
    for row in plan.rows:
        if row.action in ("unchanged", "skipped"):
            continue
        if row.action == "create":
            user = User(full_name=row.source.full_name, password_hash=NOT_ACTIVATED,
                        session_token=secrets.token_hex(16),
                        **{row.identifier.kind: row.identifier.value})
            session.add(user)
        else:
            user = session.get(User, row.user_id)
        if "takeover" in row.changes:  # now the account of the person on the list
            user.password_hash, user.full_name = NOT_ACTIVATED, row.source.full_name
            end_all_sessions(user)
        user.org_unit_id, user.audience = row.unit_id, AUDIENCE
        user.position = row.source.position or None
        session.flush()
        audit.record(session, actor, "staff-imported", subject=user, now=now,
                     details={"action": row.action, "unit": row.unit_name,
                              "position": user.position, "decided": list(row.conflicts),
                              "takeover": "takeover" in row.changes})
        if row.issue_code:
            code = issue_activation_code(user, now)
            issued.append(IssuedCode(user.full_name, row.source.identifier, row.unit_name,
                                     f"{code[:4]} {code[4:]}", user.activation_expires_at))
            audit.record(session, actor, "activation-code-issued", subject=user, now=now,
                         details={"expires_at": user.activation_expires_at.isoformat()})
    session.flush()
    return issued


# Activation -----------------------------------------------------------------------------------

def issue_activation_code(user: User, now: datetime | None = None) -> str:
    """A new 8-digit code for `user`, kept only as a hash; the clear code is returned once."""
    code = f"{secrets.randbelow(10 ** 8):08d}"
    user.activation_code_hash = HASHER.hash(code)
    user.activation_expires_at = (now or datetime.now(timezone.utc)) + CODE_VALID_FOR
    return code


def activate(session: Session, identifier: str, code: str, password: str,
             now: datetime | None = None) -> User:
    """Sets the first password of an imported account; the code then stops working.

    Raises AccountError("code", "wrong-code") for an unknown account, a wrong, used or
    expired code alike, so the answer does not tell who has an account.
    """
    now = now or datetime.now(timezone.utc)
    parsed, user = account_typed(session, identifier)
    # Checked against what was typed, not the account found, so the answer reveals no one.
    check_new_password(password, **({parsed.kind: parsed.value} if parsed else {}))
    usable = (user is not None and user.activation_code_hash is not None
              and user.activation_expires_at is not None
              and _as_utc(user.activation_expires_at) > now)
    digits = re.sub(r"[\s.\-]", "", code or "")
    try:
        HASHER.verify(user.activation_code_hash if usable else _DUMMY_CODE_HASH, digits)
    except (VerificationError, InvalidHashError):
        usable = False
    if not usable:
        raise AccountError("code", "wrong-code")
    user.password_hash = hash_password(password)
    user.activation_code_hash = user.activation_expires_at = None
    end_all_sessions(user)
    return user


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
