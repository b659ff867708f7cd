"""Export files: column headings in the reader's language, CSV streamed, XLSX written lean."""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from typing import Iterable, Iterator
from urllib.parse import quote

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from lms.content import Catalog
from lms.reports.labels import AUDIENCE_LABELS
from lms.services.completions import Column

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
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def attachment(filename: str) -> str:
    """A Content-Disposition value safe for any unit code: ASCII, plus the UTF-8 name."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", plain)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def heading(column: Column, catalog: Catalog, language: str) -> str:
    subject = (catalog.course(column.subject) or catalog.program(column.subject)
               if column.subject else None)
    title = subject.title(language) if subject else column.subject
    labels = {
        "name": _("Full name"), "unit_code": _("Unit code"), "unit": _("Unit"),
        "position": _("Position"), "audience": _("Audience"), "kind": _("Level"),
        "parent_code": _("Parent unit code"), "people": _("People"),
        "certified": _("Certified (any program)"), "certified_percent": _("Percentage certified"),
        "course_completed": _("%(course)s: completed on", course=title),
        "certificate_code": _("%(program)s: certificate code", program=title),
        "certified_on": _("%(program)s: certified on", program=title),
        "program_certified": _("%(program)s: certified", program=title),
        "audience_people": _("People: %(audience)s", audience=AUDIENCE_LABELS.get(
            column.subject, column.subject)),
    }
    return labels[column.key]


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
