"""`list` and `show` on SQLite without SQLAlchemy: the same SQL text, the same rows, plain sqlite3.

A reading command is a whole process, and importing SQLAlchemy and mapping the models costs
several times a bare Python start (README, Performance). On a current SQLite file (the runtime
checked its schema revision with plain sqlite3) `list` and `show` read through this module
instead: `queue_sql` writes the statement store/queries._page_statement compiles for SQLite,
word for word and with its parameters in the same order (tests/store/test_plainsql.py compiles
both for every filter the CLI can set), and rows are built by the names their columns are
labelled with (store/rows.QUEUE_ROW_FIELDS). `incident_detail` reads the same columns
store/queries.incident_detail reads into the same store/views values.

Read-only: nothing here writes. A filter this module does not write (several groups, the
console's at-risk scopes) is `None`, and the caller takes the SQLAlchemy path. PostgreSQL
always takes that path.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.domain.keys import parse_key
from incidentdesk.store.fastpath import queue_rows, row_select_sql
from incidentdesk.store.problem_sql import links_of
from incidentdesk.store.rows import SORT_KEYS, Page, QueueFilter, utc_from_sqlite

if TYPE_CHECKING:
    from incidentdesk.store.views import IncidentDetail, TargetRecordView


def queue_sql(flt: QueueFilter, limit: int) -> tuple[str, list] | None:
    """The first page (`limit` rows and one more, to tell whether there are more) as SQL and
    parameters, exactly as SQLAlchemy compiles queries._page_statement(flt, "first", limit); None
    for a filter written only there."""
    if (limit < 0 or flt.groups or flt.waiting_vendor or flt.at_risk_before is not None or flt.at_risk_at is not None
            or flt.sort not in SORT_KEYS or (flt.folds and flt.expanded)):
        return None
    conds: list[str] = []
    params: list = []
    if flt.open_only and not flt.status:
        conds.append("incidents.is_open IS 1")
    if flt.major:
        conds.append("incidents.is_major IS 1")
    for name in ("status", "priority", "type"):
        value = getattr(flt, name)
        if value:
            conds.append(f"incidents.{name} = ?")
            params.append(value)
    if flt.group:
        conds.append("incidents.group_id = (SELECT groups.id \nFROM groups \nWHERE groups.name = ?)")
        params.append(flt.group)
    if flt.assignee:
        conds.append("incidents.assignee = ?")
        params.append(flt.assignee)
    if flt.unassigned:
        conds.append("incidents.assignee IS NULL")
    if flt.folds:
        conds.append("incidents.parent_id IS NULL")
    text = flt.text.strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conds.append("(lower(incidents.title) LIKE lower(?) ESCAPE '\\' OR lower(incidents.\"key\") LIKE lower(?) "
                     "ESCAPE '\\')")
        params += [like, like]
    names, desc = SORT_KEYS[flt.sort]
    order = ", ".join(f"incidents.{name} {'DESC' if desc else 'ASC'}" for name in names)
    where = f" \nWHERE {' AND '.join(conds)}" if conds else ""
    return f"{row_select_sql(flt.recurring_count, flt.recurring_days, flt.recurring_by_category)}{where} ORDER BY {order}\n LIMIT ? OFFSET ?", [*params, limit + 1, 0]


def queue_page(conn: sqlite3.Connection, flt: QueueFilter, limit: int) -> Page | None:
    """The filter's first `limit` rows, as queries.queue_page(db, flt, limit=limit); None: not written here."""
    statement = queue_sql(flt, limit)
    if statement is None:
        return None
    sql, params = statement
    conn.execute("BEGIN")
    try:
        rows = queue_rows(conn.execute(sql, params))
        if not rows and flt.group and conn.execute("SELECT 1 FROM groups WHERE name = ?", (flt.group,)).fetchone() is None:
            raise ValidationError(f"unknown group {flt.group!r}", field="group")
    finally:
        conn.execute("ROLLBACK")
    return Page(rows[:limit], len(rows) > limit)


# Columns of each table that are UTC datetimes, JSON or booleans (as store/models declares them).
_UTC = {"started_at", "created_at", "updated_at", "acknowledged_at", "resolved_at", "closed_at", "response_due_at",
        "resolution_due_at", "sla_due_at", "response_breached_at", "resolution_breached_at", "sla_paused_at",
        "next_sla_check_at", "last_alert_at", "major_declared_at", "at", "starts_at", "ends_at", "first_seen_at",
        "last_seen_at", "counted_from", "due_at", "breached_at", "superseded_at", "last_update_at", "next_update_due"}
_JSON = {"before", "after", "labels", "annotations", "causes"}
_BOOL = {"is_open", "is_major", "first_contact_resolution", "user_confirmed", "automatic"}


def _convert(name: str, value):
    if value is None:
        return None
    if name in _UTC:
        return utc_from_sqlite(value)
    if name in _JSON:
        return json.loads(value)
    if name in _BOOL:
        return bool(value)
    return value


def _select(conn: sqlite3.Connection, table: str, names, where: str, params: tuple, tail: str = "") -> list[dict]:
    columns = ", ".join(f'"{n}"' for n in names)
    cur = conn.execute(f"SELECT {columns} FROM {table} WHERE {where} {tail}", params)
    return [{n: _convert(n, v) for n, v in zip(names, raw, strict=True)} for raw in cur.fetchall()]


_EVENT = ("seq", "at", "actor", "real_actor", "kind", "text", "before", "after")
_ESCALATION = ("at", "actor", "kind", "from_group", "from_tier", "to_group", "to_tier", "to_person", "reason",
               "summary", "automatic")
_ALERT = ("source", "fingerprint", "status", "summary", "labels", "annotations", "generator_url", "starts_at",
          "ends_at", "first_seen_at", "last_seen_at", "occurrences")
_TARGET = ("target", "priority", "policy", "calendar", "counted_from", "due_at", "state", "breached_at",
           "superseded_at")


def read_detail(conn: sqlite3.Connection, number: int, *, timeline_limit: int | None = None) -> IncidentDetail | None:
    """One incident's detail as store/queries.incident_detail builds it, inside the caller's read
    transaction (None: no such incident). `show` and the console's first screen both read it here."""
    # Imported here: `list` reads only rows, and these dataclasses cost it ~12 ms of start-up.
    from incidentdesk.domain.pir import missing_parts
    from incidentdesk.store.views import ALERTS_SHOWN, DETAIL_FIELDS, AlertView, EscalationView, EventView, IncidentDetail

    found = _select(conn, "incidents", (*DETAIL_FIELDS, "group_id"), "id = ?", (number,))
    if not found:
        return None
    values = found[0]
    group_id = values.pop("group_id")
    group = conn.execute("SELECT name FROM groups WHERE id = ?", (group_id,)).fetchone() if group_id else None
    limit = f" LIMIT {int(timeline_limit)}" if timeline_limit else ""
    events = [EventView(**e) for e in _select(conn, "timeline_events", _EVENT, "incident_id = ?", (number,),
                                              "ORDER BY seq DESC" + limit)]
    escalations = [EscalationView(**e) for e in _select(conn, "escalations", _ESCALATION, "incident_id = ?",
                                                        (number,), "ORDER BY id")]
    alerts = [AlertView(**a) for a in _select(conn, "alerts", _ALERT, "incident_id = ?", (number,),
                                              f"ORDER BY last_seen_at DESC, id DESC LIMIT {ALERTS_SHOWN}")
              ] if values["alert_count"] else []
    last_update = None
    if values["last_update_at"] is not None:  # the previous stakeholder update's fields, as queries reads them
        update = _select(conn, "timeline_events", ("after",), "incident_id = ? AND kind = 'stakeholder_update'",
                         (number,), "ORDER BY seq DESC LIMIT 1")
        last_update = update[0]["after"] if update else None
    review = _select(conn, "pir_reviews", ("version", "summary", "causes"), "incident_id = ?", (number,))
    review = review[0] if review else {"version": 0, "summary": "", "causes": []}
    linked = links_of(lambda sql, params: conn.execute(sql, params).fetchall(), number, values["parent_id"],
                      values["ci"], values["category"])
    return IncidentDetail(**values, group=group[0] if group else None, timeline=events, escalations=escalations,
                          alerts=alerts, last_update=last_update, pir_version=review["version"],
                          pir_missing=tuple(missing_parts(review["summary"], review["causes"] or ())), **linked)


def incident_detail(conn: sqlite3.Connection, key: str, *, timeline_limit: int | None = None
                    ) -> tuple[IncidentDetail, list[TargetRecordView]]:
    """As queries.incident_detail and sla_records.target_history, in one read transaction."""
    from incidentdesk.store.views import TargetRecordView

    number = parse_key(key)
    conn.execute("BEGIN")
    try:
        detail = read_detail(conn, number, timeline_limit=timeline_limit)
        if detail is None:
            raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
        history = [TargetRecordView(**t) for t in _select(conn, "sla_target_history", _TARGET, "incident_id = ?",
                                                          (number,), "ORDER BY id")]
    finally:
        conn.execute("ROLLBACK")
    return detail, history
