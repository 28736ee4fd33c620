"""Who has an incident and how urgent it is: take, assign, reprioritise, escalate.

Each is one transaction on an incident loaded by services/incident_edit._editing. The `apply_*`
forms change an incident already loaded in the caller's transaction: a more severe alert
raises priority (services/alert_batch.py), the SLA sweeper escalates (services/sla.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.domain import limits, lifecycle, major, major_cadence
from incidentdesk.domain.enums import EscalationKind, EventKind, Level, Severity, Status, parse_enum
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.priority import derive_priority
from incidentdesk.services import sla_sync
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import (
    _clean, _editing, _group_by_name, _known_user, _require_may_change, _required,
)
from incidentdesk.services.timeline import append_event
from incidentdesk.store import writes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Escalation, Incident


def take(ctx: ServiceContext, key: str, *, expected_version: int | None = None) -> int:
    """Take ownership: the actor becomes the assignee."""
    return assign(ctx, key, user=ctx.actor.login, expected_version=expected_version)


def assign(ctx: ServiceContext, key: str, *, user: str | None = None, group: str | None = None,
           comment: str = "", expected_version: int | None = None) -> int:
    user = _clean(user) or None
    if user is None and not group:
        raise ValidationError("name a person or a group to assign to", field="user")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("assign", Status(inc.status), inc.key)
        _require_may_change(ctx, inc, "assign", picking_up=user == ctx.actor.login and not group)
        before = {"assignee": inc.assignee, "group": inc.group.name if inc.group else None, "tier": inc.tier}
        if group:
            new_group = _group_by_name(s, group)
            inc.group = new_group
            inc.tier = new_group.tier
        if user is not None:
            _known_user(s, user, "assignee")
            major.check_assignee(user, inc.commander, inc.is_major, inc.key)
            inc.assignee = user
        elif group:
            if inc.assignee not in writes.member_logins(s, inc.group):
                inc.assignee = None
        after = {"assignee": inc.assignee, "group": inc.group.name if inc.group else None, "tier": inc.tier}
        append_event(s, inc, ctx.actor, EventKind.ASSIGNED, now, text=_clean(comment), before=before, after=after)
        return inc.version + 1


def reprioritise(ctx: ServiceContext, key: str, *, reason: str, impact: Level | str | None = None,
                 urgency: Level | str | None = None, severity: Severity | str | None = None,
                 expected_version: int | None = None) -> int:
    """Change impact/urgency (and so priority) and/or severity; a new priority replaces the running SLA
    targets (from the change or from the start: `[sla] reprioritise_from`), the old ones kept in their history."""
    reason = _required(reason, "reason", "a reason for the change")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("reprioritise", Status(inc.status), inc.key)
        _require_may_change(ctx, inc, "reprioritise")
        apply_reprioritise(s, ctx, inc, now, reason=reason, impact=impact, urgency=urgency, severity=severity)
        return inc.version + 1


def apply_reprioritise(s: Session, ctx: ServiceContext, inc: Incident, now: datetime, *, reason: str,
                       impact: Level | str | None = None, urgency: Level | str | None = None,
                       severity: Severity | str | None = None) -> None:
    """Reprioritise an incident already loaded in the caller's transaction (also a more severe alert joining).

    The outgoing SLA targets are kept with the state they reached (services/sla_sync.py), so a breach
    once recorded stays recorded and is never escalated twice.
    """
    before = {"impact": inc.impact, "urgency": inc.urgency, "priority": f"P{inc.priority}", "severity": inc.severity}
    outgoing = sla_sync.outgoing_targets(ctx.config, inc, now)
    if impact is not None:
        inc.impact = str(parse_enum(Level, impact, "impact"))
    if urgency is not None:
        inc.urgency = str(parse_enum(Level, urgency, "urgency"))
    if severity is not None:
        inc.severity = str(parse_enum(Severity, severity, "severity"))
    inc.priority = derive_priority(Level(inc.impact), Level(inc.urgency), ctx.config.priority_matrix)
    sla = sla_sync.on_reprioritised(ctx.config, s, inc, now, outgoing)
    if inc.is_major:  # a new severity, a new update cadence (sooner, never later than promised)
        inc.next_update_due = major_cadence.rescheduled(ctx.config.major, inc.severity, inc.last_update_at,
                                                        inc.major_declared_at, inc.next_update_due)
    after = {"impact": inc.impact, "urgency": inc.urgency, "priority": f"P{inc.priority}", "severity": inc.severity}
    if after == before:
        raise ValidationError(f"{inc.key} already has these values; nothing to change", field="impact")
    after.update(sla.changes)
    sla_sync.record_changes(s, ctx, inc, now, sla.before)   # the old targets' last changes, then the new
    append_event(s, inc, ctx.actor, EventKind.REPRIORITISED, now, text=reason, before=before, after=after)
    sla_sync.record_changes(s, ctx, inc, now, sla.after)


def escalate(ctx: ServiceContext, key: str, *, kind: EscalationKind | str, summary: str,
             to_group: str | None = None, reason: str = "", to_person: str | None = None,
             automatic: bool = False, expected_version: int | None = None) -> int:
    """Functional (to another group/tier) or hierarchical (to management), with a hand-off summary."""
    kind = parse_enum(EscalationKind, kind, "escalation kind")
    summary = _required(summary, "summary", "a hand-off summary (what was tried, device/user details, logs)")
    if kind is EscalationKind.FUNCTIONAL and not to_group:
        raise ValidationError("a functional escalation needs the group to hand over to", field="to_group")
    limits.check("to_person", _clean(to_person) or None)
    with _editing(ctx, key, expected_version) as (s, inc, now):
        if kind is EscalationKind.FUNCTIONAL:  # it moves the incident and clears its assignee
            _require_may_change(ctx, inc, "escalate")
        apply_escalate(s, ctx, inc, now, kind=kind, summary=summary, to_group=to_group, reason=reason,
                       to_person=to_person, automatic=automatic)
        return inc.version + 1


def apply_escalate(s: Session, ctx: ServiceContext, inc: Incident, now: datetime, *, kind: EscalationKind,
                   summary: str, to_group: str | None = None, reason: str = "", to_person: str | None = None,
                   automatic: bool = False) -> Escalation:
    """Escalate an incident already loaded in the caller's transaction (also the SLA sweeper's rules)."""
    lifecycle.next_status("escalate", Status(inc.status), inc.key)
    from_group = inc.group.name if inc.group else None
    from_tier = inc.tier
    from_assignee = inc.assignee
    record = writes.escalation(s, incident_id=inc.id, at=now, actor=ctx.actor.login, kind=str(kind),
                        from_group=from_group, from_tier=from_tier, reason=_clean(reason), summary=summary,
                        automatic=automatic)
    if kind is EscalationKind.FUNCTIONAL:
        target = _group_by_name(s, to_group)
        if target.id == inc.group_id:
            raise ValidationError(f"{inc.key} is already with {target.name}; pick another group", field="to_group")
        inc.group = target
        inc.tier = target.tier
        inc.assignee = None  # the new group picks it up; the event below records who had it
        record.to_group, record.to_tier = target.name, target.tier
    else:
        target = _group_by_name(s, to_group) if to_group else inc.group
        record.to_group = target.name if target else None
        record.to_tier = target.tier if target else None
        record.to_person = _clean(to_person) or (target.manager if target else None) or "incident managers"
    s.add(record)
    append_event(s, inc, ctx.actor, EventKind.ESCALATED, now, text=summary,
                 before={"group": from_group, "tier": from_tier, "assignee": from_assignee},
                 after={"kind": str(kind), "group": record.to_group, "tier": record.to_tier,
                        "assignee": inc.assignee, "to_person": record.to_person, "automatic": automatic})
    return record
