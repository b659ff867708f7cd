"""Reading a staff list (CSV or XLSX) into rows, within bounds a hostile file cannot pass."""
from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime


from lms.campaign.unit_import import clean


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
# A province imports its staff in files of this size; confirming one takes about a second
# (benchmarks/staff_import.py).
MAX_ROWS = 1000
HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in office sheets
MAX_RECORDS = 20 * MAX_ROWS  # blank lines included: a sheet formatted down to row 1,048,576
FIELDS = ("full_name", "identifier", "unit_code", "position")
# Optional: HR's own number for the person, which tells two "Nguyễn Văn Thành" apart.
OPTIONAL_FIELDS = ("staff_number",)
# Header names as people write them, compared without accents, case, spaces or underscores.
HEADER_NAMES = {
    "full_name": ("full name", "name", "ho va ten", "ho ten"),
    "identifier": ("phone or email", "phone", "email", "mobile", "so dien thoai hoac email",
                   "so dien thoai", "dien thoai", "sdt", "email hoac so dien thoai"),
    "unit_code": ("unit code", "ma don vi", "ma dv"),
    "position": ("position", "chuc vu", "chuc danh"),
    "staff_number": ("staff number", "personal number", "employee number", "ma can bo",
                     "ma so can bo", "so hieu can bo", "ma nhan vien", "ma ca nhan"),
}
# Excel stores 0912345678 typed in a number cell as 912345678.


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
    staff_number: str = ""


@dataclass(frozen=True)
class Column:
    letter: str  # A, B, ... as the spreadsheet shows it
    header: str  # as written in the file


@dataclass(frozen=True)
class StaffSheet:
    rows: tuple[StaffRow, ...]
    columns: dict[str, Column]  # field name -> where it is in the file


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
        cells.setdefault("staff_number", "")
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
               "rows": [[row.row, row.full_name, row.identifier, row.unit_code, row.position,
                         row.staff_number] for row in sheet.rows]}
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
        columns.update({name: Column(*payload["columns"][name]) for name in OPTIONAL_FIELDS
                        if name in payload["columns"]})
        rows = tuple(StaffRow(int(number), *map(str, cells))
                     for number, *cells in payload["rows"][:MAX_ROWS])
    except (ValueError, TypeError, KeyError, OverflowError, zlib.error, binascii.Error,
            UnicodeError):
        raise StaffFileError("not-a-table") from None
    if not rows:
        raise StaffFileError("no-rows")
    return StaffSheet(rows, columns)
