"""Shift handover use cases: publish (the outgoing triage captain) and acknowledge (the incoming one).

Each is one transaction. Publishing reads the draft's lists (store/handover.build_content) inside
its own transaction — on PostgreSQL at REPEATABLE READ, so all seven come from one snapshot, as
SQLite's write lock gives — and stores them as the handover's snapshot with the note, who and when.
Acknowledging records who and when on the latest handover; it is refused for the publisher
(the incoming captain is whoever acknowledges: someone else by definition), for a handover a newer
one superseded, and when someone acknowledged it first — the UPDATE carries
`acknowledged_at IS NULL`, so of two racing acknowledgements exactly one changes the row and the
other is told who won. Both need the triage captain role (incident managers and admins rank above).

Both write a change-log row (store/changefeed.record_change) under the reserved incident id
domain/handover.FEED_ID (0, which no incident has): consoles following the feed re-read their
handover flag at once (tui/app.py), and the queue's read for id 0 finds no row, changing nothing.
"""

from __future__ import annotations

from sqlalchemy import select, text, update

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import InvalidTransition, NotFound, PermissionDenied
from incidentdesk.domain.handover import FEED_ID, clean_note, content_json
from incidentdesk.domain.roles import require
from incidentdesk.services.context import ServiceContext
from incidentdesk.store.changefeed import record_change
from incidentdesk.store.handover import build_content, latest_row
from incidentdesk.store.handover_models import Handover

ROLE = Role.TRIAGE_CAPTAIN


def publish(ctx: ServiceContext, *, note: str | None = None) -> str:
    """Publish the handover as the queue stands now, with the note; returns its id (as text)."""
    require(ctx.actor, ROLE, "publish a shift handover")
    cleaned = clean_note(note)
    with ctx.db.write() as s:
        if s.bind.dialect.name == "postgresql":  # the seven lists from one snapshot (SQLite's write lock gives one)
            s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        now = ctx.now()
        content = build_content(s, now)
        row = Handover(published_by=ctx.actor.login, published_at=now, note=cleaned, content=content_json(content))
        s.add(row)
        s.flush()
        record_change(s, [FEED_ID], "handover_published", now)
        return str(row.id)


def acknowledge(ctx: ServiceContext, *, id: int | None = None) -> str:  # noqa: A002 (the CLI's ID)
    """Acknowledge the latest handover (or handover `id`, which must be the latest); returns its id."""
    require(ctx.actor, ROLE, "acknowledge a shift handover")
    with ctx.db.write() as s:
        latest = latest_row(s)
        if latest is None:
            raise NotFound("no handover has been published yet; nothing to acknowledge")
        row = latest if id is None else s.get(Handover, int(id))
        if row is None:
            raise NotFound(f"no handover {id}: `incidentdesk handover list` shows them")
        if row.id != latest.id:
            raise InvalidTransition(f"handover {row.id} was superseded by handover {latest.id}; "
                                    f"acknowledge that one (`incidentdesk handover ack {latest.id}`)")
        if row.acknowledged_at is not None:
            raise _already(row)
        if row.published_by == ctx.actor.login:
            raise PermissionDenied(f"{ctx.actor.login} published handover {row.id} and may not acknowledge it: "
                                   "the incoming captain acknowledges")
        now = ctx.now()
        done = s.execute(
            update(Handover).where(Handover.id == row.id, Handover.acknowledged_at.is_(None))
            .values(acknowledged_by=ctx.actor.login, acknowledged_at=now, version=Handover.version + 1)
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:  # someone acknowledged it between our read and our write
            fresh = s.scalar(select(Handover).where(Handover.id == row.id).execution_options(populate_existing=True))
            raise _already(fresh)
        record_change(s, [FEED_ID], "handover_acknowledged", now)
        return str(row.id)


def _already(row: Handover) -> InvalidTransition:
    when = row.acknowledged_at.strftime("%Y-%m-%d %H:%M UTC") if row.acknowledged_at else "just now"
    return InvalidTransition(f"handover {row.id} was already acknowledged by {row.acknowledged_by} at {when}")
