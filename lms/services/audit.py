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
        return cls(None, "command line", None)


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
