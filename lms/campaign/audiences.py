"""Who a campaign counts: its audiences and age groups.

An assignment or a target names its audience: citizens, civil servants or both. The subject's
declared audience (a program's or course's `audience:` in its file) decides which are allowed.
"""
from __future__ import annotations

from sqlalchemy import case, literal_column

from lms.models import User


AUDIENCES = ("citizen", "civil-servant")
BOTH = "both"
AUDIENCE_CHOICES = (*AUDIENCES, BOTH)
AGE_GROUPS = ("under-30", "30-44", "45-59", "60-plus", "unknown")


def named(audience: str) -> tuple[str, ...]:
    """The audiences an assignment's or target's `audience` names."""
    return AUDIENCES if audience == BOTH else (audience,) if audience in AUDIENCES else ()


def allowed(declared: tuple[str, ...], audience: str) -> bool:
    """Whether a subject declared for `declared` may be assigned or targeted at `audience`."""
    return bool(named(audience)) and set(named(audience)) <= set(declared)


def reached(declared: tuple[str, ...] | None, audience: str) -> tuple[str, ...]:
    """Who is counted: the named audiences the subject is for (all named if it is unknown).

    Assignments made before audiences existed say "both"; this narrows them to what the
    program allows, so the civil-servant program never reaches a citizen.
    """
    return tuple(a for a in named(audience) if declared is None or a in declared)


def chosen(declared: tuple[str, ...], audience: str) -> str:
    """The audience to store: as chosen, or (chosen "") everyone the subject is declared for."""
    if audience:
        return audience
    return BOTH if set(AUDIENCES) <= set(declared) else (declared[0] if declared else "")


def age_group(this_year: int):
    # Literal years (not bound parameters) so PostgreSQL sees one expression to group by.
    # Small integers (indexes into AGE_GROUPS) group faster than text on a million rows.
    year = User.birth_year
    return case((year.is_(None), literal_column("4")),
                (year > literal_column(str(this_year - 30)), literal_column("0")),
                (year > literal_column(str(this_year - 45)), literal_column("1")),
                (year > literal_column(str(this_year - 60)), literal_column("2")),
                else_=literal_column("3"))
