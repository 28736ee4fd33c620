"""The queue's plain value types, importable without SQLAlchemy.

The console shows its first page before SQLAlchemy is imported (see store/fastpath.py), so
the filter, the row and the page live here; store/queries.py re-exports them unchanged. They are
frozen msgspec Structs (defined in C: no methods generated and compiled at every start, as
dataclasses are); `msgspec.structs.replace` makes a changed copy.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

# sort name -> (QueueRow fields that make the keyset cursor, descending): the domain's
# (domain/queue_view); store/queries.SORTS holds the same columns as SQLAlchemy expressions.
from incidentdesk.domain.queue_view import SORT_KEYS  # re-exported

__all__ = ["PAGE_SIZE", "SORT_KEYS", "Page", "QueueFilter", "QueueRow", "utc_from_sqlite"]

PAGE_SIZE = 100


class QueueFilter(msgspec.Struct, frozen=True):
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
    waiting_vendor: bool = False  # on hold waiting for a vendor (domain/vendor.is_vendor_hold)
    # folding (domain/links.py): incidents folded under a parent are left out, except under these parents
    fold: bool = True
    expanded: tuple[int, ...] = ()
    # recurring detection (domain/recurring.py, [problems]): the row's ↻ flag
    recurring_count: int = 3
    recurring_days: int = 7
    recurring_by_category: bool = True

    @property
    def folds(self) -> bool:
        """Whether this view folds: the open queue unfiltered by text (a search finds children too)."""
        return self.fold and not self.text.strip() and not self.status


class QueueRow(msgspec.Struct, frozen=True):
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
    next_update_due: datetime | None = None   # a major incident's next stakeholder update (domain/major_cadence.py)
    recurring: bool = False        # domain/recurring.py, computed in SQL (store/recurring_sql.py)
    folded: int = 0                # open incidents folded under this one (its children and duplicates)
    parent_id: int | None = None   # the incident this one is folded under

    def cursor(self, sort: str = "priority") -> tuple:
        names, _ = SORT_KEYS[sort]
        return tuple(getattr(self, name) for name in names)


# The row's one declaration is QueueRow above: these are its field names, in order. Every reader
# labels its SQL columns with them (store/queries._ROW_COLUMNS, the plain-SQL text in
# store/fastpath.py) and builds rows by those labels (queue_rows), never by position.
QUEUE_ROW_FIELDS: tuple[str, ...] = QueueRow.__struct_fields__
UTC_FIELDS = ("created_at", "updated_at", "acknowledged_at", "response_due_at", "resolution_due_at",
              "sla_due_at", "sla_paused_at", "next_sla_check_at", "next_update_due")  # the UTCDateTime columns
BOOL_FIELDS = ("is_open", "is_major", "recurring")  # SQLite returns 0/1 for these


def _order(names) -> tuple[int, ...] | None:
    """Where each QueueRow field is among a result's column labels; None when they are in field order."""
    names = tuple(names)
    if sorted(names) != sorted(QUEUE_ROW_FIELDS):
        raise ValueError(f"a queue row needs exactly the columns {QUEUE_ROW_FIELDS}, not {names}")
    order = tuple(names.index(field) for field in QUEUE_ROW_FIELDS)
    return None if order == tuple(range(len(order))) else order


def queue_rows(names, raws) -> list[QueueRow]:
    """QueueRows from raw result rows whose columns are labelled `names` (an SQLAlchemy result's keys()).

    Built by name: the labels say which value is which field, checked once per result rather than
    looked up per value (a 100-row page would otherwise spend more time on names than on its query).
    """
    order = _order(names)
    if order is None:
        return [QueueRow(*raw) for raw in raws]
    return [QueueRow(*[raw[i] for i in order]) for raw in raws]


def queue_rows_from_sqlite(names, raws) -> list[QueueRow]:
    """As queue_rows, for plain sqlite3 rows: UTC text to aware datetimes, 0/1 to bools, as the
    SQLAlchemy path converts them (store/types.UTCDateTime)."""
    names = tuple(names)
    order = _order(names)
    utc = [names.index(name) for name in UTC_FIELDS]
    flags = [names.index(name) for name in BOOL_FIELDS]
    rows = []
    for raw in raws:
        values = list(raw)
        for i in utc:
            values[i] = utc_from_sqlite(values[i])
        for i in flags:
            values[i] = bool(values[i])
        rows.append(QueueRow(*values) if order is None else QueueRow(*[values[i] for i in order]))
    return rows


class Page(msgspec.Struct, frozen=True):
    rows: list[QueueRow]
    has_more: bool


def row_to_json(row: QueueRow) -> dict:
    return {
        "key": row.key, "title": row.title, "type": row.type, "status": row.status, "priority": f"P{row.priority}",
        "impact": row.impact, "urgency": row.urgency, "severity": row.severity, "assignee": row.assignee, "group": row.group, "tier": row.tier,
        "created_at": row.created_at.isoformat(), "sla_due_at": row.sla_due_at.isoformat(), "version": row.version,
        "is_major": row.is_major, "recurring": row.recurring, "folded": row.folded,
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
