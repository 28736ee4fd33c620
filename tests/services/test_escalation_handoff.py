"""A functional escalation hands the incident to a group: the timeline says who lost it, and errors name fields."""

from __future__ import annotations

import pytest

from incidentdesk.domain.errors import ValidationError
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries


def _acknowledged_by_ann(team) -> str:
    key = svc.log_incident(team.ann, svc.Intake(title="VPN down", impact="high", urgency="high", group="Service Desk"))
    svc.acknowledge(team.ann, key)  # ann becomes the assignee
    return key


def test_functional_escalation_records_the_assignee_it_removes(team):
    key = _acknowledged_by_ann(team)
    svc.escalate(team.ann, key, kind="functional", to_group="Platform SRE", summary="restarted twice")
    d = queries.incident_detail(team.db, key)
    assert d.assignee is None
    event = d.timeline[0]
    assert event.kind == "escalated"
    assert event.before["assignee"] == "ann" and event.after["assignee"] is None
    assert (event.before["group"], event.after["group"]) == ("Service Desk", "Platform SRE")


def test_hierarchical_escalation_keeps_the_assignee_and_says_so(team):
    key = _acknowledged_by_ann(team)
    svc.escalate(team.ann, key, kind="hierarchical", summary="customers affected")
    d = queries.incident_detail(team.db, key)
    assert d.assignee == "ann"
    event = d.timeline[0]
    assert event.before["assignee"] == event.after["assignee"] == "ann"


def test_messages_name_the_field_not_a_command_line_flag(team):
    key = _acknowledged_by_ann(team)
    with pytest.raises(ValidationError) as info:
        svc.escalate(team.ann, key, kind="functional", summary="tried things")
    assert info.value.field == "to_group" and "--" not in str(info.value)
    with pytest.raises(ValidationError) as info:
        svc.assign(team.cap, key)
    assert info.value.field == "user" and "--" not in str(info.value)
