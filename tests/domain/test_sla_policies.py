"""SLA policies from incidentdesk.toml: durations, calendars, overrides, escalation rules."""

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.config import parse_config
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.sla import DEFAULT_TARGETS, parse_duration, settings_from_config, targets_from_config

H = timedelta(hours=1)


def test_defaults_p1_p2_24x7_p3_p4_business_hours():
    s = settings_from_config({})
    p1, p3, p4 = s.policy_for(1), s.policy_for(3), s.policy_for(4)
    assert (p1.response, p1.resolution, p1.calendar.is_24x7) == (timedelta(minutes=15), 4 * H, True)
    assert s.policy_for(2).calendar.is_24x7
    assert (p3.response, p3.resolution, p3.calendar.name) == (4 * H, 24 * H, "business")   # 3 business days
    assert (p4.response, p4.resolution) == (8 * H, 40 * H)                                  # 1 / 5 business days
    assert s.at_risk_share == 0.75
    assert s.pauses("Waiting for user: asked for the logs") and s.pauses("waiting  for vendor")
    assert not s.pauses("waiting for change window")


def test_durations():
    day = 8 * H
    assert parse_duration("15m", day, "x") == timedelta(minutes=15)
    assert parse_duration("1.5h", day, "x") == 90 * timedelta(minutes=1)
    assert parse_duration("3bd", day, "x") == 24 * H
    assert parse_duration("2 business days", day, "x") == 16 * H
    assert parse_duration(90, day, "x") == timedelta(minutes=90)
    with pytest.raises(ValidationError, match="not a duration"):
        parse_duration("soon", day, "x")


def test_full_table_and_business_days_follow_the_calendar():
    table = {
        "at_risk_share": 0.5,
        "pausing_reasons": ["Waiting for customer"],
        "calendars": {"uk": {"time_zone": "Europe/London", "hours": "08:00-18:00", "holidays": ["2026-12-25"]}},
        "P1": {"response_minutes": 10, "resolution_minutes": 120},           # the older form
        "P3": {"response": "2h", "resolution": "2bd", "calendar": "uk"},
        "policy": [{"priority": [3], "type": "request", "category": "HR", "resolution": "5bd", "calendar": "uk"}],
        "escalation": [{"on": "response_breached", "priority": ["P1"], "kind": "hierarchical"}],
    }
    s = settings_from_config(table)
    assert s.policy_for(1).response == timedelta(minutes=10)
    assert s.policy_for(3).resolution == 20 * H                 # 2 working days of 10 h
    assert s.policy_for(3, "request", "HR/Portal/Payslips").resolution == 50 * H
    assert s.policy_for(3, "request", "HRX").resolution == 20 * H   # a sibling, not a child
    assert s.policy_for(3, "incident", "HR").resolution == 20 * H
    assert s.pauses("waiting for customer reply") and not s.pauses("waiting for user")
    assert [r.kind for r in s.rules_for("response_breached", 1, "incident")] == ["hierarchical"]
    assert s.rules_for("response_breached", 2, "incident") == []
    assert s.rules_for("resolution_breached", 1, "incident") == []


def test_config_keeps_targets_and_skips_other_sla_keys():
    config = parse_config({"sla": {"P2": {"response_minutes": 45}, "calendars": {"b": {}}, "at_risk_share": 0.8,
                                   "escalation": [{"on": "resolution_at_risk"}]}})
    assert config.sla_targets[2].response == timedelta(minutes=45)
    assert config.sla_targets[1] == DEFAULT_TARGETS[1]


@pytest.mark.parametrize("table, message", [
    ({"P1": {"calendar": "nope"}}, "unknown calendar"),
    ({"at_risk_share": 1.5}, "at_risk_share"),
    ({"escalation": [{"on": "whenever"}]}, "use one of"),
    ({"escalation": [{"on": "response_breached", "kind": "functional"}]}, "to_group"),
    ({"P2": {"response": "-5m"}}, "not a duration"),
    ({"P2": {"response_minutes": 0}}, "more than zero"),
])
def test_bad_settings_say_what_to_fix(table, message):
    with pytest.raises(ValidationError, match=message):
        settings_from_config(table)


def test_bad_targets_fail_when_the_file_is_read():
    with pytest.raises(ValidationError):
        parse_config({"sla": {"P1": {"calendar": "nope"}}})


def test_due_times_helper_uses_the_calendar():
    from incidentdesk.domain.sla import due_times
    targets = targets_from_config({})
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert due_times(friday, 1, targets) == (friday + timedelta(minutes=15), friday + 4 * H)
    assert due_times(friday, 3, targets)[0] == datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
