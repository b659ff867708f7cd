"""The audit trail: staff actions that change or reveal someone else's record. Append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.models.base import Base
from lms.models.user import utc_now


class AuditEntry(Base):
    """Who did what, to whom, when and from where.

    No foreign keys on purpose: an entry outlives the accounts and units it names (a deleted
    account leaves its id and the name it had), and database triggers refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_unit_path_at", "unit_path", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(200))  # "command line" for flask commands
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_user_id: Mapped[int | None] = mapped_column(index=True)
    subject_name: Mapped[str | None] = mapped_column(String(200))
    # The unit the action is about (a person's unit, an assignment's unit), as a path:
    # managers read the entries under their own unit.
    unit_path: Mapped[str | None] = mapped_column(String(400))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
