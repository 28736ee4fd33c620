"""Reads for major-incident coordination that the queue and detail queries do not cover.

`p1_changes`: for incidents that just changed, the open, non-major P1s among them and the last
event that set their priority (created or reprioritised, with its before/after), so the console
can prompt a triage captain to declare one (domain/major.should_prompt decides).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from incidentdesk.store.engine import Database
from incidentdesk.store.models import Incident, TimelineEvent


@dataclass(frozen=True)
class PriorityChange:
    id: int
    key: str
    title: str
    type: str
    priority: int
    is_major: bool
    is_open: bool
    kind: str
    at: datetime
    before: dict | None
    after: dict | None


def p1_changes(db: Database, ids: Iterable[int]) -> list[PriorityChange]:
    ids = sorted(set(ids))
    if not ids:
        return []
    out = []
    with db.read() as s:
        rows = s.execute(select(Incident.id, Incident.key, Incident.title, Incident.type, Incident.priority,
                                Incident.is_major, Incident.is_open)
                         .where(Incident.id.in_(ids), Incident.priority == 1, Incident.is_major.is_(False),
                                Incident.is_open.is_(True))).all()
        for r in rows:
            ev = s.execute(select(TimelineEvent.kind, TimelineEvent.at, TimelineEvent.before, TimelineEvent.after)
                           .where(TimelineEvent.incident_id == r.id,
                                  TimelineEvent.kind.in_(("created", "reprioritised")))
                           .order_by(TimelineEvent.seq.desc()).limit(1)).first()
            if ev is not None:
                out.append(PriorityChange(r.id, r.key, r.title, r.type, r.priority, bool(r.is_major), bool(r.is_open),
                                          ev.kind, ev.at, ev.before, ev.after))
    return out
