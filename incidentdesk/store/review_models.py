"""The post-incident review's tables (services/pir.py, store/pir.py): the review, its highlights, its follow-ups.

Apart from store/models.py by job; store/models.py imports this module, so Base.metadata (Alembic,
the tests) always holds these tables.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class PirReview(Base):
    """A major incident's post-incident review (services/pir.py); versioned so two editors never overwrite."""

    __tablename__ = "pir_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    impact_duration: Mapped[str] = mapped_column(String(100), default="")
    impact_users: Mapped[str] = mapped_column(Text, default="")
    impact_services: Mapped[str] = mapped_column(Text, default="")
    slowed: Mapped[str] = mapped_column(Text, default="")
    missing: Mapped[str] = mapped_column(Text, default="")
    causes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    highlights: Mapped[list[PirHighlight]] = relationship(cascade="all, delete-orphan", order_by="PirHighlight.event_seq")
    follow_ups: Mapped[list[PirFollowUp]] = relationship(cascade="all, delete-orphan", order_by="PirFollowUp.number")

    __mapper_args__ = {"version_id_col": version}


class PirHighlight(Base):
    """A timeline event marked as a highlight of the review, with an optional note."""

    __tablename__ = "pir_highlights"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("pir_reviews.id", ondelete="CASCADE"))
    event_seq: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (UniqueConstraint("review_id", "event_seq", name="uq_pir_highlights_review_seq"),)


class PirFollowUp(Base):
    """A follow-up action of a review: numbered within it, with an owner (a known person) and a due date."""

    __tablename__ = "pir_follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("pir_reviews.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str] = mapped_column(String(64))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (UniqueConstraint("review_id", "number", name="uq_pir_follow_ups_review_number"),)
