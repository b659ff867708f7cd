"""The audit trail: every staff action that changes or reveals someone else's record.

Services that do such an action take the `Actor` and write the entry themselves, in the same
transaction as the change, so an action and its trace commit (or fail) together.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterator

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from lms.models import AuditEntry, OrgUnit, User
from lms.services.clock import day_start_utc, end_of_day_utc, now as clock_now
from lms.wording import N_, Gettext, in_english

ACTIONS = (
    "certificate-revoked", "certificate-reissued", "role-granted", "staff-imported",
    "activation-code-issued", "assignment-created", "assignment-removed", "target-created",
    "target-removed", "units-imported", "personal-data-exported", "audit-exported",
    "content-published", "content-rolled-back", "publisher-granted", "publisher-revoked",
    "reset-code-issued", "password-reset", "unit-created", "unit-changed",
    # support points (lms/support): every helper action is here
    "support-point-saved", "support-point-closed", "learner-registered", "learner-card-issued",
    "learner-card-viewed", "learner-card-printed", "learner-card-revoked", "shared-device-started",
    "support-visit-logged",
)
PAGE_SIZE = 100
# What each action is called where the trail is read (the web's audit page, `flask audit`).
ACTION_WORDS = {
    "certificate-revoked": N_("Certificate revoked"),
    "certificate-reissued": N_("Certificate re-issued"),
    "role-granted": N_("Role granted"),
    "staff-imported": N_("Staff imported"),
    "activation-code-issued": N_("Activation code issued"),
    "assignment-created": N_("Training assigned"),
    "assignment-removed": N_("Assignment removed"),
    "target-created": N_("Target set"),
    "target-removed": N_("Target removed"),
    "units-imported": N_("Units imported"),
    "unit-created": N_("Unit created"),
    "unit-changed": N_("Unit changed"),
    "personal-data-exported": N_("Personal data exported"),
    "audit-exported": N_("Audit trail exported"),
    "content-published": N_("Course published"),
    "content-rolled-back": N_("Course version put back"),
    "publisher-granted": N_("Allowed to publish a course"),
    "publisher-revoked": N_("No longer allowed to publish a course"),
    "reset-code-issued": N_("Code to choose a new password given by staff"),
    "password-reset": N_("New password chosen with a code"),
    "support-point-saved": N_("Support point saved"),
    "support-point-closed": N_("Support point closed"),
    "learner-registered": N_("Person registered by a helper"),
    "learner-card-issued": N_("Learner card made"),
    "learner-card-viewed": N_("Learner card looked at"),
    "learner-card-printed": N_("Learner card printed"),
    "learner-card-revoked": N_("Learner card stopped"),
    "shared-device-started": N_("Shared device started at a point"),
    "support-visit-logged": N_("Support given, logged"),
}
COMMAND_LINE = N_("command line")  # who acts when an operator runs a flask command


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in staff member and their address, or an operator's command."""

    user_id: int | None
    name: str
    address: str | None

    @classmethod
    def of(cls, user: User, address: str | None) -> "Actor":
        return cls(user.id, user.full_name, address)

    @classmethod
    def command_line(cls) -> "Actor":
        return cls(None, COMMAND_LINE, None)


def actor_name(entry, gettext: Gettext = in_english) -> str:
    """Who acted, as stored; the command line (no account) in the reader's language."""
    return gettext(COMMAND_LINE) if entry.actor_id is None else entry.actor_name


def unit_path_of(session: Session, user: User | None) -> str | None:
    if user is None or user.org_unit_id is None:
        return None
    unit = session.get(OrgUnit, user.org_unit_id)
    return unit.path if unit else None


def record(session: Session, actor: Actor, action: str, *, subject: User | None = None,
           unit_path: str | None = None, details: dict | None = None,
           now: datetime | None = None) -> AuditEntry:
    """Adds one entry; `unit_path` defaults to the subject's unit, so its managers see it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(at=now or clock_now(), actor_id=actor.user_id, actor_name=actor.name,
                       address=actor.address, action=action,
                       subject_user_id=subject.id if subject else None,
                       subject_name=subject.full_name if subject else None,
                       unit_path=unit_path if unit_path is not None else unit_path_of(session,
                                                                                      subject),
                       details=details or {})
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    person: str | None = None  # part of the actor's or the subject's name
    since: date | None = None
    until: date | None = None


def entries(session: Session, prefix: str | None, wanted: AuditFilter = AuditFilter(),
            before_id: int | None = None, limit: int | None = PAGE_SIZE) -> list[AuditEntry]:
    """Entries newest first. `prefix`: "" for all (administrators), a unit path for the entries
    about that unit and below (managers), None for none."""
    query = _filtered(prefix, wanted)
    if query is None:
        return []
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    query = query.order_by(AuditEntry.id.desc())
    return list(session.scalars(query.limit(limit) if limit else query))


def all_entries(session: Session, prefix: str | None,
                wanted: AuditFilter = AuditFilter()) -> Iterator:
    """Every matching entry, oldest first, as plain rows read a few hundred at a time (for a
    streamed export: no objects tied to a session that the stream outlives)."""
    query = _filtered(prefix, wanted)
    if query is None:
        return
    columns = [AuditEntry.id, AuditEntry.at, AuditEntry.actor_name, AuditEntry.actor_id,
               AuditEntry.address, AuditEntry.action, AuditEntry.subject_name,
               AuditEntry.subject_user_id, AuditEntry.details]
    # A generator, so the query runs as the download is sent, in the stream's transaction.
    yield from session.execute(query.with_only_columns(*columns).order_by(AuditEntry.id)
                               .execution_options(yield_per=500))


def _filtered(prefix: str | None, wanted: AuditFilter):
    if prefix is None:
        return None
    query = select(AuditEntry)
    if prefix:
        query = query.where(AuditEntry.unit_path.startswith(prefix, autoescape=True))
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    if wanted.person:
        pattern = f"%{wanted.person.strip()}%"
        query = query.where(or_(AuditEntry.actor_name.ilike(pattern),
                                AuditEntry.subject_name.ilike(pattern)))
    if wanted.since:
        query = query.where(AuditEntry.at >= day_start_utc(wanted.since))
    if wanted.until:
        query = query.where(AuditEntry.at < end_of_day_utc(wanted.until))
    return query


def details_text(entry) -> str:
    return json.dumps(entry.details, ensure_ascii=False, sort_keys=True)
