"""The console's first screen on SQLite without SQLAlchemy: the first page and its first incident's detail.

The console's first screen is the queue's first page *and* the selected (first) incident's
detail. Reading the page early (store/fastpath.py) but the detail through SQLAlchemy once it
is imported put the detail about 0.7 s behind the page. Here both are read in one read
transaction with plain sqlite3, at start-up, with the newest change id of the same snapshot
(the change feed starts there, so nothing committed after it is missed).

Columns are taken by name from each cursor's description, never by position, and converted
as the ORM's column types do (UTC text -> aware datetimes, 0/1 -> bool, JSON text -> dict);
tests/store/test_fastdetail.py holds the result equal to store/queries.incident_detail.
Any error means "no fast path": the console then reads the detail the normal way.
"""

from __future__ import annotations

import json
import sqlite3

from incidentdesk.store.fastpath import FIRST_PAGE_LIMIT, FIRST_PAGE_SQL, _queue_row
from incidentdesk.store.rows import Page, utc_from_sqlite
from incidentdesk.store.views import ALERTS_SHOWN, DETAIL_FIELDS, AlertView, EscalationView, EventView, IncidentDetail

_UTC = frozenset({
    "started_at", "created_at", "updated_at", "acknowledged_at", "resolved_at", "closed_at", "response_due_at",
    "resolution_due_at", "sla_due_at", "response_breached_at", "resolution_breached_at", "sla_paused_at",
    "next_sla_check_at", "last_alert_at", "major_declared_at", "at", "starts_at", "ends_at", "first_seen_at",
    "last_seen_at",
})
_BOOL = frozenset({"is_open", "is_major", "first_contact_resolution", "user_confirmed", "automatic"})
_JSON = frozenset({"before", "after", "labels", "annotations"})

_INCIDENT_SQL = ("SELECT " + ", ".join(f"incidents.{f}" for f in DETAIL_FIELDS)
                 + ", groups.name AS group_name FROM incidents LEFT OUTER JOIN groups ON incidents.group_id = groups.id"
                 " WHERE incidents.id = ?")
_EVENTS_SQL = ("SELECT seq, at, actor, real_actor, kind, text, before, after FROM timeline_events"
               " WHERE incident_id = ? ORDER BY seq DESC LIMIT ?")
_ESCALATIONS_SQL = ("SELECT at, actor, kind, from_group, from_tier, to_group, to_tier, to_person, reason, summary,"
                    " automatic FROM escalations WHERE incident_id = ? ORDER BY id")
_ALERTS_SQL = ("SELECT source, fingerprint, status, summary, labels, annotations, generator_url, starts_at, ends_at,"
               " first_seen_at, last_seen_at, occurrences FROM alerts WHERE incident_id = ?"
               f" ORDER BY last_seen_at DESC, id DESC LIMIT {ALERTS_SHOWN}")


def _value(name: str, value):
    if value is None:
        return None
    if name in _UTC:
        return utc_from_sqlite(value)
    if name in _BOOL:
        return bool(value)
    if name in _JSON:
        return json.loads(value) if isinstance(value, str) else value
    return value


def _records(cursor: sqlite3.Cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [{n: _value(n, v) for n, v in zip(names, row)} for row in cursor.fetchall()]


def read_detail(conn: sqlite3.Connection, incident_id: int, *, timeline_limit: int = 500) -> IncidentDetail | None:
    """One incident's detail as store/queries.incident_detail returns it (None if there is no such incident)."""
    found = _records(conn.execute(_INCIDENT_SQL, (incident_id,)))
    if not found:
        return None
    values = found[0]
    group = values.pop("group_name")
    events = [EventView(**r) for r in _records(conn.execute(_EVENTS_SQL, (incident_id, timeline_limit)))]
    escalations = [EscalationView(**r) for r in _records(conn.execute(_ESCALATIONS_SQL, (incident_id,)))]
    alerts = ([AlertView(**r) for r in _records(conn.execute(_ALERTS_SQL, (incident_id,)))]
              if values["alert_count"] else [])
    return IncidentDetail(**values, group=group, timeline=events, escalations=escalations, alerts=alerts)


def read_first_screen(conn: sqlite3.Connection, *, timeline_limit: int = 500
                      ) -> tuple[Page, IncidentDetail | None, int]:
    """The default queue's first page, its first incident's detail and the newest change id: one snapshot."""
    conn.execute("BEGIN")
    try:
        rows = [_queue_row(r) for r in conn.execute(FIRST_PAGE_SQL).fetchall()]
        detail = read_detail(conn, rows[0].id, timeline_limit=timeline_limit) if rows else None
        last_change = int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM change_log").fetchone()[0])
    finally:
        conn.execute("ROLLBACK")
    return Page(rows[:FIRST_PAGE_LIMIT], len(rows) > FIRST_PAGE_LIMIT), detail, last_change
