"""Notifications into the outbox, in the transaction of the change that caused them; retrying one.

timeline.append_event calls `after_event` for every event it appends, and the SLA sweeper's bulk
path calls `after_bulk_events` for the events it writes in bulk. Both write their outbox rows
through the same session as the change, so a rolled-back change sends nothing, and a committed
one is in the outbox for the delivery worker (notify/delivery.py) whatever happens next.

The rules come with the session (`session.info["notify"]`, set by ServiceContext from the
config): without rules, or when no rule names the event, the hook returns before any query. The
session may be a plain sqlite3 one (a CLI command's, store/plainwrite): the rows are then written
through it, the same columns and values, at its commit (store/writes.add_outbox).
"""

from __future__ import annotations

from datetime import datetime

from incidentdesk.domain.errors import InvalidTransition, NotFound
from incidentdesk.domain.notify_rules import (
    Fact, NotifySettings, destinations, event_name, idempotency_key, render, wanted_people,
)
from incidentdesk.domain.roles import require
from incidentdesk.domain.enums import Role
from incidentdesk.store import writes


def _store():
    """store/outbox, imported when used: the hook above runs in plain sqlite3 writes, which import no SQLAlchemy."""
    from incidentdesk.store import outbox

    return outbox


def _settings(session) -> NotifySettings | None:
    return session.info.get("notify")


def _rows(settings: NotifySettings, fact: Fact, event_hash: str, incident_id: int, at: datetime) -> list[dict]:
    rows = []
    subject, body = render(fact)
    for dest in destinations(settings, fact):
        rows.append({"created_at": at, "event_kind": fact.event, "incident_id": incident_id,
                     "channel": dest.channel, "recipient": dest.recipient, "subject": subject, "body": body,
                     "idempotency_key": idempotency_key(event_hash, dest), "state": "pending", "attempts": 0,
                     "next_attempt_at": at})
    return rows


def _looked_up(session, settings, event: str, group: str | None, manager: str | None, at: datetime) -> dict:
    """The on-call and manager of the incident's group, for rules that name them (else nothing is read)."""
    wanted = wanted_people(settings, event)
    found: dict = {}
    if "manager" in wanted:
        found["manager"] = manager
    if "oncall" in wanted and group is not None:
        found["oncall"] = writes.on_call_now(session, group, at)
    return found


def after_event(session, incident, actor_login: str, kind: str, at: datetime, text: str,
                after: dict | None, event_hash: str) -> None:
    """The outbox rows one appended event causes (none, usually: then no query at all)."""
    settings = _settings(session)
    if settings is None:
        return
    name = event_name(kind, after)
    if name not in settings.by_event:
        return
    group = incident.group.name if incident.group is not None else None
    fact = Fact(event=name, key=incident.key, title=incident.title, priority=incident.priority,
                group=group, assignee=incident.assignee,
                reporter=incident.reporter, commander=incident.commander, actor=actor_login, text=text or "",
                **_looked_up(session, settings, name, group, incident.group.manager if incident.group else None, at))
    if incident.id is None:
        session.flush()
    writes.add_outbox(session, _rows(settings, fact, event_hash, incident.id, at))


def after_bulk_events(session, events: list[dict], at: datetime) -> None:
    """The outbox rows for events the SLA sweeper writes in bulk: one read of the incidents
    concerned and one insert, and only when a rule names an SLA event."""
    settings = _settings(session)
    if settings is None or not events:
        return
    wanted = [(e, name) for e in events if (name := event_name(e["kind"], e.get("after"))) in settings.by_event]
    if not wanted:
        return
    from sqlalchemy import select

    from incidentdesk.store.models import Group, Incident

    ids = sorted({e["incident_id"] for e, _ in wanted})
    facts = {row.id: row for row in session.execute(
        select(Incident.id, Incident.key, Incident.title, Incident.priority, Incident.assignee, Incident.reporter,
               Incident.commander, Group.name.label("group_name"), Group.manager.label("group_manager"))
        .select_from(Incident).outerjoin(Group, Group.id == Incident.group_id).where(Incident.id.in_(ids)))}
    rows = []
    for event, name in wanted:
        inc = facts[event["incident_id"]]
        fact = Fact(event=name, key=inc.key, title=inc.title, priority=inc.priority, group=inc.group_name,
                    assignee=inc.assignee, reporter=inc.reporter, commander=inc.commander,
                    actor=event["actor"], text=event.get("text") or "",
                    **_looked_up(session, settings, name, inc.group_name, inc.group_manager, at))
        rows += _rows(settings, fact, event["hash"], inc.id, at)
    writes.add_outbox(session, rows)


def retry(ctx, *, message_id: int) -> int:
    """Send a parked (failed) notification again: due now, with a fresh count of attempts."""
    require(ctx.actor, Role.TRIAGE_CAPTAIN, "retry a notification")
    with ctx.db.write() as s:
        state = _store().retry(s, message_id, ctx.now())
    if state is None:
        raise NotFound(f"no notification {message_id}: see `incidentdesk notify list` for their ids")
    if state != "failed":
        raise InvalidTransition(f"notification {message_id} is {state}, not failed: only a failed one is retried "
                                "(a pending one is retried by the delivery worker on its own)")
    return message_id


def list_messages(ctx, *, state: str | None = None, limit: int = 200) -> list[dict]:
    return _store().messages(ctx.db, state, limit)


# --- the delivery worker's bookkeeping (notify/delivery.py): each its own short transaction ---------
def claim_due(db, worker: str, due_by: datetime, lease_until: datetime, limit: int) -> list[dict]:
    """Rows due by `due_by` (or whose lease ran out), now `worker`'s until `lease_until`."""
    return _store().claim(db, worker, due_by, lease_until, limit)


def record_sent(db, row_id: int, worker: str, at: datetime) -> bool:
    return _store().mark_sent(db, row_id, worker, at)


def record_failed(db, row_id: int, worker: str, error: str, *, retry_at: datetime | None) -> bool:
    """A failed attempt: due again at `retry_at`, or parked as failed when None."""
    return _store().mark_failed(db, row_id, worker, error, retry_at=retry_at)


def purge_sent(db, now: datetime, keep_days: float) -> int:
    """Delete notifications sent more than `keep_days` ago ([notify] keep_sent_days; 0 keeps all).

    The delivery loop runs it (notify/delivery.py) and so does `incidentdesk notify purge`: without it
    the outbox grows by every message ever sent.
    """
    if keep_days <= 0:
        return 0
    from datetime import timedelta

    return _store().purge_sent(db, now - timedelta(days=keep_days))
