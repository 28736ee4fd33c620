"""Incidents written straight into the table with hand-chosen instants, for metrics computed by hand.

The metrics read stored facts (instants, flags, SLA states); going through the services would
make every instant depend on the clock's path. Tests that need the services' own bookkeeping
(on-hold time on a business calendar, reopen) use the services instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incidentdesk.domain.keys import format_key
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Escalation, Incident, SlaTargetRecord

T = datetime(2026, 11, 2, tzinfo=UTC)   # a Monday: every week in these fixtures starts on one
S = timedelta(seconds=1)
DAY = timedelta(days=1)


def put(db: Database, number: int, *, created: datetime, priority: int = 3, ack: int | None = None,
        resolved: int | None = None, escalated: bool = False, replaced_breached: str | None = None,
        **fields) -> None:
    """One incident; `ack` / `resolved` are seconds after `created`. `replaced_breached`: a target
    ("response"/"resolution") that a reprioritisation replaced after it had breached."""
    kind = fields.pop("type", "incident")
    status = fields.pop("status", "closed" if resolved is not None else "new")
    row = Incident(
        id=number, key=format_key(kind, number), type=kind, title=f"fixture {number}", impact="medium",
        urgency="medium", priority=priority, reporter="ann", created_at=created, updated_at=created,
        updated_by="ann", response_due_at=created + 3600 * S, resolution_due_at=created + DAY,
        sla_due_at=created + DAY, status=status, is_open=status in ("new", "acknowledged", "in_progress", "on_hold"),
        acknowledged_at=None if ack is None else created + ack * S,
        resolved_at=None if resolved is None else created + resolved * S, **fields)
    with db.write() as s:
        s.add(row)
        s.flush()
        if escalated:
            s.add(Escalation(incident_id=number, at=created + 60 * S, actor="ann", kind="functional",
                             to_group="Ops", summary="hand-off"))
        if replaced_breached:
            s.add(SlaTargetRecord(incident_id=number, target=replaced_breached, priority=priority, policy="P2",
                                  calendar="24x7", counted_from=created, due_at=created + 60 * S, state="breached",
                                  breached_at=created + 60 * S, superseded_at=created + 120 * S))
