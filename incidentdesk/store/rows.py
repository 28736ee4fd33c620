"""The queue's plain value types, importable without SQLAlchemy.

The console shows its first page before SQLAlchemy is imported (see store/fastpath.py), so
the filter, the row and the page live here; store/queries.py re-exports them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime

PAGE_SIZE = 100

# sort name -> (QueueRow fields that make the keyset cursor, descending). store/queries.SORTS
# holds the same columns as SQLAlchemy expressions; a test keeps the two in step.
SORT_KEYS: dict[str, tuple[tuple[str, ...], bool]] = {
    "priority": (("priority", "sla_due_at", "id"), False),
    "newest": (("created_at", "id"), True),
    "updated": (("updated_at", "id"), True),
    "due": (("sla_due_at", "id"), False),
}


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. Empty fields do not filter."""

    open_only: bool = True
    status: str | None = None
    priority: int | None = None
    group: str | None = None
    groups: tuple[str, ...] = ()
    assignee: str | None = None
    unassigned: bool = False
    at_risk_before: datetime | None = None
    at_risk_at: datetime | None = None  # at risk or breached as of this instant (recorded or pending)
    text: str = ""
    type: str | None = None
    sort: str = "priority"
    major: bool = False  # major incidents only


@dataclass(frozen=True)
class QueueRow:
    id: int
    key: str
    type: str
    priority: int
    impact: str
    urgency: str
    severity: str
    status: str
    title: str
    assignee: str | None
    group: str | None
    tier: int
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None
    response_due_at: datetime
    resolution_due_at: datetime
    sla_due_at: datetime
    version: int
    response_sla_state: str = "on_track"
    resolution_sla_state: str = "on_track"
    sla_paused_at: datetime | None = None
    next_sla_check_at: datetime | None = None
    is_open: bool = True
    is_major: bool = False
    category: str | None = None   # with priority and type: the SLA policy, so the calendar a countdown counts on

    def cursor(self, sort: str = "priority") -> tuple:
        names, _ = SORT_KEYS[sort]
        return tuple(getattr(self, name) for name in names)


# The row's one declaration is QueueRow above: these are its field names, in order. Every reader
# labels its SQL columns with them (store/queries._ROW_COLUMNS, the plain-SQL text in
# store/fastpath.py) and builds rows by name (queue_row), never by position.
QUEUE_ROW_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(QueueRow))
UTC_FIELDS = ("created_at", "updated_at", "acknowledged_at", "response_due_at", "resolution_due_at",
              "sla_due_at", "sla_paused_at", "next_sla_check_at")  # the UTCDateTime columns
BOOL_FIELDS = ("is_open", "is_major")  # SQLite returns 0/1 for these


def queue_row(values) -> QueueRow:
    """A QueueRow from a mapping of field name -> value (an SQLAlchemy Row's `_mapping`, a dict).

    A column missing or extra is a KeyError/TypeError here, not a shifted value.
    """
    return QueueRow(**{name: values[name] for name in QUEUE_ROW_FIELDS})


def queue_row_from_sqlite(names: tuple[str, ...], raw: tuple) -> QueueRow:
    """A QueueRow from a plain sqlite3 row and its cursor's column names (labels), as the SQLAlchemy
    path would have converted it: UTC text to aware datetimes, 0/1 to bools."""
    values = dict(zip(names, raw, strict=True))
    for name in UTC_FIELDS:
        values[name] = utc_from_sqlite(values[name])
    for name in BOOL_FIELDS:
        values[name] = bool(values[name])
    return queue_row(values)


@dataclass(frozen=True)
class Page:
    rows: list[QueueRow]
    has_more: bool


def row_to_json(row: QueueRow) -> dict:
    return {
        "key": row.key, "title": row.title, "type": row.type, "status": row.status, "priority": f"P{row.priority}",
        "impact": row.impact, "urgency": row.urgency, "severity": row.severity, "assignee": row.assignee, "group": row.group, "tier": row.tier,
        "created_at": row.created_at.isoformat(), "sla_due_at": row.sla_due_at.isoformat(), "version": row.version,
        "is_major": row.is_major,
    }


def utc_from_sqlite(value):
    """A UTC column's value as SQLite stores it (naive UTC text) -> an aware UTC datetime.

    Shared by store/types.UTCDateTime (the SQLAlchemy path) and store/fastpath (plain sqlite3),
    so both read the same text the same way.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # text with its own offset, or some other shape
            value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
