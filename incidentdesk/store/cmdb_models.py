"""The CMDB's tables (services/cmdb.py, services/cmdb_import.py, store/cmdb.py): CIs, their dependencies, changes.

Apart from store/models.py by job; store/models.py imports this module so Base.metadata (Alembic,
the tests) holds them. Incidents keep the CI's *name* as text (`incidents.ci`): other areas read
it as is, so a CI's name is unique and an import never renames one. Text lengths match
domain/cmdb.CMDB_LIMITS.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class ConfigurationItem(Base):
    """An asset: a server, application, database, network device, laptop... (domain/cmdb.CIType)."""

    __tablename__ = "cis"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(24), default="other")
    service: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(100))        # a person's login or a group's name
    location: Mapped[str | None] = mapped_column(String(200))
    criticality: Mapped[str] = mapped_column(String(16), default="medium")
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class CIDependency(Base):
    """`ci_id` depends on `depends_on_id` (cycles are allowed: domain/cmdb.py says why)."""

    __tablename__ = "ci_dependencies"

    ci_id: Mapped[int] = mapped_column(ForeignKey("cis.id", ondelete="CASCADE"), primary_key=True)
    depends_on_id: Mapped[int] = mapped_column(ForeignKey("cis.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_ci_dependencies_depends_on", "depends_on_id"),)


class Change(Base):
    """A change record, CHG-000001: what was (or will be) changed on which CIs, when, by whom, at what risk."""

    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    ref: Mapped[str | None] = mapped_column(String(100), unique=True)   # the change tool's own id (imports)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default="planned")
    risk: Mapped[str] = mapped_column(String(8), default="medium")
    implementer: Mapped[str | None] = mapped_column(String(64))
    planned_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    planned_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class ChangeCI(Base):
    """A CI a change touches."""

    __tablename__ = "change_cis"

    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id", ondelete="CASCADE"), primary_key=True)
    ci_id: Mapped[int] = mapped_column(ForeignKey("cis.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_change_cis_ci", "ci_id"),)
