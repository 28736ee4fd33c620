"""The `incidentdesk` command, in-process (main([...]) with capsys) and once through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys


from incidentdesk.cli import main
from incidentdesk.services.context import os_login
from tests.support.cli import new_incident

ME = os_login()
LIST_FIELDS = {"key", "title", "type", "status", "priority", "impact", "urgency", "severity", "assignee", "group",
               "created_at"}


def test_new_list_and_show(cli):
    key = new_incident(cli, "--severity", "SEV1", "--service", "Email", "--category", "Email/Exchange",
               "--description", "d", "--symptoms", "s", "--impacted", "all", "--started-at", "2026-11-23T08:00+00:00")
    req = new_incident(cli, "--type", "request", title="New laptop")
    assert (key, req) == ("INC-000001", "REQ-000002")
    rows = cli.json("list", "--json")
    assert [r["key"] for r in rows] == [key, req]
    assert LIST_FIELDS <= set(rows[0])
    assert rows[0]["priority"] == "P2" and rows[0]["severity"] == "SEV1" and rows[0]["status"] == "new"
    assert rows[1]["type"] == "request"
    _, out, _ = cli("list")
    assert key in out and "Mail down" in out
    detail = cli.json("show", key, "--json")
    assert detail["key"] == key and detail["affected_service"] == "Email" and detail["started_at"].startswith("2026-11-23T08:00")
    assert detail["timeline"][0]["kind"] == "created" and detail["timeline"][0]["actor"] == ME
    assert detail["escalations"] == []
    _, out, _ = cli("show", key)
    assert "timeline:" in out and "created" in out


def test_list_filters(staffed):
    a = new_incident(staffed, "--group", "Service Desk")
    b = new_incident(staffed, "--group", "Platform SRE", title="other")
    staffed("--as", "ann", "take", a)
    assert [r["key"] for r in staffed.json("list", "--json", "--group", "Platform SRE")] == [b]
    assert [r["key"] for r in staffed.json("list", "--json", "--assignee", "ann")] == [a]
    assert [r["key"] for r in staffed.json("list", "--json", "--priority", "P2", "--limit", "1")] == [a]
    assert staffed.json("list", "--json", "--status", "closed") == []
    assert "unknown group 'Nope'" in staffed.fails("list", "--group", "Nope")
    assert "P1, P2, P3 or P4" in staffed.fails("list", "--priority", "P7")


def test_every_action_command(staffed):
    key = new_incident(staffed, "--group", "Service Desk")
    staffed("--as", "ann", "ack", key, "--comment", "looking")
    staffed("--as", "ann", "start", key)
    staffed("--as", "ann", "hold", key, "--reason", "waiting for user")
    staffed("--as", "ann", "resume", key)
    staffed("--as", "ann", "comment", key, "collected logs")
    staffed("--as", "ann", "escalate", key, "--kind", "functional", "--to", "Platform SRE", "--summary", "tried X")
    staffed("--as", "ann", "escalate", key, "--kind", "hierarchical", "--summary", "big impact")
    staffed("--as", "cap", "assign", key, "--user", "bob")
    staffed("--as", "cap", "assign", key, "--group", "Service Desk")
    staffed("--as", "bob", "take", key)
    staffed("--as", "bob", "reprioritise", key, "--impact", "low", "--urgency", "low", "--reason", "one user")
    _, out, _ = staffed("--as", "bob", "resolve", key, "--code", "workaround", "--notes", "restarted")
    assert out.strip() == f"{key}: done"
    staffed("--as", "ann", "reopen", key, "--reason", "back again")
    staffed("--as", "bob", "resolve", key, "--code", "permanent_fix", "--notes", "patched")
    staffed("--as", "ann", "close", key, "--confirmed", "--csat", "4")
    d = staffed.json("show", key, "--json")
    assert (d["status"], d["csat"], d["user_confirmed"], d["reopen_count"], d["priority"]) == ("closed", 4, True, 1, "P4")
    kinds = [e["kind"] for e in reversed(d["timeline"])]
    assert kinds == ["created", "acknowledged", "started", "held", "resumed", "comment", "escalated", "escalated",
                     "assigned", "assigned", "assigned", "reprioritised", "resolved", "reopened", "resolved", "closed"]
    assert {e["real_actor"] for e in d["timeline"]} == {ME}
    assert {e["actor"] for e in d["timeline"]} == {ME, "ann", "bob", "cap"}
    assert [e["kind"] for e in d["escalations"]] == ["functional", "hierarchical"]
    assert d["escalations"][0]["to_group"] == "Platform SRE" and d["escalations"][0]["summary"] == "tried X"
    other = new_incident(staffed)
    staffed("cancel", other, "--reason", "duplicate")
    assert staffed.json("show", other, "--json")["status"] == "cancelled"
    _, out, _ = staffed("audit", "verify")
    assert "intact" in out


def test_bad_input_is_one_line(staffed):
    key = new_incident(staffed)
    assert "no incident INC-000099" in staffed.fails("ack", "INC-000099")
    assert "not an incident key" in staffed.fails("show", "banana")
    staffed("resolve", key, "--code", "workaround", "--notes", "ok")
    line = staffed.fails("hold", key, "--reason", "x")
    assert "cannot put on hold" in line and "from here you can close, reopen" in line
    assert "--reason" in staffed.fails("hold", key)  # missing required argument (argparse)
    assert "resolution code" in staffed.fails("resolve", key, "--code", "magic", "--notes", "x")
    assert "--title" in staffed.fails("new", "--impact", "high", "--urgency", "low")
    # choices, numbers and times are the catalog's to check: the same words as in the console's dialogs
    assert "unknown impact 'huge': use one of high, medium, low (--impact)" in staffed.fails(
        "new", "--title", "t", "--impact", "huge", "--urgency", "low")
    assert "CSAT must be 1 to 5, not 9 (--csat)" in staffed.fails("close", key, "--csat", "9")
    assert "'yesterday' is not a time for started at" in staffed.fails(
        "new", "--title", "t", "--impact", "low", "--urgency", "low", "--started-at", "yesterday")


def test_permission_denied_and_edit_conflict(staffed):
    key = new_incident(staffed)
    staffed("--as", "ann", "take", key)
    line = staffed.fails("--as", "bob", "reprioritise", key, "--impact", "low", "--reason", "meh")
    assert "bob may not reprioritise" in line and "ask a triage captain" in line
    assert "bob may not reassign" in staffed.fails("--as", "bob", "assign", key, "--user", "bob")
    assert "may not manage users" in staffed.fails("--as", "ann", "users", "add", "eve", "--role", "admin")
    version = staffed.json("show", key, "--json")["version"]
    staffed("--as", "ann", "ack", key)
    line = staffed.fails("--as", "cap", "hold", key, "--reason", "x", "--version", str(version))
    assert f"{key} was changed by ann at " in line and "nothing was saved" in line
    staffed("--as", "cap", "hold", key, "--reason", "x", "--version", str(version + 1))


def test_acting_as_needs_config(cli):
    line = cli.fails("--as", "someone", "list")
    assert "--as someone is not allowed" in line and "allow_acting_as = true" in line
    cli("--as", ME, "list")  # acting as yourself is just you
    cli.set_config("[general]\nallow_acting_as = true\n")
    cli("--as", "someone", "new", "--title", "t", "--impact", "low", "--urgency", "low")
    ev = cli.json("show", "INC-000001", "--json")["timeline"][0]
    assert (ev["actor"], ev["real_actor"]) == ("someone", ME)


def test_db_users_paths(cli, tmp_path):
    _, out, _ = cli("db", "current")
    assert "no schema (empty)" in out
    _, out, _ = cli("db", "upgrade")
    assert "schema empty ->" in out
    _, out, _ = cli("db", "upgrade")
    assert "already at" in out
    _, out, _ = cli("db", "current")
    assert "(up to date)" in out
    _, out, _ = cli("users", "add", "boss", "--role", "admin")  # bootstrap: empty directory
    assert out.strip() == "boss: admin"
    assert "may not manage users" in cli.fails("users", "add", "eve", "--role", "responder")
    _, out, _ = cli("users", "list")
    assert "boss" in out and "admin" in out
    _, out, _ = cli("paths")
    assert f"config:   {cli.config}" in out and f"database: sqlite:///{tmp_path / 'x.db'}" in out
    assert "data:" in out


def test_paths_hides_password(cli, capsys):
    main(["--db", "postgresql+psycopg://u:secret@db.example/desk", "paths"])
    out = capsys.readouterr().out
    assert "secret" not in out and "db.example/desk" in out


def test_demo(cli):
    _, out, _ = cli("demo", "--count", "20")
    assert "20 incidents" in out
    rows = cli.json("list", "--json", "--all", "--limit", "1000")
    assert len(rows) == 20
    assert len({r["status"] for r in rows}) >= 4
    assert {r["type"] for r in rows} <= {"incident", "request"}
    _, out, _ = cli("audit", "verify")
    assert "the timelines of 20 incidents are intact" in out
    _, out, _ = cli("demo", "--count", "5")
    assert "already holds 20 incidents" in out


def test_unreachable_database_is_one_line(cli):
    cli.db_url = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"
    assert "the database is unreachable" in cli.fails("list")


def test_real_subprocess(tmp_path):
    env = {**os.environ, "INCIDENTDESK_CONFIG": str(tmp_path / "none.toml")}
    env.pop("INCIDENTDESK_DATABASE_URL", None)
    url = f"sqlite:///{tmp_path / 'p.db'}"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "incidentdesk", "--db", url, *args], env=env,
                              capture_output=True, text=True, timeout=60)

    made = run("new", "--title", "from a shell", "--impact", "low", "--urgency", "high")
    assert made.returncode == 0 and made.stdout.strip() == "INC-000001", made.stderr
    shown = run("show", "INC-000001", "--json")
    assert json.loads(shown.stdout)["title"] == "from a shell"
    bad = run("close", "INC-000001")
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("incidentdesk: cannot close INC-000001: it is new")


def test_major_and_stand_down(staffed):
    staffed("users", "add", "boss", "--role", "incident_manager")
    key = new_incident(staffed, "--group", "Service Desk")
    other = new_incident(staffed, "--group", "Service Desk", title="printer jam")
    staffed("--as", "ann", "take", key)
    line = staffed.fails("--as", "ann", "major", key, "--reason", "big")
    assert "ann (responder) may not declare INC-000001 a major incident" in line
    line = staffed.fails("--as", "cap", "major", key, "--reason", "big", "--commander", "ann")
    assert "never doubles as the resolver" in line and "name another commander" in line
    assert "unknown person 'ghost'" in staffed.fails("--as", "cap", "major", key, "--reason", "big", "--commander", "ghost")
    assert "--reason" in staffed.fails("--as", "cap", "major", key)
    version = staffed.json("show", key, "--json")["version"]
    _, out, _ = staffed("--as", "cap", "major", key, "--reason", "EU checkout down", "--commander", "bob",
                        "--version", str(version))
    assert out.strip() == f"{key}: done"
    assert "already a major incident" in staffed.fails("--as", "boss", "major", key, "--reason", "again")

    rows = staffed.json("list", "--json", "--major")
    assert [(r["key"], r["is_major"]) for r in rows] == [(key, True)]
    assert {r["key"]: r["is_major"] for r in staffed.json("list", "--json")} == {key: True, other: False}
    _, out, _ = staffed("list", "--major")
    assert key in out and "MAJOR Mail down" in out and other not in out
    d = staffed.json("show", key, "--json")
    assert (d["is_major"], d["commander"], d["version"]) == (True, "bob", version + 1)
    assert d["major_declared_at"] == d["timeline"][0]["at"]
    assert (d["timeline"][0]["kind"], d["timeline"][0]["actor"], d["timeline"][0]["text"]) == (
        "major_declared", "cap", "EU checkout down")
    _, out, _ = staffed("show", key)
    assert "MAJOR INCIDENT: commander bob, declared" in out

    assert "bob is the commander" in staffed.fails("--as", "cap", "assign", key, "--user", "bob")
    line = staffed.fails("--as", "cap", "stand-down", key, "--reason", "contained")
    assert "cap (triage captain) may not stand down" in line and "incident manager role" in line
    staffed("--as", "ann", "comment", key, "still on it")
    line = staffed.fails("--as", "boss", "stand-down", key, "--reason", "contained", "--version", str(version + 1))
    assert f"{key} was changed by ann at " in line and "nothing was saved" in line
    staffed("--as", "boss", "stand-down", key, "--reason", "contained")
    d = staffed.json("show", key, "--json")
    assert (d["is_major"], d["commander"], d["major_declared_at"]) == (False, None, None)
    assert d["timeline"][0]["kind"] == "major_stood_down" and d["timeline"][0]["before"]["commander"] == "bob"
    assert staffed.json("list", "--json", "--major") == []
    _, out, _ = staffed("list", "--major")
    assert out.strip() == "no incidents match"
    assert "is not a major incident" in staffed.fails("--as", "boss", "stand-down", key, "--reason", "again")

    staffed("resolve", other, "--code", "workaround", "--notes", "ok")
    staffed("close", other)
    assert "cannot declare major INC-000002: it is closed" in staffed.fails("--as", "cap", "major", other,
                                                                            "--reason", "late")
    _, out, _ = staffed("audit", "verify")
    assert "intact" in out
