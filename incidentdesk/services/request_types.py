"""Managing request types (an admin's job): add or redefine one, retire it (or bring it back).

A type's definition applies to requests raised from then on: a request keeps the checklist,
approver and SLA targets it was raised with (its own rows and columns), so redefining a type
never rewrites work in flight. Types are never deleted — requests point at them — only retired
(no new requests of that type).
"""

from __future__ import annotations

from sqlalchemy import select

from incidentdesk.domain.enums import Level, Role, parse_enum
from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.domain.requests import MAX_STEPS, check_name, parse_approver, parse_fields
from incidentdesk.domain.roles import require
from incidentdesk.domain.sla import BusinessDays, parse_span
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _clean, _group_by_name
from incidentdesk.store.request_models import RequestType


def _span(value: str | None, which: str) -> str | None:
    text = _clean(value)
    if not text:
        return None
    span = parse_span(text, which)
    if (span.days <= 0) if isinstance(span, BusinessDays) else span.total_seconds() <= 0:
        raise ValidationError(f"{which} {text!r} must be more than zero", field=which)
    return text.replace(" ", "")


def _fits(text: str, most: int, field: str, what: str) -> None:
    if len(text) > most:
        raise ValidationError(f"{what} may have at most {most} characters, not {len(text)}", field=field)


def add_request_type(ctx: ServiceContext, *, name: str, label: str | None = None, description: str = "",
                     field: tuple[str, ...] = (), step: tuple[str, ...] = (), approval: str | None = None,
                     group: str | None = None, category: str | None = None, impact: str | None = None,
                     urgency: str | None = None, response: str | None = None, resolution: str | None = None) -> str:
    """Add a request type, or redefine one of that name (every part given again); returns its name."""
    require(ctx.actor, Role.ADMIN, "manage request types")
    name = check_name(name)
    fields = parse_fields(field)
    steps = tuple(_clean(s) for s in step or () if _clean(s))
    if len(steps) > MAX_STEPS:
        raise ValidationError(f"a request type has at most {MAX_STEPS} fulfilment steps", field="step")
    for title in steps:
        _fits(title, 300, "step", "a fulfilment step")
    approver = parse_approver(approval)
    impact_level = parse_enum(Level, impact or "low", "impact")
    urgency_level = parse_enum(Level, urgency or "low", "urgency")
    response_text, resolution_text = _span(response, "response"), _span(resolution, "resolution")
    label_text = _clean(label) or name.replace("-", " ").replace("_", " ").capitalize()
    _fits(label_text, 200, "label", "the label")
    with ctx.db.write() as s:
        routed = _group_by_name(s, _clean(group) or None)
        if approver.kind == "manager" and approver.group:
            _group_by_name(s, approver.group)
        elif approver.kind == "manager" and routed is None:
            raise ValidationError("approval by the manager needs a group: give --group (where requests route) "
                                  "or manager:GROUP", field="approval")
        now = ctx.now()
        rtype = s.scalar(select(RequestType).where(RequestType.name == name))
        if rtype is None:
            rtype = RequestType(name=name, created_at=now, created_by=ctx.actor.login)
            s.add(rtype)
        rtype.label, rtype.description = label_text, _clean(description)
        rtype.fields = [f.to_json() for f in fields]
        rtype.steps = list(steps)
        rtype.approval = approver.text()
        rtype.group_id = routed.id if routed else None
        rtype.category = _clean(category) or None
        rtype.impact, rtype.urgency = str(impact_level), str(urgency_level)
        rtype.response, rtype.resolution = response_text, resolution_text
        rtype.retired = False
        rtype.updated_at, rtype.updated_by = now, ctx.actor.login
    return name


def retire_request_type(ctx: ServiceContext, *, name: str, undo: bool = False) -> str:
    """Retire a type (no new requests of it; those raised keep it), or with undo bring it back."""
    require(ctx.actor, Role.ADMIN, "manage request types")
    with ctx.db.write() as s:
        rtype = s.scalar(select(RequestType).where(RequestType.name == (name or "").strip().lower()))
        if rtype is None:
            raise NotFound(f"no request type {name!r}: `incidentdesk request types` lists them")
        rtype.retired = not undo
        rtype.updated_at, rtype.updated_by = ctx.now(), ctx.actor.login
    return rtype.name
