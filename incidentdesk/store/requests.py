"""Reading service requests: the request types, and one request's type, values, checklist and approval.

Plain frozen dataclasses, so the console and the CLI never hold ORM objects; the writers are
services/requests.py and services/request_types.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select

from incidentdesk.domain.errors import NotFound
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.requests import FieldDef, parse_approver
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Group, Incident
from incidentdesk.store.request_models import RequestStep, RequestType, RequestValue, ServiceRequest


@dataclass(frozen=True)
class RequestTypeView:
    name: str
    label: str
    description: str
    fields: tuple[FieldDef, ...]
    steps: tuple[str, ...]
    approval: str          # domain/requests.Approver.text(): none, manager, manager:GROUP, role:ROLE
    group: str | None
    category: str | None
    impact: str
    urgency: str
    response: str | None
    resolution: str | None
    retired: bool

    def to_json(self) -> dict:
        data = asdict(self)
        data["fields"] = [f.to_json() for f in self.fields]
        data["steps"] = list(self.steps)
        return data


@dataclass(frozen=True)
class StepView:
    number: int
    title: str
    done_at: datetime | None
    done_by: str | None


@dataclass(frozen=True)
class RequestView:
    """One request as the Request tab and `request show` show it."""

    key: str
    type: str
    type_label: str
    approval: str             # domain/requests.Approval
    approver: str             # who approves, in words ("the manager of Service Desk")
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    values: tuple[tuple[str, str, str], ...]   # (name, label, value), in the type's order
    steps: tuple[StepView, ...]
    sla_target: str | None

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done_at is not None)

    def to_json(self) -> dict:
        return {
            "key": self.key, "type": self.type, "type_label": self.type_label, "approval": self.approval,
            "approver": self.approver, "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
            "decision_note": self.decision_note, "sla_target": self.sla_target,
            "fields": {name: value for name, _, value in self.values},
            "steps": [{"number": s.number, "title": s.title, "done": s.done_at is not None,
                       "done_at": s.done_at.isoformat() if s.done_at else None, "done_by": s.done_by}
                      for s in self.steps],
        }


def type_view(t: RequestType, group: str | None) -> RequestTypeView:
    return RequestTypeView(
        name=t.name, label=t.label, description=t.description or "",
        fields=tuple(FieldDef.from_json(f) for f in t.fields or ()), steps=tuple(t.steps or ()),
        approval=t.approval or "none", group=group, category=t.category, impact=t.impact, urgency=t.urgency,
        response=t.response, resolution=t.resolution, retired=bool(t.retired))


def list_types(db: Database, *, include_retired: bool = False) -> list[RequestTypeView]:
    with db.read() as s:
        stmt = (select(RequestType, Group.name).outerjoin(Group, RequestType.group_id == Group.id)
                .order_by(RequestType.name))
        if not include_retired:
            stmt = stmt.where(RequestType.retired.is_(False))
        return [type_view(t, g) for t, g in s.execute(stmt).all()]


def get_type(db: Database, name: str) -> RequestTypeView:
    for t in list_types(db, include_retired=True):
        if t.name == (name or "").strip().lower():
            return t
    raise NotFound(f"no request type {name!r}: `incidentdesk request types` lists them")


def request_view(db: Database, key: str) -> RequestView | None:
    """The request part of `key`, or None when it is no service request (or one raised without a type)."""
    number = parse_key(key)
    with db.read() as s:
        row = s.execute(
            select(ServiceRequest, RequestType, Incident.key, Incident.sla_target, Group.name)
            .join(RequestType, ServiceRequest.type_id == RequestType.id)
            .join(Incident, ServiceRequest.incident_id == Incident.id)
            .outerjoin(Group, Incident.group_id == Group.id)
            .where(ServiceRequest.incident_id == number)).first()
        if row is None:
            if s.get(Incident, number) is None:
                raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
            return None
        sr, rtype, inc_key, sla_target, group = row
        values = {v.name: v.value for v in s.scalars(select(RequestValue).where(RequestValue.incident_id == number))}
        steps = s.scalars(select(RequestStep).where(RequestStep.incident_id == number).order_by(RequestStep.number))
        fields = [FieldDef.from_json(f) for f in rtype.fields or ()]
        labelled = [(f.name, f.label, values.pop(f.name)) for f in fields if f.name in values]
        labelled += [(name, name, value) for name, value in sorted(values.items())]  # fields since removed
        return RequestView(
            key=inc_key, type=rtype.name, type_label=rtype.label, approval=sr.approval,
            approver=parse_approver(sr.approver).words(group), decided_by=sr.decided_by, decided_at=sr.decided_at,
            decision_note=sr.decision_note or "", values=tuple(labelled),
            steps=tuple(StepView(st.number, st.title, st.done_at, st.done_by) for st in steps),
            sla_target=sla_target)
