"""Reading back what the services stored, the way the tests check it (the product has no use for these)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select

from incidentdesk.domain.keys import parse_key
from incidentdesk.services.context import ServiceContext
from incidentdesk.store import queries
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Incident
from incidentdesk.store.rows import QueueRow


def queue_keys(db: Database) -> list[str]:
    """Every key of the open queue in its default order, read page by page (cursor after cursor) as
    the console pages it, so a test can say where an incident lands without trusting one page."""
    keys: list[str] = []
    page = queries.queue_page(db)
    while True:
        keys += [r.key for r in page.rows]
        if not page.has_more:
            return keys
        page = queries.queue_page(db, after=page.rows[-1].cursor())


def rows_for_keys(db: Database, keys: Sequence[str]) -> list[QueueRow]:
    """The queue rows of these incidents (closed ones too), as the console would show them."""
    return queries.rows_for_ids(db, [parse_key(k) for k in keys])


def due_count(ctx: ServiceContext, now: datetime | None = None) -> int:
    """How many incidents have an SLA check due by `now` (what the sweep would select), counted."""
    now = now or ctx.now()
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Incident).where(Incident.next_sla_check_at <= now)) or 0)
