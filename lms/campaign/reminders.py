"""Who an assignment reaches, as exports count it (and the reminders of due dates will)."""
from __future__ import annotations



def reaches(assignment_id: int, assignment_unit_path: str | None, user_id: int,
            unit_path: str, audience: str, listed: set[tuple[int, int]]) -> bool:
    """Whether the assignment reaches this person (in the unit at `unit_path`, of `audience`).
    `listed` holds (assignment id, user id) for assignments made to listed people.

    SEAM: today's resolution (a unit assignment reaches everyone in the unit and below it);
    at the merge this calls the audience-aware rule of campaign/assignments.py instead.
    """
    if assignment_unit_path is not None:
        return unit_path.startswith(assignment_unit_path)
    return (assignment_id, user_id) in listed
