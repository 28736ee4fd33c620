"""Logging an incident: the structured intake, its checks, and the row written once with its key.

`log_incident` is the person's use case (its own transaction); `create_incident` adds one inside
the caller's transaction, which is how alert ingestion logs the incidents alerts start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.domain import limits
from incidentdesk.domain.enums import EventKind, IncidentType, Level, Severity, Source, Status, parse_enum
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.keys import format_key
from incidentdesk.domain.priority import derive_priority
from incidentdesk.services import sla_sync
from incidentdesk.services import vendor as vendor_service
from incidentdesk.services.category_check import checked_category, default_group_for
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _clean, _group_by_name, _required
from incidentdesk.services.timeline import append_event
from incidentdesk.store import writes

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Incident

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


def _apply_sla(ctx: ServiceContext, incident: Incident) -> None:
    """Due times on the policy's calendar, and when the sweeper must first look (services/sla_sync.py)."""
    sla_sync.on_logged(ctx.config, incident, ctx.now())


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
    if source is not Source.ALERT:  # a person picks from the category tree; an alert is never refused
        category = checked_category(s, category)
    impact = parse_enum(Level, intake.impact, "impact")
    urgency = parse_enum(Level, intake.urgency, "urgency")
    kind = parse_enum(IncidentType, intake.type, "type")
    priority = derive_priority(impact, urgency, ctx.config.priority_matrix)
    severity = parse_enum(Severity, intake.severity, "severity") if intake.severity else DEFAULT_SEVERITY[priority]
    now = ctx.now()
    if intake.started_at is not None and intake.started_at.tzinfo is None:
        raise ValidationError("the start time needs a time zone", field="started_at")
    # Routing by category: a person's incident with no group goes to its category's default group.
    group = _group_by_name(s, intake.group or (default_group_for(s, category) if source is not Source.ALERT else None))
    number = _next_incident_number(s)
    incident = writes.new_incident(s,
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
    postgres = not writes.is_plain(s) and s.get_bind().dialect.name == "postgresql"
    if postgres:
        from incidentdesk.store import audit as audit_store

        audit_store.lock(s, audit_store.NUMBER_LOCK)
    number = int(writes.max_incident_id(s) or 0) + 1
    if postgres:
        from sqlalchemy import text

        s.execute(text("SELECT setval(pg_get_serial_sequence('incidents', 'id'), :n)"), {"n": number})
    return number
