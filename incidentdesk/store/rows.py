"""The queue's plain value types, importable without SQLAlchemy.

The console shows its first page before SQLAlchemy is imported (see store/fastpath.py), so
the filter, the row and the page live here; store/queries.py re-exports them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# sort name -> (QueueRow fields that make the keyset cursor, descending): the domain's
# (domain/queue_view); store/queries.SORTS holds the same columns as SQLAlchemy expressions.
from incidentdesk.domain.queue_view import SORT_KEYS  # re-exported

__all__ = ["PAGE_SIZE", "SORT_KEYS", "Page", "QueueFilter", "QueueRow", "utc_from_sqlite"]

PAGE_SIZE = 100


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


@dataclass(frozen=True)
class Page:
    rows: list[QueueRow]
    has_more: bool


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
