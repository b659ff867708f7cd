"""Export column headings and coded cells in the reader's language; the files themselves:
lms/export_files.py."""
from __future__ import annotations

from typing import Iterable, Iterator

from flask_babel import gettext as _

from lms.content import Catalog
from lms.campaign.exports import Column
from lms.campaign.reports.labels import AUDIENCE_LABELS, STATE_LABELS, UNIT_KIND_LABELS
from lms.export_files import day_month_year

# Columns whose cells hold a code (citizen, ward, overdue) rather than what people read.
CODED = {"audience": AUDIENCE_LABELS, "kind": UNIT_KIND_LABELS,
         "assignment_status": STATE_LABELS}


def readable_rows(columns: list[Column], rows: Iterable[list]) -> Iterator[list]:
    """The rows with each coded cell in the reader's language."""
    # Each label translated once per export, not once per cell of a million rows.
    coded = [(index, {code: str(label) for code, label in CODED[column.key].items()})
             for index, column in enumerate(columns) if column.key in CODED]
    for row in rows:
        for index, labels in coded:
            if row[index] in labels:
                row[index] = labels[row[index]]
        yield row


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
        "staff_number": _("Staff number"), "contact": _("Phone or email"),
    }
    if column.key == "assignment_status":
        return _("%(subject)s, due %(date)s: status", subject=title,
                 date=day_month_year(column.due_on))
    return labels[column.key]
