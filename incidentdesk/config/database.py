"""`[database]`: which database (the URL) and how private a SQLite file must be."""

from __future__ import annotations

from typing import Annotated

from incidentdesk.config.base import Section, doc


class Database(Section):
    url: Annotated[str | None, doc(
        "sqlite:///path.db or postgresql+psycopg://user@host/db (--db and INCIDENTDESK_DATABASE_URL win; "
        "default: incidentdesk.db in the data dir)")] = None
    sqlite_group_shared: Annotated[bool, doc("a SQLite file may be 0660 (shared with its group) instead of 0600")] = False
