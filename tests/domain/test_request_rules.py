"""The request rules that need no database: field definitions as typed, approvers, a request's own SLA targets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.requests import FieldDef, parse_approver, parse_field, split_target, target_text
from incidentdesk.domain.sla import SlaSettings


def test_field_definitions_as_typed_on_the_command_line():
    f = parse_field("app*:Application=Office| Visio |")
    assert f == FieldDef("app", "Application", True, ("Office", "Visio"))
    assert parse_field(f.spec()) == f                       # the form it prints is the form it reads
    assert parse_field("cost_centre") == FieldDef("cost_centre", "Cost centre", False, ())
    for bad in ("", "Two Words", "x=", "*:Label"):
        with pytest.raises(ValidationError):
            parse_field(bad)


def test_approvers():
    assert not parse_approver("").required and parse_approver("none").text() == "none"
    assert parse_approver("manager").words("Service Desk") == "the manager of Service Desk"
    assert parse_approver("manager:Platform SRE").text() == "manager:Platform SRE"
    assert parse_approver("role:triage_captain").role is Role.TRIAGE_CAPTAIN
    assert parse_approver("incident manager").words() == "an incident manager (or higher)"
    with pytest.raises(ValidationError, match="use none, manager, manager:GROUP or role:ROLE"):
        parse_approver("role:boss")


def test_own_targets_replace_only_what_they_name_on_the_policy_s_calendar():
    settings = SlaSettings()
    base = settings.policy_for(4, "request", None)
    assert target_text(None, None) is None and target_text(None, "3bd") == "-/3bd"
    assert split_target("-/3bd") == (None, "3bd") and split_target(None) == (None, None)
    own = settings.policy_for(4, "request", None, "-/3bd")
    assert own.response == base.response and own.calendar is base.calendar
    assert own.resolution == timedelta(hours=24)            # 3 business days of 8 working hours
    both = settings.policy_for(4, "request", None, "2h/1bd")
    assert (both.response, both.resolution, both.name) == (timedelta(hours=2), timedelta(hours=8),
                                                           "P4 (request type 2h/1bd)")
    assert settings.policy_for(4, "request", None) == base   # incidents and typeless requests: unchanged
