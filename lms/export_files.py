"""Export files: CSV streamed with a BOM and formula-safe cells, XLSX written lean. Any area that
offers a download (reports, the audit trail) writes it through here."""
from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
import unicodedata
from datetime import date, datetime
from typing import IO, Iterable, Iterator
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lms.services.clock import vietnam_date

# HR and reconciliation sheets want one date form whatever the language: 01/12/2026.
DATE_FORMAT = "%d/%m/%Y"
XLSX_DATE_FORMAT = "dd/mm/yyyy"
# Column widths, in characters, guessed from the first rows (write-only mode cannot measure
# the whole sheet, and a million rows should not be read twice).
WIDTH_SAMPLE_ROWS = 200
MAX_WIDTH = 60

# Excel opens at most 1,048,576 rows a sheet: with the header, this many people. A larger
# workbook is cut off or refused when opened, so it is never written: CSV has no such limit.
XLSX_MAX_ROWS = 1_048_575

# Excel only reads a CSV file as UTF-8 (and so shows Vietnamese) when it starts with a BOM.
BOM = "\ufeff"
# A cell starting with one of these is a formula to Excel or LibreOffice (OWASP "CSV
# Injection"): a name like =HYPERLINK(...) typed by anyone must stay text in an export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters a worksheet title may not contain.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def as_text(value):
    """A CSV cell that opens as the text it is: a leading quote stops a formula."""
    if value is None:
        return ""
    if isinstance(value, date):  # Vietnam's day
        return day_month_year(vietnam_day(value))
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def vietnam_day(value: date) -> date:
    """A stored moment (UTC) is written as the day it was in Vietnam: 23:30 UTC is tomorrow."""
    return vietnam_date(value) if isinstance(value, datetime) else value


def day_month_year(value: date) -> str:
    return value.strftime(DATE_FORMAT)


def attachment(filename: str) -> str:
    """A Content-Disposition value safe for any unit code: ASCII, plus the UTF-8 name."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The file as lines, produced as the rows arrive, so nothing waits for the whole export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([as_text(value) for value in header])
    yield BOM + take()
    for row in rows:
        writer.writerow([as_text(value) for value in row])
        yield take()


def xlsx_file(header: list[str], rows: Iterable[list], title: str) -> IO[bytes]:
    """A workbook written row by row into a temporary file (write-only mode keeps memory
    flat, so a province's million rows never sit in memory), rewound to be streamed: a bold,
    frozen header with filters, column widths from the first rows, real date cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE_FORBIDDEN.sub("-", title)[:31] or "-")
    bold = Font(bold=True)

    def cell(value, font=None):
        if isinstance(value, date):  # a real date, shown day first
            dated = WriteOnlyCell(sheet, vietnam_day(value))
            dated.number_format = XLSX_DATE_FORMAT
            return dated
        # openpyxl stores any text starting with "=" as a formula; text must stay text. Other
        # values go in plain: a cell object for each would double the time of a large export.
        if not isinstance(value, str) or (not value.startswith("=") and not font):
            return value
        text = WriteOnlyCell(sheet, value)
        text.data_type = "s"
        if font:
            text.font = font
        return text

    rows = iter(rows)
    first = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
    # Write-only sheets take their layout before the first row.
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [_shown_length(row[index - 1]) for row in first])
        sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    sheet.append([cell(value, bold) for value in header])
    count = 1
    for row in itertools.chain(first, rows):
        sheet.append([cell(value) for value in row])
        count += 1
    # Written after the rows (write-only mode writes it at the end), so it spans them all.
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(header), 1))}{count}"
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def _shown_length(value) -> int:
    if value is None:
        return 0
    return 10 if isinstance(value, date) else len(str(value))


def file_chunks(file: IO[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """A file's bytes in pieces, then closes it (a temporary file is then deleted)."""
    with file:
        while piece := file.read(size):
            yield piece
