"""Certificates: one per learner and course or program, with their stored PDFs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base
from lms.models.user import User, utc_now

CERTIFICATE_KINDS = ("course", "program")


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        # One valid certificate per person and course or program; a revoked one may be
        # followed by a new one (services/record.py), so the rule excludes revoked rows.
        Index("uq_certificates_valid", "user_id", "kind", "subject_slug", unique=True,
              sqlite_where=text("revoked_at IS NULL"), postgresql_where=text("revoked_at IS NULL")),
        # Reports count holders per course or program, and per day of issue.
        Index("ix_certificates_kind_subject_issued", "kind", "subject_slug", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the public verification page is found by: random, unguessable, read aloud easily.
    code: Mapped[str] = mapped_column(String(32), unique=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject_slug: Mapped[str] = mapped_column(String(100), index=True)
    # Snapshots, so the certificate still says what it said if the course is edited later.
    holder_name: Mapped[str] = mapped_column(String(200))
    titles: Mapped[dict] = mapped_column(JSON)  # {"vi": ..., "en": ...}
    competences: Mapped[list] = mapped_column(JSON)  # ["4.2", ...]
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now,
                                                index=True)
    reissued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship()
    pdfs: Mapped[list[CertificatePdf]] = relationship(back_populates="certificate",
                                                      cascade="all, delete-orphan")


class CertificatePdf(Base):
    """A rendered PDF, stored once; a re-issue adds new ones and keeps the old hashes findable."""

    __tablename__ = "certificate_pdfs"
    __table_args__ = (
        # Two processes drawing the same certificate store one current file per language.
        Index("uq_certificate_pdfs_current", "certificate_id", "language", unique=True,
              sqlite_where=text("current"), postgresql_where=text("current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"),
                                                index=True)
    language: Mapped[str] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)

    certificate: Mapped[Certificate] = relationship(back_populates="pdfs")
