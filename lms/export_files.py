"""Export files: CSV streamed with a BOM and formula-safe cells, XLSX written lean. Any area that
offers a download (reports, the audit trail) writes it through here."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from typing import Iterable, Iterator
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from lms.i18n import format_day

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
    if isinstance(value, date):  # Vietnam's day, written as the reader's language writes it
        return format_day(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


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


def xlsx_bytes(header: list[str], rows: Iterable[list], title: str) -> bytes:
    """A workbook written row by row (write-only mode keeps memory flat); dates stay dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE_FORBIDDEN.sub("-", title)[:31] or "-")

    def cell(value):
        if isinstance(value, date):  # a real date, shown day first
            dated = WriteOnlyCell(sheet, value)
            dated.number_format = "dd/mm/yyyy"
            return dated
        # openpyxl stores any text starting with "=" as a formula; text must stay text.
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value)
        text.data_type = "s"
        return text

    sheet.append([cell(value) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
