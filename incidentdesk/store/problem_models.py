"""Problem management's tables (services/problems.py): problems and the incidents linked to them.

Apart from store/models.py by job; store/models.py imports this module, so Base.metadata (Alembic,
the tests) always holds these tables. The incident's own links (a child of a parent, a duplicate
of another) are two columns on `incidents` (parent_id, link_kind): one incident folds under at most
one other, and the queue filters on them in its own statement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class Problem(Base):
    """A problem record, PRB-<id>; versioned so two editors never overwrite each other."""

    __tablename__ = "problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    statement: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    root_cause: Mapped[str] = mapped_column(Text, default="")
    workaround: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
    known_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the PIR follow-up it came from, if any ("INC-000123#2"): the review's follow-up names it back
    from_follow_up: Mapped[str | None] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ProblemIncident(Base):
    """An incident linked to a problem (an incident may be linked to several problems)."""

    __tablename__ = "problem_incidents"

    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    linked_by: Mapped[str] = mapped_column(String(64))
