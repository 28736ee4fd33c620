"""Appending to an incident's hash-chained timeline (inside the caller's transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.domain.audit import chained_event
from incidentdesk.domain.enums import EventKind
from incidentdesk.domain.roles import Actor
from incidentdesk.store.changefeed import record_change
from incidentdesk.store.writes import timeline_event

if TYPE_CHECKING:  # the session may be a plain sqlite3 one (store/writes): nothing here needs SQLAlchemy
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Incident, TimelineEvent


def append_event(session: Session, incident: Incident, actor: Actor, kind: EventKind, at: datetime, *,
                 text: str = "", before: dict | None = None, after: dict | None = None) -> TimelineEvent:
    seq = incident.event_count + 1
    event = timeline_event(session, incident_id=incident.id, **chained_event(
        incident.last_event_hash, seq=seq, at=at, actor=actor.login, real_actor=actor.effective_real_login,
        kind=str(kind), text=text, before=before, after=after))
    session.add(event)
    incident.event_count = seq
    incident.last_event_hash = event.hash
    record_change(session, [incident.id], kind, at)
    if "notify" in session.info:  # notification rules configured: their outbox rows, in this transaction
        from incidentdesk.services.outbox import after_event as outbox_after_event

        outbox_after_event(session, incident, actor.login, str(kind), at, text, after, event.hash)
    return event
