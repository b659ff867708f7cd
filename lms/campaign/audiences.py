"""Who a campaign counts: its audiences and age groups."""
from __future__ import annotations

from sqlalchemy import case, literal_column

from lms.models import User


AUDIENCES = ("citizen", "civil-servant")
AGE_GROUPS = ("under-30", "30-44", "45-59", "60-plus", "unknown")


def age_group(this_year: int):
    # Literal years (not bound parameters) so PostgreSQL sees one expression to group by.
    # Small integers (indexes into AGE_GROUPS) group faster than text on a million rows.
    year = User.birth_year
    return case((year.is_(None), literal_column("4")),
                (year > literal_column(str(this_year - 30)), literal_column("0")),
                (year > literal_column(str(this_year - 45)), literal_column("1")),
                (year > literal_column(str(this_year - 60)), literal_column("2")),
                else_=literal_column("3"))
