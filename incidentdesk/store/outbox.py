"""The outbox's SQL: rows written with a change, claimed by delivery workers under a lease.

Claiming is safe with any number of workers on either backend. A candidate is due when it is
pending and its next attempt has come, or when it is `sending` under a lease that ran out (its
worker died mid-send: it is sent again, never lost). Each candidate is then taken by one UPDATE
whose WHERE repeats that condition; only a rowcount of 1 makes it this worker's. On PostgreSQL
the candidates are read `FOR UPDATE SKIP LOCKED`, so concurrent workers pick different rows
instead of racing for the same ones; on SQLite the write transaction holds the database lock.
The attempt is counted when the row is claimed, so a worker killed mid-send used one attempt.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, func, insert, or_, select, update

from incidentdesk.store.models import OutboxMessage

_T = OutboxMessage.__table__
_INSERT = insert(_T)
COLUMNS = ("id", "created_at", "event_kind", "incident_id", "channel", "recipient", "subject", "body",
           "idempotency_key", "state", "attempts", "next_attempt_at", "claimed_by", "claimed_until",
           "last_error", "sent_at")


def add(session, rows: list[dict]) -> None:
    """Insert outbox rows in the caller's transaction (one statement for any number of rows)."""
    if rows:
        session.execute(_INSERT, rows)


def _due(now: datetime):
    return or_(and_(_T.c.state == "pending", _T.c.next_attempt_at <= now),
               and_(_T.c.state == "sending", _T.c.claimed_until < now))


def claim(db, worker: str, now: datetime, lease_until: datetime, limit: int = 10) -> list[dict]:
    """Take up to `limit` rows due by `now` for `worker` until `lease_until`; returns them as claimed."""
    with db.write() as s:
        stmt = select(_T.c.id).where(_due(now)).order_by(_T.c.next_attempt_at, _T.c.id).limit(limit)
        if s.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(s.scalars(stmt))
        taken = []
        for row_id in ids:
            result = s.execute(update(_T).where(_T.c.id == row_id, _due(now)).values(
                state="sending", claimed_by=worker, claimed_until=lease_until, attempts=_T.c.attempts + 1))
            if result.rowcount == 1:
                taken.append(row_id)
        if not taken:
            return []
        rows = s.execute(select(*(_T.c[name] for name in COLUMNS)).where(_T.c.id.in_(taken))
                         .order_by(_T.c.id)).mappings().all()
        return [dict(row) for row in rows]


def _mine(row_id: int, worker: str):
    return and_(_T.c.id == row_id, _T.c.state == "sending", _T.c.claimed_by == worker)


def mark_sent(db, row_id: int, worker: str, now: datetime) -> bool:
    """Sent: False if the lease was lost meanwhile (another worker has the row and will record it)."""
    with db.write() as s:
        return s.execute(update(_T).where(_mine(row_id, worker)).values(
            state="sent", sent_at=now, claimed_by=None, claimed_until=None, last_error=None)).rowcount == 1


def mark_failed(db, row_id: int, worker: str, error: str, *, retry_at: datetime | None) -> bool:
    """A failed attempt: due again at `retry_at`, or parked as failed (`retry_at` None)."""
    values = {"claimed_by": None, "claimed_until": None, "last_error": error[:2000]}
    values.update({"state": "pending", "next_attempt_at": retry_at} if retry_at else {"state": "failed"})
    with db.write() as s:
        return s.execute(update(_T).where(_mine(row_id, worker)).values(**values)).rowcount == 1


def retry(session, row_id: int, now: datetime) -> str | None:
    """Make a parked (failed) row due now with a fresh count of attempts; returns its state before
    (None: no such row). Two people retrying at once: one UPDATE wins, the other reads `pending`."""
    result = session.execute(update(_T).where(_T.c.id == row_id, _T.c.state == "failed").values(
        state="pending", attempts=0, next_attempt_at=now, claimed_by=None, claimed_until=None))
    if result.rowcount == 1:
        return "failed"
    return session.scalar(select(_T.c.state).where(_T.c.id == row_id))


def messages(db, state: str | None = None, limit: int = 200) -> list[dict]:
    """The newest rows (in `state`, if given), with the incident's key, newest first."""
    from incidentdesk.store.models import Incident

    inc = Incident.__table__
    stmt = (select(*(_T.c[name] for name in COLUMNS), inc.c.key.label("incident_key"))
            .select_from(_T.outerjoin(inc, inc.c.id == _T.c.incident_id)).order_by(_T.c.id.desc()).limit(limit))
    if state:
        stmt = stmt.where(_T.c.state == state)
    with db.read() as s:
        return [dict(row) for row in s.execute(stmt).mappings().all()]


def counts(db) -> dict[str, int]:
    with db.read() as s:
        return {state: n for state, n in s.execute(select(_T.c.state, func.count()).group_by(_T.c.state))}



def purge_sent(db, before: datetime, batch: int = 5000) -> int:
    """Delete sent rows sent before `before`, `batch` at a time (short transactions: workers keep
    claiming meanwhile); pending, sending and failed rows are never touched. Returns how many went."""
    gone = 0
    while True:
        with db.write() as s:
            ids = select(_T.c.id).where(_T.c.state == "sent", _T.c.sent_at < before).limit(batch)
            n = s.execute(delete(_T).where(_T.c.id.in_(ids.scalar_subquery()))).rowcount
        gone += n
        if n < batch:
            return gone
