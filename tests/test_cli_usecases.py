"""The CLI's use-case commands, generated from the catalog: the options it used to lack, and --json.

Before the catalog the CLI lacked `assign --comment`, `escalate --to-person`, `resume --comment`,
`close --comment` and three intake fields the console had; these run the real commands.
"""

from __future__ import annotations

import json

from tests.support.cli import new_incident


def _timeline(cli, key: str) -> list[dict]:
    return cli.json("show", key, "--json")["timeline"]


def test_options_the_console_had(staffed):
    key = new_incident(staffed, "--group", "Service Desk", "--steps-to-reproduce", "open Outlook, send",
               "--device-user", "laptop LT-2231, user j.doe", "--recent-changes", "CHG-1182 config push 09:10")
    d = staffed.json("show", key, "--json")
    assert (d["steps_to_reproduce"], d["device_user"], d["recent_changes"]) == (
        "open Outlook, send", "laptop LT-2231, user j.doe", "CHG-1182 config push 09:10")

    staffed("--as", "cap", "assign", key, "--user", "ann", "--comment", "yours, Ann")
    assert (_timeline(staffed, key)[0]["kind"], _timeline(staffed, key)[0]["text"]) == ("assigned", "yours, Ann")
    staffed("--as", "ann", "escalate", key, "--kind", "hierarchical", "--to-person", "bob", "--summary", "VIP")
    assert staffed.json("show", key, "--json")["escalations"][-1]["to_person"] == "bob"
    staffed("--as", "ann", "hold", key, "--reason", "waiting for user")
    staffed("--as", "ann", "resume", key, "--comment", "user is back")
    assert (_timeline(staffed, key)[0]["kind"], _timeline(staffed, key)[0]["text"]) == ("resumed", "user is back")
    staffed("--as", "ann", "resolve", key, "--code", "workaround", "--notes", "restarted")
    staffed("--as", "ann", "close", key, "--confirmed", "--comment", "user confirmed by phone")
    assert (_timeline(staffed, key)[0]["kind"], _timeline(staffed, key)[0]["text"]) == (
        "closed", "user confirmed by phone")


def test_every_action_prints_the_resulting_record_with_json(staffed):
    """`--json` prints what `show --json` would print right after: the record as the change left it."""
    code, out, _ = staffed("new", "--title", "Mail down", "--impact", "high", "--urgency", "low", "--json")
    made = json.loads(out)
    key = made["key"]
    assert made == staffed.json("show", key, "--json") and made["title"] == "Mail down"
    other = new_incident(staffed)
    steps = [
        ("--as", "ann", "ack", key, "--comment", "mine"), ("--as", "ann", "start", key),
        ("--as", "ann", "hold", key, "--reason", "waiting for user"), ("--as", "ann", "resume", key),
        ("--as", "ann", "comment", key, "noted"), ("--as", "cap", "assign", key, "--user", "bob"),
        ("--as", "bob", "take", key), ("--as", "bob", "reprioritise", key, "--urgency", "high", "--reason", "VIP"),
        ("--as", "cap", "major", key, "--reason", "board is affected", "--commander", "cap"),
        ("users", "add", "boss", "--role", "incident_manager"),
        ("--as", "boss", "stand-down", key, "--reason", "contained"),
        ("--as", "bob", "escalate", key, "--kind", "hierarchical", "--summary", "needs a decision"),
        ("--as", "bob", "resolve", key, "--code", "workaround", "--notes", "restarted"),
        ("--as", "ann", "reopen", key, "--reason", "back"),
        ("--as", "bob", "resolve", key, "--code", "permanent_fix", "--notes", "patched"),
        ("--as", "ann", "close", key, "--confirmed", "--csat", "5"),
        ("cancel", other, "--reason", "duplicate"),
    ]
    for args in steps:
        record = staffed.json(*args, "--json")
        if args[0] == "users":
            assert record == {"login": "boss", "name": "boss", "role": "incident_manager", "groups": []}
            continue
        subject = other if other in args else key
        assert record == staffed.json("show", subject, "--json"), args
    last = staffed.json("show", key, "--json")
    assert (last["status"], last["csat"], last["priority"], last["is_major"]) == ("closed", 5, "P1", False)
    assert staffed.json("groups", "add", "Night Shift", "--tier", "2", "--json") == {
        "name": "Night Shift", "tier": 2, "manager": None, "members": []}
    # plain output is unchanged: scripts read it
    _, out, _ = staffed("comment", other, "late note")
    assert out == f"{other}: done\n"
    _, out, _ = staffed("groups", "add", "Night Shift", "--tier", "3")
    assert out == "Night Shift: tier 3\n"


def test_zone_less_start_time_is_the_site_zone(cli):
    cli.set_config('[general]\ntime_zone = "America/New_York"\n')
    key = new_incident(cli, "--started-at", "2026-11-23 08:30")
    assert cli.json("show", key, "--json")["started_at"] == "2026-11-23T13:30:00+00:00"
    key = new_incident(cli, "--started-at", "2026-11-23T08:30+01:00")  # a zone given is kept
    assert cli.json("show", key, "--json")["started_at"] == "2026-11-23T07:30:00+00:00"
