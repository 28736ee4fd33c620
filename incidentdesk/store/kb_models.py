"""The knowledge base's tables (services/kb.py, store/kb_search.py): articles and their links to incidents.

Apart from store/models.py by job; store/models.py imports this module so Base.metadata holds them.
The search indexes are not here: they are each backend's own (an FTS5 table on SQLite, a generated
tsvector column with a GIN index on PostgreSQL), created by migration 0015_kb and kept in step by
triggers in the same transaction as the write (store/kb_search.py says which objects those are).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from incidentdesk.store.base import Base
from incidentdesk.store.types import UTCDateTime


class KbArticle(Base):
    """An article KB-…: Markdown body, the category and CI/service it is about, tags; versioned edits."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    slug: Mapped[str | None] = mapped_column(String(200), unique=True)  # the imported file's name
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(300))
    ci: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[str] = mapped_column(String(500), default="")
    author: Mapped[str] = mapped_column(String(64))
    source_incident: Mapped[str | None] = mapped_column(String(20))  # turned into an article from it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))
    helpful_count: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class KbLink(Base):
    """"This fixed it": an article that resolved an incident (first-contact-resolution analysis counts these)."""

    __tablename__ = "kb_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"), index=True)
    linked_by: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("incident_id", "article_id", name="uq_kb_links_incident_article"),)
