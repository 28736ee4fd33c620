"""Incident use cases: log, acknowledge, assign, reprioritise, escalate, hold, resolve, close...

Every function is one transaction. Those that change an existing incident take the
`expected_version` the caller last saw; if someone else changed it since, nothing is
written and EditConflict says who and when.

This module holds the lifecycle steps (acknowledge, start, hold, resume, resolve, close,
reopen, cancel) and comments, and is the one import for every incident use case: logging one
is in services/intake.py, who has it and how urgent in services/assignment.py, the loading
for change they all share in services/incident_edit.py; their names are imported here so that
`from incidentdesk.services import incidents` (the catalog, alert ingestion, the sweeper, the
tests) reaches all of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.domain import limits, lifecycle, major
from incidentdesk.domain.enums import EventKind, Level, ResolutionCode, Status, parse_enum
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.links import LinkKind, cascade_note
from incidentdesk.services import pir_gate, sla_sync
from incidentdesk.services import vendor as vendor_service
from incidentdesk.services.assignment import (
    apply_escalate, apply_reprioritise, assign, escalate, reprioritise, take,
)
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import (
    _clean, _conflict, _editing, _group_by_name, _known_user, _require_may_change, _required, _set_status,
    _situation, _transition,
)
from incidentdesk.services.intake import (
    DEFAULT_SEVERITY, Intake, create_incident, log_incident, log_incident_fields,
)
from incidentdesk.services.timeline import append_event
from incidentdesk.store import writes

if TYPE_CHECKING:  # a plain sqlite3 write (store/writes) runs these steps without SQLAlchemy
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Incident

__all__ = [
    # services/intake.py
    "DEFAULT_SEVERITY", "Intake", "create_incident", "log_incident", "log_incident_fields",
    # services/assignment.py
    "apply_escalate", "apply_reprioritise", "assign", "escalate", "reprioritise", "take",
    # here: the lifecycle steps
    "acknowledge", "apply_acknowledge", "apply_reopen", "apply_resolve", "cancel", "close", "comment", "hold",
    "reopen", "resolve", "resume", "start_work",
    # services/incident_edit.py, for use cases in other modules (services/major.py, ...)
    "_clean", "_conflict", "_editing", "_group_by_name", "_known_user", "_require_may_change", "_required",
    "_set_status", "_situation", "_transition",
    "Level", "ServiceContext",
]


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
        from incidentdesk.services import request_gate

        request_gate.check_ready(s, inc)   # a service request: approved, its checklist done
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
    escalated = writes.was_escalated(s, inc.id)
    inc.first_contact_resolution = not escalated and inc.reopen_count == 0 and inc.tier == 1
    sla = sla_sync.on_resolved(ctx.config, inc, now)
    append_event(s, inc, ctx.actor, EventKind.RESOLVED, now, text=notes,
                 before={"status": str(before)},
                 after={"status": str(after), "code": str(code), "fcr": inc.first_contact_resolution, **sla})
    _resolve_folded(s, ctx, inc, now, code, notes)  # its children and duplicates


def _resolve_folded(s: Session, ctx: ServiceContext, parent: Incident, now: datetime, code: ResolutionCode,
                    notes: str) -> list[str]:
    """Resolve the open incidents folded under `parent` (being resolved in this transaction), each with
    its own event (services/links.py folds them). A duplicate is resolved with the code "duplicate"; a
    child with its parent's code. Returns their keys."""
    folded = writes.open_folded(s, parent.id)
    for child in folded:
        child_code = ResolutionCode.DUPLICATE if child.link_kind == LinkKind.DUPLICATE else code
        apply_resolve(s, ctx, child, now, code=child_code, notes=cascade_note(parent.key, child.link_kind, notes))
        child.updated_at = now
        child.updated_by = ctx.actor.login
    return [c.key for c in folded]


def close(ctx: ServiceContext, key: str, *, confirmed: bool = False, csat: int | None = None,
          comment: str = "", expected_version: int | None = None) -> int:
    if csat is not None and not 1 <= int(csat) <= 5:
        raise ValidationError(f"CSAT must be 1 to 5, not {csat}", field="csat")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        before, after = _transition(inc, "close")
        pir_gate.check_close(s, ctx.config, inc)   # a major incident needs its review ([pir] required)
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
