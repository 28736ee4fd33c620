"""Incident use cases: log, acknowledge, assign, reprioritise, escalate, hold, resolve, close...

Every function is one transaction. Those that change an existing incident take the
`expected_version` the caller last saw; if someone else changed it since, nothing is
written and EditConflict says who and when.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from incidentdesk.domain import limits, lifecycle, major
from incidentdesk.domain.enums import (
    OPEN_STATUSES, EscalationKind, EventKind, IncidentType, Level, ResolutionCode, Role, Severity, Source, Status,
    parse_enum,
)
from incidentdesk.domain.errors import EditConflict, NotFound, ValidationError
from incidentdesk.domain.keys import format_key, parse_key
from incidentdesk.domain.priority import derive_priority
from incidentdesk.domain.roles import require, require_may_change
from incidentdesk.domain.text import strip_control
from incidentdesk.services import pir as pir_service
from incidentdesk.services import sla_sync
from incidentdesk.services import vendor as vendor_service
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event
from incidentdesk.store import audit as audit_store
from incidentdesk.store.models import Escalation, Group, Incident, User

MAX_TITLE = limits.limit_of("title")


@dataclass(frozen=True)
class Intake:
    """What the person (or the alert) reporting the incident tells us."""

    title: str
    impact: Level | str
    urgency: Level | str
    type: IncidentType | str = IncidentType.INCIDENT
    severity: Severity | str | None = None
    description: str = ""
    affected_service: str | None = None
    symptoms: str = ""
    started_at: datetime | None = None
    impacted: str = ""
    steps_to_reproduce: str = ""
    device_user: str = ""
    recent_changes: str = ""
    category: str | None = None
    ci: str | None = None
    group: str | None = None
    assignee: str | None = None
    source: Source | str = Source.MANUAL
    tier: int | None = None  # None: the group's tier (routing rules may name another)
    vendor: str | None = None           # vendor incidents (services/vendor.py)
    vendor_ticket: str | None = None
    vendor_url: str | None = None
    vendor_status: str | None = None


DEFAULT_SEVERITY = {1: Severity.SEV1, 2: Severity.SEV2, 3: Severity.SEV3, 4: Severity.SEV4}


def _clean(text: str | None) -> str:
    return strip_control(text).strip() if text else ""


def _required(text: str | None, field: str, what: str) -> str:
    value = _clean(text)
    if not value:
        raise ValidationError(f"{what} is required", field=field)
    return value


def _group_by_name(session: Session, name: str | None) -> Group | None:
    if not name:
        return None
    group = session.scalar(select(Group).where(Group.name == name))
    if group is None:
        known = ", ".join(session.scalars(select(Group.name).order_by(Group.name)).all()) or "none yet"
        raise ValidationError(f"unknown group {name!r}: known groups are {known}", field="group")
    return group


def _known_user(session: Session, login: str, field: str) -> User:
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise ValidationError(f"unknown person {login!r}: add them with `incidentdesk users add`", field=field)
    return user


def _apply_sla(ctx: ServiceContext, incident: Incident) -> None:
    """Due times on the policy's calendar, and when the sweeper must first look (services/sla_sync.py)."""
    sla_sync.on_logged(ctx.config, incident, ctx.now())


def _situation(inc: Incident) -> lifecycle.Situation:
    return lifecycle.Situation(key=inc.key, status=inc.status, assignee=inc.assignee, reporter=inc.reporter,
                               is_major=inc.is_major, commander=inc.commander, resolved_at=inc.resolved_at,
                               group=inc.group.name if inc.group else None,
                               acknowledged=inc.acknowledged_at is not None)


def _require_may_change(ctx: ServiceContext, inc: Incident, action: str, *, step: bool = False,
                        picking_up: bool | None = None) -> None:
    """domain/lifecycle.CHANGE_RULES (roles.py's one rule for changing an incident) applied to this one.

    `step`: check the lifecycle step first — "it is closed" says more than "it is not yours".
    """
    if step:
        lifecycle.next_status(action, Status(inc.status), inc.key)
    lifecycle.require_change(action, ctx.actor, _situation(inc), picking_up=picking_up)


def _set_status(incident: Incident, status: Status) -> None:
    incident.status = str(status)
    incident.is_open = status in OPEN_STATUSES


def log_incident(ctx: ServiceContext, intake: Intake) -> str:
    """Log a new incident or service request; returns its key."""
    with ctx.db.write() as s:
        return create_incident(s, ctx, intake).key


def log_incident_fields(ctx: ServiceContext, **fields) -> str:
    """log_incident with one keyword per Intake field: the shape the use-case catalog calls (services/catalog)."""
    return log_incident(ctx, Intake(**fields))


def create_incident(s: Session, ctx: ServiceContext, intake: Intake) -> Incident:
    """Validate and add one incident inside the caller's transaction (log_incident, alert ingestion)."""
    title = _required(intake.title, "title", "a title")
    source = parse_enum(Source, intake.source, "source")
    # A person's too-long value is refused (the dialog keeps it); an alert's is cut, never refused.
    bounded = limits.fit if source is Source.ALERT else limits.check
    title = bounded("title", title)
    service, category, ci, assignee = (bounded(f, _clean(v) or None) for f, v in (
        ("affected_service", intake.affected_service), ("category", intake.category), ("ci", intake.ci),
        ("assignee", intake.assignee)))
    impact = parse_enum(Level, intake.impact, "impact")
    urgency = parse_enum(Level, intake.urgency, "urgency")
    kind = parse_enum(IncidentType, intake.type, "type")
    priority = derive_priority(impact, urgency, ctx.config.priority_matrix)
    severity = parse_enum(Severity, intake.severity, "severity") if intake.severity else DEFAULT_SEVERITY[priority]
    now = ctx.now()
    if intake.started_at is not None and intake.started_at.tzinfo is None:
        raise ValidationError("the start time needs a time zone", field="started_at")
    group = _group_by_name(s, intake.group)
    number = _next_incident_number(s)
    incident = Incident(
        id=number, key=format_key(kind, number), type=str(kind), title=title, description=_clean(intake.description),
        affected_service=service, symptoms=_clean(intake.symptoms),
        started_at=intake.started_at, impacted=_clean(intake.impacted),
        steps_to_reproduce=_clean(intake.steps_to_reproduce), device_user=_clean(intake.device_user),
        recent_changes=_clean(intake.recent_changes), category=category,
        ci=ci, impact=str(impact), urgency=str(urgency), priority=priority,
        severity=str(severity), status=str(Status.NEW), is_open=True, reporter=ctx.actor.login,
        assignee=assignee, group=group,
        tier=intake.tier or (group.tier if group else 1),
        source=str(source), created_at=now, updated_at=now, updated_by=ctx.actor.login,
        first_contact_resolution=False, reopen_count=0, event_count=0,
    )
    _apply_sla(ctx, incident)
    _, vendor = vendor_service.apply_vendor(incident, dict(
        vendor=intake.vendor, vendor_ticket=intake.vendor_ticket, vendor_url=intake.vendor_url,
        vendor_status=intake.vendor_status))
    s.add(incident)
    append_event(s, incident, ctx.actor, EventKind.CREATED, now, text=title, after={
        "type": str(kind), "priority": f"P{priority}", "impact": str(impact), "urgency": str(urgency),
        "severity": str(severity), "group": group.name if group else None, "assignee": incident.assignee,
        "source": str(source), **vendor,
    })
    return incident


def _next_incident_number(s: Session) -> int:
    """The new incident's id, known before the INSERT so the row is written once with its key (version 1).

    max+1, so the series has no gaps and `audit verify` reports a missing number as a deleted
    incident. SQLite writers hold the write lock (BEGIN IMMEDIATE); on PostgreSQL a sequence would
    lose a number to every rolled-back transaction, so creators take a transaction-scoped lock
    instead (the last lock any use case takes, so it cannot deadlock) and keep the sequence in step.
    """
    postgres = s.get_bind().dialect.name == "postgresql"
    if postgres:
        audit_store.lock(s, audit_store.NUMBER_LOCK)
    number = int(s.scalar(select(func.max(Incident.id))) or 0) + 1
    if postgres:
        s.execute(text("SELECT setval(pg_get_serial_sequence('incidents', 'id'), :n)"), {"n": number})
    return number


@contextmanager
def _editing(ctx: ServiceContext, key: str, expected_version: int | None) -> Iterator[tuple[Session, Incident, datetime]]:
    """Load one incident for change, locked, and refuse if it moved on since `expected_version`."""
    number = parse_key(key)
    try:
        with ctx.db.write() as s:
            incident = s.scalar(select(Incident).where(Incident.id == number).with_for_update(of=Incident))
            if incident is None:
                raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
            if expected_version is not None and incident.version != expected_version:
                raise _conflict(incident)
            now = ctx.now()
            # No autoflush until commit: the incident is then written by ONE update, so its version
            # moves by exactly one per action and `inc.version + 1` is what callers see next.
            with s.no_autoflush:
                yield s, incident, now
                incident.updated_at = now
                incident.updated_by = ctx.actor.login
    except StaleDataError:
        with ctx.db.read() as s:
            fresh = s.get(Incident, number)
        if fresh is None:
            raise NotFound(f"{key} was deleted while you edited it") from None
        raise _conflict(fresh) from None


def _conflict(incident: Incident) -> EditConflict:
    when = incident.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return EditConflict(
        f"{incident.key} was changed by {incident.updated_by} at {when}; nothing was saved — "
        "review the new state and try again",
        key=incident.key, changed_by=incident.updated_by, changed_at=incident.updated_at,
    )


def _transition(incident: Incident, action: str) -> tuple[Status, Status]:
    before = Status(incident.status)
    after = lifecycle.next_status(action, before, incident.key)
    _set_status(incident, after)
    return before, after


def acknowledge(ctx: ServiceContext, key: str, *, comment: str = "", expected_version: int | None = None) -> int:
    """Acknowledge: stops the response clock. Takes an unassigned incident for the actor."""
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _require_may_change(ctx, inc, "acknowledge", step=True)
        apply_acknowledge(s, ctx, inc, now, comment=comment)
        return inc.version + 1


def apply_acknowledge(s: Session, ctx: ServiceContext, inc: Incident, now: datetime, *, comment: str = "") -> None:
    """Acknowledge an incident already loaded in the caller's transaction (also used by alert ingestion).

    Also on hold, if nobody acknowledged it before the hold: the first response counts when it happens.
    """
    before = Status(inc.status)
    after = lifecycle.acknowledge_status(before, inc.acknowledged_at is not None, inc.key)
    _set_status(inc, after)
    inc.acknowledged_at = now
    inc.sla_due_at = inc.resolution_due_at
    sla = sla_sync.on_acknowledged(ctx.config, inc, now)
    if inc.assignee is None and not major.is_commander(ctx.actor.login, inc.commander, inc.is_major):
        inc.assignee = ctx.actor.login  # the commander acknowledges without taking the incident
    append_event(s, inc, ctx.actor, EventKind.ACKNOWLEDGED, now, text=_clean(comment),
                 before={"status": str(before)}, after={"status": str(after), "assignee": inc.assignee, **sla})


def start_work(ctx: ServiceContext, key: str, *, expected_version: int | None = None) -> int:
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _require_may_change(ctx, inc, "start", step=True)
        before, after = _transition(inc, "start")
        if inc.acknowledged_at is None:
            inc.acknowledged_at = now
            inc.sla_due_at = inc.resolution_due_at
        sla = sla_sync.on_acknowledged(ctx.config, inc, now)
        append_event(s, inc, ctx.actor, EventKind.STARTED, now,
                     before={"status": str(before)}, after={"status": str(after), **sla})
        return inc.version + 1


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
            member_logins = {m.login for m in inc.group.members}
            if inc.assignee not in member_logins:
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
    record = Escalation(incident_id=inc.id, at=now, actor=ctx.actor.login, kind=str(kind),
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


def hold(ctx: ServiceContext, key: str, *, reason: str, vendor: str | None = None,
         vendor_ticket: str | None = None, expected_version: int | None = None) -> int:
    """On hold; a hold "waiting for vendor" names the vendor ticket (given here, or recorded before)."""
    reason = _required(reason, "reason", "a reason for the hold (e.g. waiting for user)")
    limits.check("hold_reason", reason, parameter="reason")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _require_may_change(ctx, inc, "hold", step=True)
        before, after = _transition(inc, "hold")
        vendor_event = vendor_service.hold_vendor(inc, reason, vendor, vendor_ticket)
        inc.hold_reason = reason
        if inc.acknowledged_at is None:   # someone acted on it: that is its first response, now
            inc.acknowledged_at = now
            inc.sla_due_at = inc.resolution_due_at
        sla = sla_sync.on_hold(ctx.config, inc, now, reason)
        append_event(s, inc, ctx.actor, EventKind.HELD, now, text=vendor_event.get("text", reason),
                     before={"status": str(before), **vendor_event.get("before", {})},
                     after={"status": str(after), "reason": reason, **sla, **vendor_event.get("after", {})})
        return inc.version + 1


def resume(ctx: ServiceContext, key: str, *, comment: str = "", expected_version: int | None = None) -> int:
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _require_may_change(ctx, inc, "resume", step=True)
        before, after = _transition(inc, "resume")
        held_for = inc.hold_reason
        inc.hold_reason = None
        if inc.acknowledged_at is None:
            inc.acknowledged_at = now
            inc.sla_due_at = inc.resolution_due_at
        sla = sla_sync.on_resumed(ctx.config, inc, now)
        append_event(s, inc, ctx.actor, EventKind.RESUMED, now, text=_clean(comment),
                     before={"status": str(before), "reason": held_for}, after={"status": str(after), **sla})
        return inc.version + 1


def resolve(ctx: ServiceContext, key: str, *, code: ResolutionCode | str, notes: str,
            expected_version: int | None = None) -> int:
    code = parse_enum(ResolutionCode, code, "resolution code")
    notes = _required(notes, "notes", "resolution notes (what fixed it, or the workaround)")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _require_may_change(ctx, inc, "resolve", step=True)
        apply_resolve(s, ctx, inc, now, code=code, notes=notes)
        return inc.version + 1


def apply_resolve(s: Session, ctx: ServiceContext, inc: Incident, now: datetime, *, code: ResolutionCode,
                  notes: str) -> None:
    """Resolve an incident already loaded in the caller's transaction (also used by alert auto-resolve)."""
    before, after = _transition(inc, "resolve")
    inc.resolved_at = now
    inc.hold_reason = None
    if inc.acknowledged_at is None:
        inc.acknowledged_at = now
    inc.resolution_code = str(code)
    inc.resolution_notes = notes
    escalated = s.scalar(select(Escalation.id).where(Escalation.incident_id == inc.id).limit(1)) is not None
    inc.first_contact_resolution = not escalated and inc.reopen_count == 0 and inc.tier == 1
    sla = sla_sync.on_resolved(ctx.config, inc, now)
    append_event(s, inc, ctx.actor, EventKind.RESOLVED, now, text=notes,
                 before={"status": str(before)},
                 after={"status": str(after), "code": str(code), "fcr": inc.first_contact_resolution, **sla})


def close(ctx: ServiceContext, key: str, *, confirmed: bool = False, csat: int | None = None,
          comment: str = "", expected_version: int | None = None) -> int:
    if csat is not None and not 1 <= int(csat) <= 5:
        raise ValidationError(f"CSAT must be 1 to 5, not {csat}", field="csat")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        before, after = _transition(inc, "close")
        pir_service.check_close(s, ctx.config, inc)   # a major incident needs its review ([pir] required)
        sla_sync.on_closed_or_cancelled(inc)
        inc.closed_at = now
        inc.user_confirmed = bool(confirmed)
        inc.csat = int(csat) if csat is not None else None
        append_event(s, inc, ctx.actor, EventKind.CLOSED, now, text=_clean(comment),
                     before={"status": str(before)},
                     after={"status": str(after), "user_confirmed": bool(confirmed), "csat": inc.csat})
        return inc.version + 1


def reopen(ctx: ServiceContext, key: str, *, reason: str, expected_version: int | None = None) -> int:
    reason = _required(reason, "reason", "a reason to reopen")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        apply_reopen(s, ctx, inc, now, reason=reason)
        return inc.version + 1


def apply_reopen(s: Session, ctx: ServiceContext, inc: Incident, now: datetime, *, reason: str) -> None:
    """Reopen an incident already loaded in the caller's transaction (also used when an alert repeats)."""
    if Status(inc.status) is Status.RESOLVED:
        lifecycle.check_reopen_window(inc.resolved_at, now, ctx.config.reopen_window, inc.key)
    before, after = _transition(inc, "reopen")
    inc.reopen_count += 1
    inc.first_contact_resolution = False
    was_resolved_at = inc.resolved_at
    inc.resolved_at = None
    inc.resolution_code = None
    sla = sla_sync.on_reopened(ctx.config, inc, now, was_resolved_at)
    inc.sla_due_at = inc.resolution_due_at
    append_event(s, inc, ctx.actor, EventKind.REOPENED, now, text=reason,
                 before={"status": str(before)},
                 after={"status": str(after), "reopen_count": inc.reopen_count, **sla})


def cancel(ctx: ServiceContext, key: str, *, reason: str, expected_version: int | None = None) -> int:
    reason = _required(reason, "reason", "a reason to cancel (e.g. logged by mistake)")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _require_may_change(ctx, inc, "cancel", step=True)
        before, after = _transition(inc, "cancel")
        sla_sync.on_closed_or_cancelled(inc)
        append_event(s, inc, ctx.actor, EventKind.CANCELLED, now, text=reason,
                     before={"status": str(before)}, after={"status": str(after)})
        return inc.version + 1


def comment(ctx: ServiceContext, key: str, text: str, *, expected_version: int | None = None) -> int:
    """Add a note to the timeline. Comments never conflict: they change nothing another person typed."""
    text = _required(text, "text", "comment text")
    with _editing(ctx, key, None) as (s, inc, now):
        append_event(s, inc, ctx.actor, EventKind.COMMENT, now, text=text)
        return inc.version + 1


def require_admin(ctx: ServiceContext, doing: str) -> None:
    require(ctx.actor, Role.ADMIN, doing)
