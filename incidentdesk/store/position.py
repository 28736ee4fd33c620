"""A row's place in the filtered queue, counted through the queue's own index.

The console shows where a page sits ("101–200 of 235"). Paging from the first page knows
that by counting pages; a page found by one of its rows (the incident just logged) does
not, so this counts the rows ahead of that row in the filter's order.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, tuple_

from incidentdesk.store.engine import Database
from incidentdesk.store.queries import SORTS, _filtered
from incidentdesk.store.rows import QueueFilter


def queue_position(db: Database, flt: QueueFilter, cursor: tuple) -> int:
    """How many rows of the filtered queue come before the row with this keyset `cursor` (0 for the first)."""
    cols, desc = SORTS[flt.sort]
    mark = tuple_(*[bindparam(None, value, type_=c.type) for c, value in zip(cols, cursor, strict=True)])
    with db.read() as s:
        stmt = _filtered(s, flt).where(tuple_(*cols) > mark if desc else tuple_(*cols) < mark)
        return int(s.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0)
