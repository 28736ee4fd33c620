"""The shift handover's table (services/handover.py, store/handover.py): one row per published handover.

Apart from store/models.py by job; store/models.py imports this module, so Base.metadata (Alembic,
the tests) always holds the table. `content` is the JSON snapshot of what the outgoing captain saw
(domain/handover.content_json), so a handover read back later shows what was handed over, not
today's queue. `version` moves on every change (SQLAlchemy's version counter) and the acknowledgement
is written with `acknowledged_at IS NULL` in its WHERE clause, so two acknowledgements never both win.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class Handover(Base):
    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict] = mapped_column(JSON)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
