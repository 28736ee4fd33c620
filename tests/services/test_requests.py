"""Service requests on SQLite and PostgreSQL: typed intake, routing by type, approvals, the checklist, own SLAs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.services import request_types, requests, sla
from incidentdesk.store import queries
from incidentdesk.store.models import Incident
from incidentdesk.store.queries import QueueFilter
from incidentdesk.store.request_models import RequestStep, RequestValue, ServiceRequest
from incidentdesk.store.requests import get_type, list_types, request_view
from tests.support.requests import ACCESS_STEPS, add_types


@pytest.fixture
def desk(team, make_ctx):
    add_types(team.admin)
    team.ines = make_ctx("ines", Role.RESPONDER, groups=("Service Desk",))   # manager of Service Desk
    return team


def _access(ctx, **extra):
    return requests.raise_request(ctx, "access", field=("system=crm", "user=j.doe", *extra.pop("more", ())), **extra)


def _rows(db) -> tuple[int, int, int, int]:
    with db.read() as s:
        return tuple(s.scalar(select(func.count()).select_from(m)) for m in (Incident, ServiceRequest, RequestValue,
                                                                              RequestStep))


@pytest.mark.parametrize("fields, message", [
    (("system=crm",), r"request type access needs the field 'user' \(User\)"),
    (("system=crm", "user=x", "colour=blue"), r"unknown field 'colour' for request type access; its fields: "
                                             r"system, user, reason"),
    (("system=payroll", "user=x"), r"field 'system' must be one of Finance share, CRM, not 'payroll'"),
    (("system", "user=x"), r"field 'system': give it as NAME=VALUE"),
])
def test_fields_are_validated_with_one_line_and_nothing_written(desk, fields, message):
    before = _rows(desk.db)
    with pytest.raises(ValidationError, match=message) as err:
        requests.raise_request(desk.ann, "access", field=fields)
    assert "\n" not in str(err.value) and err.value.field == "field"
    assert _rows(desk.db) == before


def test_unknown_and_retired_types_are_refused_naming_the_known_ones(desk):
    with pytest.raises(ValidationError, match=r"request type 'acces' does not exist; known types: access, "
                                              r"password-reset"):
        requests.raise_request(desk.ann, "acces")
    request_types.retire_request_type(desk.admin, name="password-reset")
    with pytest.raises(ValidationError, match=r"'password-reset' is retired; known types: access$"):
        requests.raise_request(desk.ann, "password-reset", field=("user=x",))
    assert [t.name for t in list_types(desk.db)] == ["access"]
    request_types.retire_request_type(desk.admin, name="password-reset", undo=True)
    assert requests.raise_request(desk.ann, "password-reset", field=("user=x",)).startswith("REQ-")


def test_a_request_is_typed_routed_by_its_type_and_keeps_its_values(desk):
    key = _access(desk.ann, more=("reason=month-end close",))
    assert key.startswith("REQ-")
    d = queries.incident_detail(desk.db, key)
    assert (d.type, d.group, d.title, d.priority) == ("request", "Service Desk", "Access request: CRM", 4)
    assert "System: CRM" in d.description and "User: j.doe" in d.description
    view = request_view(desk.db, key)
    assert view.type == "access" and view.approval == "pending" and view.approver == "the manager of Service Desk"
    assert view.values == (("system", "System", "CRM"), ("user", "User", "j.doe"),
                           ("reason", "Why it is needed", "month-end close"))
    assert [s.title for s in view.steps] == list(ACCESS_STEPS) and view.steps_done == 0
    assert [e.kind for e in d.timeline][:2] == ["approval", "created"]
    # an incident is no request: no request part, and the request use cases say so
    inc = svc.log_incident(desk.ann, svc.Intake(title="Mail down", impact="low", urgency="low", group="Service Desk"))
    assert request_view(desk.db, inc) is None
    with pytest.raises(InvalidTransition, match=r"INC-\d+ is an incident: it has no checklist"):
        requests.request_step(desk.ann, inc, number=1)
    with pytest.raises(NotFound):
        request_view(desk.db, "REQ-999999")


def test_approval_gate_and_who_may_approve(desk):
    key = _access(desk.ann)
    gate = r"cannot (fulfil|resolve|work on) REQ-\d+: it waits for approval by the manager of Service Desk"
    with pytest.raises(InvalidTransition, match=gate):
        requests.request_step(desk.ann, key, number=1)
    with pytest.raises(InvalidTransition, match=gate):
        requests.fulfil(desk.ann, key, notes="done")
    with pytest.raises(InvalidTransition, match=gate):   # the incident's own resolve passes the same gate
        svc.resolve(desk.ann, key, code="permanent_fix", notes="done")
    with pytest.raises(PermissionDenied, match="only ines, the group's manager, may"):
        requests.approve_request(desk.mgr, key)
    version = queries.incident_detail(desk.db, key).version
    requests.approve_request(desk.ines, key, comment="fine for month end", expected_version=version)
    view = request_view(desk.db, key)
    assert (view.approval, view.decided_by, view.decision_note) == ("approved", "ines", "fine for month end")
    with pytest.raises(InvalidTransition, match="cannot approve REQ-\\d+: it is approved already"):
        requests.approve_request(desk.ines, key)
    with pytest.raises(InvalidTransition, match=r"3 of 3 fulfilment steps not done \(step 1: Check entitlement"):
        requests.fulfil(desk.ann, key)
    for n in (1, 2, 3):
        requests.request_step(desk.ann, key, number=n)
    requests.fulfil(desk.ann, key, notes="granted read access")
    d = queries.incident_detail(desk.db, key)
    assert (d.status, d.resolution_code, d.resolution_notes) == ("resolved", "fulfilled", "granted read access")
    svc.close(desk.ann, key, confirmed=True)   # the rest of its life is the incident's
    assert queries.incident_detail(desk.db, key).status == "closed"


def test_the_requester_never_approves_and_a_role_approver_is_checked(desk, make_ctx):
    request_types.add_request_type(desk.admin, name="new-software", field=("app*:Application",),
                                   approval="role:incident_manager", group="Platform SRE")
    key = requests.raise_request(desk.mgr, "new-software", field=("app=Visio",))
    with pytest.raises(PermissionDenied, match="you raised it"):
        requests.approve_request(desk.mgr, key)
    with pytest.raises(PermissionDenied, match=r"it needs an incident manager \(or higher\)"):
        requests.approve_request(desk.cap, key)
    boss = make_ctx("boss", Role.INCIDENT_MANAGER)
    requests.approve_request(boss, key)
    assert request_view(desk.db, key).approval == "approved"
    assert queries.incident_detail(desk.db, key).group == "Platform SRE"


def test_rejected_then_asked_again(desk):
    key = _access(desk.ann)
    with pytest.raises(ValidationError, match="a reason for rejecting is required"):
        requests.reject_request(desk.ines, key, reason=" ")
    requests.reject_request(desk.ines, key, reason="not your team's data")
    with pytest.raises(InvalidTransition, match=r"its approval was rejected by ines; ask again"):
        requests.fulfil(desk.ann, key)
    requests.request_approval(desk.ann, key, comment="manager asked for it")
    assert request_view(desk.db, key).approval == "pending"
    with pytest.raises(InvalidTransition, match="cannot ask for approval of REQ-\\d+: it is pending"):
        requests.request_approval(desk.ann, key)
    kinds = [(e.kind, e.after.get("approval")) for e in queries.incident_detail(desk.db, key).timeline
             if e.kind == "approval"]
    assert kinds == [("approval", "pending"), ("approval", "rejected"), ("approval", "pending")]


def test_checklist_steps_are_recorded_on_the_timeline(desk):
    key = requests.raise_request(desk.ann, "password-reset", field=("user=j.doe",))
    assert request_view(desk.db, key).approval == "not_required"
    requests.request_step(desk.ann, key, number=1)
    with pytest.raises(InvalidTransition, match="step 1 of REQ-\\d+ was done by ann already"):
        requests.request_step(desk.ann, key, number=1)
    requests.request_step(desk.cap, key, number=1, undo=True)
    with pytest.raises(InvalidTransition, match="step 1 of REQ-\\d+ is not done: nothing to undo"):
        requests.request_step(desk.ann, key, number=1, undo=True)
    with pytest.raises(ValidationError, match="REQ-\\d+ has steps 1 to 1, not step 2"):
        requests.request_step(desk.ann, key, number=2)
    events = [e for e in queries.incident_detail(desk.db, key).timeline if e.kind == "request_step"]
    assert [(e.actor, e.text, e.after["done"]) for e in reversed(events)] == [
        ("ann", "step 1 done: Reset and send a one-time password", True),
        ("cap", "step 1 not done: Reset and send a one-time password", False)]
    assert request_view(desk.db, key).steps[0].done_at is None
    svc.take(desk.ann, key)
    with pytest.raises(PermissionDenied, match="may not tick a step of REQ-"):   # ann's now: hers to work
        requests.request_step(desk.bob, key, number=1)


def test_a_type_s_own_sla_targets_apply_and_incidents_keep_theirs(desk, clock):
    created = clock.now   # Monday 09:00 UTC: inside business hours
    access = _access(desk.ann)                                    # own targets 2h / 2bd
    reset = requests.raise_request(desk.ann, "password-reset", field=("user=x",))   # P4's (1bd / 5bd)
    incident = svc.log_incident(desk.ann, svc.Intake(title="Printer", impact="low", urgency="low"))
    a, r, i = (queries.incident_detail(desk.db, k) for k in (access, reset, incident))
    assert a.response_due_at == created + timedelta(hours=2)
    assert a.resolution_due_at == created + timedelta(days=1, hours=8)   # 2 business days: Tuesday 17:00
    assert (r.response_due_at, r.resolution_due_at) == (i.response_due_at, i.resolution_due_at)
    assert i.response_due_at == created + timedelta(hours=8)      # P4: 1 business day, Monday 17:00
    clock.advance(hours=2, minutes=1)
    changes = sla.sweep(desk.ann).changes
    assert (access, "response_breached") in changes
    assert not [c for c in changes if c[0] in (reset, incident) and c[1].endswith("breached")]
    ev = next(e for e in queries.incident_detail(desk.db, access).timeline if e.kind == "sla"
              and e.after.get("state") == "breached")
    assert "request type 2h/2bd" in ev.text


def test_queue_filters_by_type(desk):
    req = _access(desk.ann)
    inc = svc.log_incident(desk.ann, svc.Intake(title="Mail down", impact="low", urgency="low"))
    keys = lambda t: [r.key for r in queries.queue_page(desk.db, QueueFilter(type=t)).rows]  # noqa: E731
    assert keys("request") == [req] and keys("incident") == [inc]
    assert set(keys(None)) == {req, inc}


def test_managing_types_needs_an_admin_and_checks_what_it_is_given(desk):
    with pytest.raises(PermissionDenied, match="may not manage request types"):
        request_types.add_request_type(desk.cap, name="laptop")
    bad = [
        (dict(name="Bad Name!"), "must be lower-case letters"),
        (dict(name="x", field=("a:A", "a:B")), "field 'a' is defined twice"),
        (dict(name="x", field=("a=",)), "list its choices"),
        (dict(name="x", approval="manager"), "approval by the manager needs a group"),
        (dict(name="x", approval="boss"), "use none, manager, manager:GROUP or role:ROLE"),
        (dict(name="x", response="soon"), "is not a duration"),
        (dict(name="x", response="0h"), "must be more than zero"),
        (dict(name="x", group="Nowhere"), "unknown group 'Nowhere'"),
    ]
    for kwargs, message in bad:
        with pytest.raises(ValidationError, match=message):
            request_types.add_request_type(desk.admin, **kwargs)
    assert "x" not in [t.name for t in list_types(desk.db, include_retired=True)]
    request_types.add_request_type(desk.admin, name="access", label="Access", step=("Grant",))
    t = get_type(desk.db, "access")   # redefined: every part given again
    assert (t.label, t.steps, t.approval, t.group, t.response) == ("Access", ("Grant",), "none", None, None)


def test_a_named_group_s_manager_approves_and_a_typeless_request_has_no_gate(desk, make_ctx):
    request_types.add_request_type(desk.admin, name="firewall", field=("rule*:Rule",), approval="manager:Platform SRE",
                                   group="Service Desk")
    key = requests.raise_request(desk.ann, "firewall", field=("rule=allow 443",))
    assert request_view(desk.db, key).approver == "the manager of Platform SRE"
    with pytest.raises(PermissionDenied, match="only marco, the group's manager, may"):
        requests.approve_request(desk.ines, key)
    requests.approve_request(make_ctx("marco", Role.RESPONDER), key)
    requests.fulfil(desk.ann, key)      # no steps: approved is enough
    assert queries.incident_detail(desk.db, key).status == "resolved"
    # logged as a request without a type (`new --type request`): a REQ- key, no request part, no gate
    plain = svc.log_incident(desk.ann, svc.Intake(title="Printer toner", impact="low", urgency="low", type="request"))
    assert plain.startswith("REQ-") and request_view(desk.db, plain) is None
    svc.resolve(desk.ann, plain, code="permanent_fix", notes="sent toner")
    with pytest.raises(InvalidTransition, match="raised without a type: it has no checklist or approval"):
        requests.fulfil(desk.ann, plain)
