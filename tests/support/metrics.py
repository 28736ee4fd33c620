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


def history(db: Database, now: datetime, first: int = 1000) -> int:
    """Five weeks of resolved incidents before `now`, in a fixed pattern (for trend plots and snapshots).

    Week w (0 = oldest) gets 2 + w P3s and one P1 and one P2; resolution times grow with the
    priority number and shrink week by week; every fourth one breached its resolution target.
    Returns how many were written.
    """
    number = first
    for week in range(5):
        monday = now - timedelta(weeks=5 - week)
        for n, priority in enumerate([1, 2] + [3] * (2 + week)):
            created = monday + timedelta(hours=3 + 7 * n)
            hours = priority * (6 - week) + n
            put(db, number, created=created, priority=priority, ack=300 * priority, resolved=hours * 3600,
                resolution_code="workaround" if n % 2 else "permanent_fix", affected_service=["VPN", "Email"][n % 2],
                response_sla_state="met", resolution_sla_state="breached" if number % 4 == 0 else "met",
                csat=3 + n % 3, first_contact_resolution=n % 3 == 0)
            number += 1
    return number - first
