"""The on-call tables (services/oncall.py writes them, store/oncall.py reads them).

One rotation per support group, its members in order, and the overrides laid over it (a swap
is two override rows naming each other in `pair_id`). Overrides are never deleted: removing one
stamps `removed_at`/`removed_by`, so who covered what stays readable and the directory trail
(store/audit.py) can hold every row to its record. Apart from store/models.py by job;
store/models.py imports this module so Base.metadata always holds these tables.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class OncallRotation(Base):
    """A group's rotation: daily or weekly handoffs at a local time in an IANA zone (domain/oncall.py)."""

    __tablename__ = "oncall_rotations"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    cadence: Mapped[str] = mapped_column(String(10), default="weekly")
    handoff_weekday: Mapped[int] = mapped_column(Integer, default=0)
    handoff_time: Mapped[str] = mapped_column(String(5), default="09:00")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    start_date: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))

    members: Mapped[list[OncallMember]] = relationship(cascade="all, delete-orphan", order_by="OncallMember.position")


class OncallMember(Base):
    __tablename__ = "oncall_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    login: Mapped[str] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("rotation_id", "position", name="uq_oncall_members_rotation_position"),)


class OncallOverride(Base):
    """`person` covers [starts_at, ends_at) instead of whoever is scheduled; newest (highest id) wins."""

    __tablename__ = "oncall_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    rotation_id: Mapped[int] = mapped_column(ForeignKey("oncall_rotations.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(10), default="override")
    reason: Mapped[str] = mapped_column(Text, default="")
    pair_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_oncall_overrides_rotation_end", "rotation_id", "ends_at"),)
