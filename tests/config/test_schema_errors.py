"""Every section's bad key and bad value: one line each, naming file, table and key (and what is allowed)."""

from __future__ import annotations

import datetime as dt

import pytest

from incidentdesk.config import ConfigError, parse_config
from incidentdesk.config.schema import Schema

SRC = "incidentdesk.toml"

BAD_KEYS = [
    ({"general": {"reopen_window_hour": 1}}, '[general] unknown key "reopen_window_hour" (did you mean '
                                             '"reopen_window_hours"?)'),
    ({"database": {"uri": "sqlite:///x.db"}}, '[database] unknown key "uri" (did you mean "url"?)'),
    ({"console": {"sla_sweep_secs": 5}}, '[console] unknown key "sla_sweep_secs" (did you mean "sla_sweep_seconds"?)'),
    ({"priority_matrix": {"hihg": {"high": "P1"}}}, '[priority_matrix] unknown key "hihg" (did you mean "high"?)'),
    ({"priority_matrix": {"high": {"hgh": "P1"}}}, '[priority_matrix.high] unknown key "hgh" (did you mean "high"?)'),
    ({"sla": {"at_risk": 0.5}}, '[sla] unknown key "at_risk" (did you mean "at_risk_share"?)'),
    ({"sla": {"P3": {"respons": "4h"}}}, '[sla.P3] unknown key "respons" (did you mean "response"?)'),
    ({"sla": {"p3": {"response": "4h"}}}, '[sla] unknown key "p3" (did you mean "P3"?)'),
    ({"sla": {"calendars": {"uk": {"holiday": []}}}}, '[sla.calendars.uk] unknown key "holiday" (did you mean '
                                                      '"holidays"?)'),
    ({"sla": {"policy": [{"priority": 3}, {"categroy": "Workplace"}]}},
     '[[sla.policy]] #2 unknown key "categroy" (did you mean "category"?)'),
    ({"sla": {"escalation": [{"on": "response_breached", "to_grup": "Ops"}]}},
     '[[sla.escalation]] #1 unknown key "to_grup" (did you mean "to_group"?)'),
    ({"ingest": {"hots": "0.0.0.0"}}, '[ingest] unknown key "hots" (did you mean "host"?)'),
    ({"ingest": {"integrations": {"prom": {"format": "alertmanager", "token_env": "T", "tokn": "x"}}}},
     '[ingest.integrations.prom] unknown key "tokn" (did you mean "token"?)'),
    ({"ingest": {"severity": {"critical": {"impact": "high", "urgency": "high", "sev": "SEV1"}}}},
     '[ingest.severity.critical] unknown key "sev"'),
    ({"ingest": {"mapping": {"service_label": ["svc"]}}},
     '[ingest.mapping] unknown key "service_label" (did you mean "service_labels"?)'),
    ({"ingest": {"routes": [{"group": "Ops", "mtch": {"team": "dba"}}]}},
     '[[ingest.routes]] #1 unknown key "mtch" (did you mean "match"?)'),
    ({"audit": {"keyfile": "/k"}}, '[audit] unknown key "keyfile" (did you mean "key_file"?)'),
    ({"notify": {"max_atempts": 3}}, '[notify] unknown key "max_atempts" (did you mean "max_attempts"?)'),
    ({"notify": {"channel": [{"name": "ops", "url_env": "OPS", "url": "json://x"}]}},
     '[[notify.channel]] #1 unknown key "url" (did you mean "url_env"?)'),
    ({"major": {"cadance": {}}}, '[major] unknown key "cadance" (did you mean "cadence"?)'),
    ({"pir": {"requierd": True}}, '[pir] unknown key "requierd" (did you mean "required"?)'),
    ({"handover": {"ack_within": 30}}, '[handover] unknown key "ack_within" (did you mean "ack_within_minutes"?)'),
    ({"cmdb": {"alert_ci_label": []}}, '[cmdb] unknown key "alert_ci_label" (did you mean "alert_ci_labels"?)'),
    ({"problems": {"recuring_count": 3}}, '[problems] unknown key "recuring_count" (did you mean "recurring_count"?)'),
    ({"notfy": {"url": "x"}}, 'unknown section [notfy]'),
    ({"consol": {}}, 'unknown section [consol] (did you mean "console"?)'),
]

BAD_VALUES = [
    ({"pir": {"required": "yes"}}, '[pir] required = "yes": use true or false'),
    ({"handover": {"ack_within_minutes": 0}}, "[handover] ack_within_minutes = 0.0: use a number of minutes from 1 to 1440"),
    ({"cmdb": {"recent_changes_hours": 0}}, '[cmdb] recent_changes_hours = 0: use 1 to 8760 hours'),
    ({"problems": {"recurring_count": 1}}, "[problems] recurring_count = 1: use a whole number from 2 to 100"),
    ({"general": {"reopen_window_hours": "a week"}}, '[general] reopen_window_hours = "a week": use a number > 0'),
    ({"general": {"allow_acting_as": "yes"}}, '[general] allow_acting_as = "yes": use true or false'),
    ({"general": {"time_zone": "Mars/Olympus"}}, '[general] time_zone = "Mars/Olympus": not a time zone'),
    ({"database": {"sqlite_group_shared": 1}}, '[database] sqlite_group_shared = 1: use true or false'),
    ({"database": {"url": 5}}, '[database] url = 5: use a string in quotes'),
    ({"console": {"sla_sweep_seconds": "fast"}}, '[console] sla_sweep_seconds = "fast": use a number; how often each '
                                                 'console sweeps SLAs: 0.5 to 86400 seconds'),
    ({"console": {"sla_sweep_seconds": 0.1}}, '[console] sla_sweep_seconds = 0.1: use a number of seconds from 0.5'),
    ({"console": 5}, 'console = 5: use a table'),
    ({"keys": {"incident.acknowledge": 1}}, '[keys] "incident.acknowledge" = 1: use a string in quotes'),
    ({"priority_matrix": {"high": {"high": "P9"}}}, '[priority_matrix.high] high = "P9": use a priority: "P1"'),
    ({"sla": {"at_risk_share": 2}}, '[sla] at_risk_share = 2: use a number > 0 and <= 1'),
    ({"sla": {"reprioritise_from": "later"}}, '[sla] reprioritise_from = "later": use one of "change", "start"'),
    ({"sla": {"P1": {"response": "soon"}}}, '[sla.P1] response = "soon": '),
    ({"sla": {"P1": {"response": "0m"}}}, '[sla.P1] response = "0m": must be more than zero'),
    ({"sla": {"P3": {"calendar": "uk"}}}, '[sla.P3] calendar = "uk": unknown calendar; use one of "24x7", "business"'),
    ({"sla": {"calendars": {"uk": {"hours": "9-5"}}}}, '[sla.calendars.uk] hours = "9-5": '),
    ({"sla": {"calendars": {"uk": {"days": ["mon", "funday"]}}}}, "[sla.calendars.uk] days = "),
    ({"sla": {"calendars": {"uk": {"holidays": ["2026-12-25", "Christmas"]}}}},
     '[sla.calendars.uk] holidays[1] = "Christmas": use a date like 2026-12-25'),
    ({"sla": {"calendars": {"uk": {"time_zone": "Europe/Londn"}}}}, '[sla.calendars.uk] time_zone = "Europe/Londn"'),
    ({"sla": {"policy": [{"priority": [9]}]}}, '[[sla.policy]] #1 priority = [9]: use priorities: 1 or "P1"'),
    ({"sla": {"policy": [{"type": "problem"}]}}, '[[sla.policy]] #1 type = "problem": use one of "incident", "request"'),
    ({"sla": {"escalation": [{"on": "typo"}]}},
     '[[sla.escalation]] #1 on = "typo": use one of "response_at_risk", "response_breached", "resolution_at_risk", '
     '"resolution_breached"'),
    ({"sla": {"escalation": [{"on": "response_breached", "kind": "functional"}]}},
     '[[sla.escalation]] #1 kind = "functional": a functional escalation needs to_group'),
    ({"sla": {"escalation": [{"kind": "hierarchical"}]}}, '[[sla.escalation]] #1 needs on (it is missing)'),
    ({"ingest": {"port": 70000}}, '[ingest] port = 70000: use a whole number >= 0 and <= 65535'),
    ({"ingest": {"auto_resolve": "no"}}, '[ingest] auto_resolve = "no": use true or false'),
    ({"ingest": {"actor": "m" * 65}}, '[ingest] actor = "mmm'),
    ({"ingest": {"integrations": {"prom": {"format": "prometheus", "token": "t"}}}},
     '[ingest.integrations.prom] format = "prometheus": use one of "alertmanager", "events-v2", "grafana"'),
    ({"ingest": {"integrations": {"prom": {"format": "alertmanager"}}}},
     '[ingest.integrations.prom] token is missing: give token, token_env or token_file'),
    ({"ingest": {"integrations": {"prom": {"format": "alertmanager", "token": "t", "enabled": "yes"}}}},
     '[ingest.integrations.prom] enabled = "yes": use true or false'),
    ({"ingest": {"severity": {"critical": {"impact": "huge", "urgency": "high"}}}},
     '[ingest.severity.critical] impact = "huge": use one of "high", "medium", "low"'),
    ({"ingest": {"mapping": {"ci_labels": "host"}}}, '[ingest.mapping] ci_labels = "host": use a list of strings'),
    ({"ingest": {"routes": [{"tier": 7}]}}, '[[ingest.routes]] #1 tier = 7: use 1, 2 or 3'),
    ({"ingest": {"routes": [{"match": {"team": 1}}]}}, '[[ingest.routes]] #1 match.team = 1: use a string in quotes'),
    ({"ingest": {"routes": [{"match_re": {"alertname": "("}}]}},
     '[[ingest.routes]] #1 match_re.alertname = "(": not a valid regular expression'),
    ({"audit": {"syslog": "on"}}, '[audit] syslog = "on": use true or false'),
    ({"audit": {"key_file": ["/k"]}}, '[audit] key_file = ["/k"]: use a string in quotes'),
    ({"notify": {"max_attempts": 0}}, '[notify] max_attempts = 0'),
    ({"notify": {"rule": [{"on": "escalatd", "to": "x"}]}}, "[notify] a rule names the unknown event 'escalatd' (did you mean 'escalated'?)"),
    ({"major": {"cadence": {"SEV1": 0}}}, '[major] cadence.SEV1 = 0: use a number of minutes from 1 to 1440'),
    ({"major": {"cadence": {"SEV9": 5}}}, '[major] cadence.SEV9 = 5: name a severity: SEV1, SEV2, SEV3, SEV4'),
    ({"major": {"cadence": 30}}, '[major] cadence = 30: use a table of name = a whole number or a number'),
    ({"major": {"due_soon_minutes": "soon"}}, '[major] due_soon_minutes = "soon": use a number'),
]


def _lines(data: dict) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(data, SRC)
    assert str(info.value) == "\n".join(info.value.lines)
    return info.value.lines


@pytest.mark.parametrize("data,expected", BAD_KEYS + BAD_VALUES, ids=lambda v: v if isinstance(v, str) else None)
def test_a_bad_key_or_value_is_one_line_naming_file_table_and_key(data, expected):
    lines = _lines(data)
    assert len(lines) == 1, lines
    assert "\n" not in lines[0]
    assert lines[0].startswith(f"{SRC}: {expected}"), lines[0]


def test_every_section_of_the_schema_has_a_bad_key_case():
    """A new section gets its bad key (and bad value) case above, or this fails."""
    from incidentdesk.config.errors import struct_fields

    covered_keys = {next(iter(d)) for d, _ in BAD_KEYS}
    covered_values = {next(iter(d)) for d, _ in BAD_VALUES}
    for section in struct_fields(Schema):
        assert section in covered_values, f"no bad-value case for [{section}]"
        assert section in covered_keys or section == "keys", f"no bad-key case for [{section}]"  # [keys]: free ids


def test_all_errors_are_reported_not_just_the_first_and_items_keep_their_numbers():
    lines = _lines({
        "console": {"refresh_secs": 3, "sla_sweep_seconds": "x"},
        "sla": {"escalation": [{"on": "typo"}, {"on": "response_breached"}, {"on": "resolution_breached",
                                                                             "kind": "sideways"}]},
        "ingest": {"routes": [{"tier": 9}, {"tier": 1}, {"tier": 0}]},
    })
    assert lines == [
        f'{SRC}: [console] unknown key "refresh_secs"; known: sla_sweep_seconds',
        f'{SRC}: [console] sla_sweep_seconds = "x": use a number; how often each console sweeps SLAs: 0.5 to 86400 '
        'seconds, or 0 to leave it to `incidentdesk sla sweep --loop`',
        f'{SRC}: [[sla.escalation]] #1 on = "typo": use one of "response_at_risk", "response_breached", '
        '"resolution_at_risk", "resolution_breached"',
        f'{SRC}: [[sla.escalation]] #3 kind = "sideways": use one of "hierarchical", "functional"',
        f'{SRC}: [[ingest.routes]] #1 tier = 9: use 1, 2 or 3',
        f'{SRC}: [[ingest.routes]] #3 tier = 0: use 1, 2 or 3',
    ]


def test_a_hostile_file_with_hundreds_of_errors_is_capped():
    from incidentdesk.config.errors import MAX_ERRORS

    lines = _lines({"general": {f"k{i}": i for i in range(500)}})
    assert len(lines) == MAX_ERRORS


def test_good_values_are_normalised_and_defaults_filled():
    config = parse_config({
        "general": {"time_zone": " Europe/London "},
        "sla": {"P3": {"response_minutes": 90}, "reprioritise_from": " Start ",
                "escalation": [{"on": "Response_Breached", "priority": ["P1", 2]}],
                "calendars": {"uk": {"holidays": [dt.date(2026, 12, 25), "2026-12-28"], "timezone": "Europe/London"}},
                "pausing_reasons": "waiting for vendor"},
        "priority_matrix": {"low": {"low": 3}},
    })
    s = config.schema
    assert config.time_zone == "Europe/London"
    assert (s.sla.P3.response, s.sla.P3.resolution, s.sla.P3.response_minutes) == ("90m", "3bd", None)
    assert config.sla.policy_for(3).response == dt.timedelta(minutes=90)
    assert config.sla.reprioritise_from == "start" and config.sla.escalations[0].on == "response_breached"
    assert config.sla.escalations[0].priorities == frozenset({1, 2})
    assert config.sla.calendars["uk"].time_zone == "Europe/London"
    assert config.sla.calendars["uk"].holidays == frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 28)})
    assert config.sla.pausing_reasons == ("waiting for vendor",)
    assert s.priority_matrix.low.low == "P3" and s.priority_matrix.low.high == "P3"  # a partial row keeps defaults
    assert config.priority_matrix[("low", "low")] == 3 and config.priority_matrix[("high", "high")] == 1


def test_the_schema_refuses_what_the_old_reader_accepted_only_to_fail_later():
    # `list` used to run with this and `new` fail on it; now every command refuses it at start-up.
    with pytest.raises(ConfigError, match=r'\[\[sla.escalation\]\] #1 on = "typo"'):
        parse_config({"sla": {"escalation": [{"on": "typo"}]}})


def test_escape_sequences_in_the_file_never_reach_the_terminal():
    lines = _lines({"console": {"x\x1b[2J": 1}, "general": {"theme": 5, "time_zone": "UTC\x1b]0;owned\x07"},
                    "sla\u202e": {}})
    assert not any(ch in line for line in lines for ch in "\x1b\x07\u202e"), lines
    assert f'{SRC}: [console] unknown key "x\\u001b[2J"; known: sla_sweep_seconds' in lines


def test_a_section_the_schema_lacks_is_a_bug_not_an_empty_table():
    config = parse_config({"audit": {"syslog": True}})
    assert config.section("audit") == {"syslog": True}
    with pytest.raises(KeyError, match=r"no section \[pager\] in the schema"):
        config.section("pager")
