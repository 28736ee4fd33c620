"""The console's first screen on SQLite without SQLAlchemy: the first page and its first incident's detail.

The console's first screen is the queue's first page *and* the selected (first) incident's
detail. Reading the page early (store/fastpath.py) but the detail through SQLAlchemy once it
is imported put the detail about 0.7 s behind the page. Here both are read in one read
transaction with plain sqlite3, at start-up, with the newest change id of the same snapshot
(the change feed starts there, so nothing committed after it is missed). The detail is read
by store/plainsql.read_detail, the same reader `show` uses; rows are built by their labels.
tests/store/test_fastdetail.py holds the result equal to store/queries.incident_detail.
Any error means "no fast path": the console then reads the detail the normal way.
"""

from __future__ import annotations

import sqlite3

from incidentdesk.store.fastpath import FIRST_PAGE_LIMIT, FIRST_PAGE_SQL, queue_rows
from incidentdesk.store.plainsql import read_detail
from incidentdesk.store.rows import Page
from incidentdesk.store.views import IncidentDetail

__all__ = ["read_detail", "read_first_screen"]


def read_first_screen(conn: sqlite3.Connection, *, timeline_limit: int = 500
                      ) -> tuple[Page, IncidentDetail | None, int]:
    """The default queue's first page, its first incident's detail and the newest change id: one snapshot."""
    conn.execute("BEGIN")
    try:
        rows = queue_rows(conn.execute(FIRST_PAGE_SQL))
        detail = read_detail(conn, rows[0].id, timeline_limit=timeline_limit) if rows else None
        last_change = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM change_log").fetchone()[0])
    finally:
        conn.execute("ROLLBACK")
    return Page(rows[:FIRST_PAGE_LIMIT], len(rows) > FIRST_PAGE_LIMIT), detail, last_change
