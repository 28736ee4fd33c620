"""Routing to on-call: a rule with `assign = "oncall"` gives a new alert's incident to the group's
current on-call (an override included), over real HTTP on both backends; and a hierarchical
escalation names the group's manager."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidentdesk.config import parse_config
from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.routing import rules_from_config
from incidentdesk.services import directory
from incidentdesk.services import incidents as incident_svc
from incidentdesk.services import oncall
from incidentdesk.store import queries
from tests.support.payloads import am_alert, am_payload

ROUTES = [
    {"name": "payments on call", "match": {"service": "payments"}, "group": "Payments", "assign": "oncall"},
    {"name": "named", "match": {"service": "named"}, "group": "Payments", "assignee": "pat", "assign": "oncall"},
    {"name": "no rota", "match": {"service": "web"}, "group": "Web", "assign": "oncall"},
]


@pytest.fixture
def rota(make_ctx, clock):
    cap = make_ctx("cap", Role.TRIAGE_CAPTAIN, groups=("Payments", "Web"))
    for login in ("pat", "quinn"):
        make_ctx(login, Role.RESPONDER, groups=("Payments",))
    oncall.set_rotation(cap, "Payments", cadence="daily", handoff_time="09:00", time_zone="Europe/London",
                        start=clock.now.date().isoformat(), members=("quinn", "pat"))
    return cap


def test_new_incident_goes_to_the_groups_current_on_call(start_receiver, rota, clock):
    rx = start_receiver(ingest={"routes": ROUTES})
    first = rx.am(am_payload([am_alert("fp-1", service="payments")])).json()["created"][0]
    assert rx.incident(first).assignee == "quinn"
    clock.advance(days=1)
    second = rx.am(am_payload([am_alert("fp-2", service="payments")], group="Other")).json()["created"][0]
    assert rx.incident(second).assignee == "pat"
    oncall.add_override(rota, "Payments", person="cap", start=clock.now, end=clock.now + timedelta(hours=1))
    third = rx.am(am_payload([am_alert("fp-3", service="payments")], group="Third")).json()["created"][0]
    assert rx.incident(third).assignee == "cap"
    named = rx.am(am_payload([am_alert("fp-4", service="named")], group="Named")).json()["created"][0]
    assert rx.incident(named).assignee == "pat"  # a named assignee wins over the on-call option
    web = rx.am(am_payload([am_alert("fp-5", service="web")], group="Web")).json()["created"][0]
    assert rx.incident(web).assignee is None  # the group has no rotation: left for the group
    assert list(queries.verify_audit(rx.db)) == []


def test_assign_accepts_only_oncall():
    with pytest.raises(ValidationError, match='assign must be "oncall"'):
        rules_from_config([{"group": "Payments", "assign": "manager"}])
    with pytest.raises(Exception, match="oncall"):
        parse_config({"ingest": {"routes": [{"group": "Payments", "assign": "someone"}]}})
    [rule] = rules_from_config([{"group": "Payments", "assign": "oncall"}])
    assert rule.assign == "oncall"


def test_hierarchical_escalation_goes_to_the_groups_manager(make_ctx):
    admin = make_ctx("adm", Role.ADMIN)
    directory.add_group(admin, "Payments", tier=2, manager="mona")
    ann = make_ctx("ann", Role.RESPONDER, groups=("Payments",))
    key = incident_svc.log_incident(ann, incident_svc.Intake(title="card payments failing", impact="high",
                                                             urgency="high", group="Payments"))
    incident_svc.escalate(ann, key, kind="hierarchical", summary="customers cannot pay")
    [e] = queries.incident_detail(ann.db, key).escalations
    assert (e.kind, e.to_group, e.to_person) == ("hierarchical", "Payments", "mona")
