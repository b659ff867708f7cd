"""Organisation units: province -> commune/ward -> unit or residential group."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.models.base import Base

UNIT_KINDS = ("province", "commune", "ward", "special-zone", "unit", "group")


class OrgUnit(Base):
    __tablename__ = "org_units"
    __table_args__ = (
        # LIKE 'prefix%' uses an index on PostgreSQL only with pattern ops under a non-C locale.
        Index("ix_org_units_path_pattern", "path", postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    # Materialised path of ids ("/1/17/230/"): a whole subtree is one indexed prefix match,
    # which the campaign dashboards need over thousands of units.
    path: Mapped[str] = mapped_column(String(400), index=True)
    # What percentage targets count against (adult residents; civil servants), when known.
    expected_residents: Mapped[int | None]
    expected_civil_servants: Mapped[int | None]

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])
