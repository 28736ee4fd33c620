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
    assert s.pauses("Waiting for  CUSTOMER") and s.pauses("waiting for customer: reply due Monday")
    assert not s.pauses("waiting for customer reply") and not s.pauses("waiting for user")
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


def test_default_business_days_follow_the_calendar_a_priority_is_moved_to():
    # P3's default "3 business days" are days, not 24 fixed hours: on 24x7 they are 72 h, like "3bd".
    moved = settings_from_config({"P3": {"calendar": "24x7"}, "P4": {"calendar": "24x7"}})
    explicit = settings_from_config({"P3": {"calendar": "24x7", "resolution": "3bd"}})
    assert moved.policy_for(3).resolution == explicit.policy_for(3).resolution == 72 * H
    assert (moved.policy_for(4).response, moved.policy_for(4).resolution) == (24 * H, 120 * H)
    assert moved.policy_for(3).response == 4 * H                  # hours stay hours
    long_days = settings_from_config({"calendars": {"business": {"hours": "08:00-18:00"}}})
    assert long_days.policy_for(3).resolution == 30 * H           # 3 days of the calendar's 10 h


def test_pausing_reasons_match_whole_reasons_not_prefixes():
    s = settings_from_config({})
    assert not s.pauses("waiting for username reset tool")
    assert not s.pauses("Waiting for user to send logs")
    assert s.pauses(" Waiting  for USER ") and s.pauses("waiting for vendor: ticket 4411 with Cisco")
    assert settings_from_config({"pausing_reasons": ["Awaiting parts:"]}).pauses("awaiting parts")


def test_reprioritise_from_is_change_by_default_or_start():
    assert settings_from_config({}).reprioritise_from == "change"
    assert settings_from_config({"reprioritise_from": " Start "}).reprioritise_from == "start"
    with pytest.raises(ValidationError, match='reprioritise_from = \'later\'; use "change"'):
        settings_from_config({"reprioritise_from": "later"})


def test_the_built_in_business_calendar_runs_in_the_site_time_zone():
    site = settings_from_config({"calendars": {"depot": {"hours": "07:00-15:00"}}}, time_zone="Europe/London")
    assert site.policy_for(3).calendar.time_zone == "Europe/London"
    assert site.calendars["depot"].time_zone == "Europe/London"      # a calendar that names no zone
    # Monday 29 June 2026, 08:30 UTC = 09:30 BST: London is open, so 1 h later is 09:30 UTC; a UTC
    # calendar would only open at 09:00 UTC and say 10:00.
    monday = datetime(2026, 6, 29, 8, 30, tzinfo=UTC)
    assert site.policy_for(3).calendar.add(monday, H) == datetime(2026, 6, 29, 9, 30, tzinfo=UTC)
    assert settings_from_config({}).policy_for(3).calendar.add(monday, H) == datetime(2026, 6, 29, 10, 0, tzinfo=UTC)


def test_site_time_zone_comes_from_general_or_the_machine(monkeypatch):
    from incidentdesk.config import paths as config_module

    assert parse_config({"general": {"time_zone": "Europe/London"}}).sla.policy_for(4).calendar.time_zone == \
        "Europe/London"
    monkeypatch.setattr(config_module, "machine_time_zone", lambda: "America/New_York")
    assert parse_config({}).time_zone == "America/New_York"
    assert parse_config({}).sla.policy_for(3).calendar.time_zone == "America/New_York"
    with pytest.raises(ValidationError, match='time_zone = "Mars/Olympus": not a time zone'):
        parse_config({"general": {"time_zone": "Mars/Olympus"}})


def test_the_machine_zone_is_named_from_etc_localtime_not_tz(monkeypatch):
    import os

    monkeypatch.undo()                                     # the real function, not the suite's UTC pin
    from incidentdesk.config import machine_time_zone

    monkeypatch.setenv("TZ", "Asia/Tokyo")                 # one user's shell: not the host's hours
    monkeypatch.setattr(os.path, "realpath", lambda path: "/usr/share/zoneinfo/Europe/Berlin")
    assert machine_time_zone() == "Europe/Berlin"
    monkeypatch.setattr(os.path, "realpath", lambda path: "/usr/share/zoneinfo/Etc/UTC")
    assert machine_time_zone() == "UTC"
