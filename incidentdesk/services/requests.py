"""Service requests: raise one of a type, tick its fulfilment steps, approve or reject it, fulfil it.

A request is an incident row of type "request" (key REQ-…), so acknowledging, assigning,
holding, commenting, resolving and closing are the incident's own use cases (services/
incidents.py), reused as they are. What a request adds is here, each use case one transaction
with its timeline event: the type's fields validated at intake (one line naming the missing or
unknown field), the checklist whose every tick is an event, the approval (asked at intake when
the type needs one; approver checked by domain/requests.require_approver), and fulfilment — the
incident's resolve step, behind the gate (services/request_gate.py) that the incident's own
resolve also passes: no request is resolved before it is approved and its checklist done.
Routing uses the type: a request goes to its type's group, with its type's own SLA targets.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import EventKind, IncidentType, Source
from incidentdesk.domain.errors import InvalidTransition, NotFound, ValidationError
from incidentdesk.domain.requests import (
    Approval, FieldDef, check_name, check_values, parse_approver, parse_values, require_approver, target_text,
)
from incidentdesk.services import request_gate, sla_sync
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incidents import (
    Intake, _clean, _editing, _required, _require_may_change, apply_resolve, create_incident,
)
from incidentdesk.services.timeline import append_event
from incidentdesk.store.models import Group, Incident
from incidentdesk.store.request_models import RequestStep, RequestType, RequestValue, ServiceRequest

FULFILLED = "fulfilled"   # the resolution code a fulfilled request is resolved with


def raise_request(ctx: ServiceContext, type: str, *, field: tuple[str, ...] = (), title: str | None = None,
                  impact: str | None = None, urgency: str | None = None, description: str = "",
                  source: str = Source.MANUAL.value) -> str:
    """Raise a request of `type` with its fields (`name=value` each); returns its key (REQ-…)."""
    name = check_name(type, "request type")
    values = parse_values(field)
    with ctx.db.write() as s:
        rtype = s.scalar(select(RequestType).where(RequestType.name == name))
        if rtype is None or rtype.retired:
            known = ", ".join(s.scalars(select(RequestType.name).where(RequestType.retired.is_(False))
                                        .order_by(RequestType.name)).all()) or "none yet (request type-add)"
            state = "is retired" if rtype is not None else "does not exist"
            raise ValidationError(f"request type {name!r} {state}; known types: {known}", field="type")
        fields = tuple(FieldDef.from_json(f) for f in rtype.fields or ())
        kept = check_values(name, fields, values)
        labels = {f.name: f.label for f in fields}
        group = s.get(Group, rtype.group_id) if rtype.group_id else None
        summary = "\n".join(f"{labels[k]}: {v}" for k, v in kept.items())
        first = next(iter(kept.values()), "")
        inc = create_incident(s, ctx, Intake(
            title=_clean(title) or (f"{rtype.label}: {first}" if first else rtype.label)[:500],
            impact=impact or rtype.impact, urgency=urgency or rtype.urgency, type=IncidentType.REQUEST,
            description="\n\n".join(p for p in (_clean(description), summary) if p),
            category=rtype.category, group=group.name if group else None, source=source))
        own = target_text(rtype.response, rtype.resolution)
        if own:   # the type's own targets: due times counted again with them
            inc.sla_target = own
            sla_sync.on_logged(ctx.config, inc, inc.created_at)
        s.flush()   # the incident row first (once, version 1): the request's rows point at it
        approver = parse_approver(rtype.approval)
        s.add(ServiceRequest(incident_id=inc.id, type_id=rtype.id, approver=approver.text(), decision_note="",
                             approval=Approval.PENDING if approver.required else Approval.NOT_REQUIRED))
        s.add_all(RequestValue(incident_id=inc.id, name=k, value=v) for k, v in kept.items())
        s.add_all(RequestStep(incident_id=inc.id, number=n, title=t) for n, t in enumerate(rtype.steps or (), 1))
        if approver.required:
            append_event(s, inc, ctx.actor, EventKind.APPROVAL, inc.created_at,
                         text=f"approval asked of {approver.words(group.name if group else None)}",
                         after={"approval": Approval.PENDING, "request_type": name})
        return inc.key


def _request(s: Session, inc: Incident) -> ServiceRequest:
    sr = s.get(ServiceRequest, inc.id)
    if sr is None:
        what = "a service request raised without a type" if inc.type == "request" else "an incident"
        raise InvalidTransition(f"{inc.key} is {what}: it has no checklist or approval (request new TYPE raises one)")
    return sr


def request_step(ctx: ServiceContext, key: str, *, number: int, undo: bool = False,
                 expected_version: int | None = None) -> int:
    """Tick fulfilment step `number` (from 1) done, or with undo not done; recorded on the timeline."""
    with _editing(ctx, key, None) as (s, inc, now):
        sr = _request(s, inc)
        _require_may_change(ctx, inc, "request_step", step=True)
        blocked = request_gate.approval_block(sr, inc, "work on")
        if blocked:
            raise InvalidTransition(blocked)
        steps = s.scalars(select(RequestStep).where(RequestStep.incident_id == inc.id)
                          .order_by(RequestStep.number)).all()
        step = next((st for st in steps if st.number == int(number)), None)
        if step is None:
            have = f"steps 1 to {len(steps)}" if steps else "no fulfilment steps"
            raise ValidationError(f"{inc.key} has {have}, not step {number}", field="number")
        if undo and step.done_at is None:
            raise InvalidTransition(f"step {step.number} of {inc.key} is not done: nothing to undo")
        if not undo and step.done_at is not None:
            raise InvalidTransition(f"step {step.number} of {inc.key} was done by {step.done_by} already "
                                    "(--undo marks it not done)")
        step.done_at, step.done_by = (None, None) if undo else (now, ctx.actor.login)
        done = sum(1 for st in steps if st.done_at is not None)
        append_event(s, inc, ctx.actor, EventKind.REQUEST_STEP, now,
                     text=f"step {step.number} {'not done' if undo else 'done'}: {step.title}",
                     before={"step": step.number, "done": bool(undo)},
                     after={"step": step.number, "done": not undo, "steps_done": f"{done}/{len(steps)}"})
        return inc.version + 1


def _decide(ctx: ServiceContext, key: str, expected_version: int | None, *, to: str, doing: str,
            note: str) -> int:
    with _editing(ctx, key, expected_version) as (s, inc, now):
        sr = _request(s, inc)
        lifecycle.next_status("approve_request" if to == Approval.APPROVED else "reject_request", inc.status, inc.key)
        if sr.approval != Approval.PENDING:
            state = {Approval.NOT_REQUIRED: "needs no approval"}.get(sr.approval, f"is {sr.approval} already")
            raise InvalidTransition(f"cannot {doing} {inc.key}: it {state}")
        approver = parse_approver(sr.approver)
        group = approver.group or (inc.group.name if inc.group else None)
        manager = s.scalar(select(Group.manager).where(Group.name == group)) if approver.kind == "manager" else None
        require_approver(ctx.actor, approver, key=inc.key, reporter=inc.reporter, manager=manager, doing=doing)
        sr.approval, sr.decided_by, sr.decided_at, sr.decision_note = to, ctx.actor.login, now, note
        append_event(s, inc, ctx.actor, EventKind.APPROVAL, now, text=f"{to}" + (f": {note}" if note else ""),
                     before={"approval": Approval.PENDING}, after={"approval": to})
        return inc.version + 1


def approve_request(ctx: ServiceContext, key: str, *, comment: str = "", expected_version: int | None = None) -> int:
    """Approve a request waiting for approval (only its type's approver; never the person who raised it)."""
    return _decide(ctx, key, expected_version, to=Approval.APPROVED, doing="approve", note=_clean(comment))


def reject_request(ctx: ServiceContext, key: str, *, reason: str, expected_version: int | None = None) -> int:
    """Reject a request waiting for approval, with a reason; it can then be cancelled or asked again."""
    reason = _required(reason, "reason", "a reason for rejecting")
    return _decide(ctx, key, expected_version, to=Approval.REJECTED, doing="reject", note=reason)


def request_approval(ctx: ServiceContext, key: str, *, comment: str = "", expected_version: int | None = None) -> int:
    """Ask again for the approval of a rejected request (e.g. after changing what it asks for)."""
    with _editing(ctx, key, expected_version) as (s, inc, now):
        sr = _request(s, inc)
        lifecycle.next_status("request_approval", inc.status, inc.key)
        if sr.approval != Approval.REJECTED:
            state = {Approval.NOT_REQUIRED: "needs no approval"}.get(sr.approval, f"is {sr.approval}")
            raise InvalidTransition(f"cannot ask for approval of {inc.key}: it {state}")
        before = sr.approval
        sr.approval, sr.decided_by, sr.decided_at, sr.decision_note = Approval.PENDING, None, None, ""
        who = parse_approver(sr.approver).words(inc.group.name if inc.group else None)
        append_event(s, inc, ctx.actor, EventKind.APPROVAL, now,
                     text=f"approval asked again of {who}" + (f": {_clean(comment)}" if _clean(comment) else ""),
                     before={"approval": before}, after={"approval": Approval.PENDING})
        return inc.version + 1


def fulfil(ctx: ServiceContext, key: str, *, notes: str = "", expected_version: int | None = None) -> int:
    """Fulfil (resolve) a request: approved where needed and every step done; the incident's resolve step."""
    with _editing(ctx, key, expected_version) as (s, inc, now):
        _request(s, inc)
        _require_may_change(ctx, inc, "fulfil", step=True)
        request_gate.check_ready(s, inc, "fulfil")
        apply_resolve(s, ctx, inc, now, code=FULFILLED, notes=_clean(notes) or "fulfilled")
        return inc.version + 1


def request_record(db, key: str) -> dict:
    """The request as `incidentdesk request show KEY --json` prints it: the incident and its request part."""
    from incidentdesk.store import queries
    from incidentdesk.store.requests import request_view

    view = request_view(db, key)
    if view is None:
        raise NotFound(f"{key} is not a service request raised with a type")
    return {**queries.incident_detail(db, key).to_json(), "request": view.to_json()}
