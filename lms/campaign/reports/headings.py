"""Export column headings in the reader's language; the files themselves: lms/export_files.py."""
from __future__ import annotations

from flask_babel import gettext as _

from lms.content import Catalog
from lms.campaign.exports import Column
from lms.campaign.reports.labels import AUDIENCE_LABELS


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
