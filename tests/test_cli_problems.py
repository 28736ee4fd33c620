"""Problems and incident links from the command line: `problem list|show|new|link|unlink|edit|known-error|
resolve|close`, `problem-from`, `duplicate`, `link-parent`, `unlink`, `pir-follow-up-problem`; one line on
every mistake, `--json` records. (Every rule runs on both backends in tests/services/test_problems.py.)"""

from __future__ import annotations

from tests.support.cli import new_incident


def test_problem_from_several_incidents_known_error_and_resolve(staffed):
    cli = staffed
    a, b = new_incident(cli, "--ci", "mx1", title="Mail bounces"), new_incident(cli, "--ci", "mx1", title="Mail slow")
    assert cli("problem", "new", "--incident", a, "--incident", b)[1] == "PRB-000001\n"
    listed = cli.json("problem", "list", "--json")
    assert [(p["key"], p["status"], p["linked_count"], p["open_count"]) for p in listed] == [("PRB-000001", "open", 2, 2)]
    out = cli("problem", "list")[1]
    assert out.startswith("PRB-000001  open") and "2/2" in out and "Mail bounces" in out
    line = cli.fails("problem", "known-error", "PRB-1")
    assert line == ("incidentdesk: PRB-000001 has no workaround yet: a known error needs one (give the workaround "
                    "with it, or set it first) (--workaround)")
    record = cli.json("problem", "known-error", "PRB-1", "--workaround", "restart postfix", "--json")
    assert (record["status"], record["workaround"], record["version"]) == ("known_error", "restart postfix", 2)
    shown = cli.json("show", b, "--json")
    assert shown["known_errors"] == [["PRB-000001", "Mail bounces", "restart postfix", True]]
    assert "was changed by" in cli.fails("problem", "edit", "PRB-1", "--root-cause", "x", "--version", "1")
    assert "may not resolve a problem" in cli.fails("--as", "ann", "problem", "resolve", "PRB-1", "--notes", "fixed")
    assert cli("problem", "resolve", "PRB-1", "--notes", "queue limit raised")[1] == "PRB-000001\n"
    for key in (a, b):
        d = cli.json("show", key, "--json")
        assert (d["status"], d["resolution_notes"]) == ("resolved", "resolved with problem PRB-000001: queue limit raised")
    text = cli("problem", "show", "PRB-1")[1]
    assert "status: resolved" in text and "workaround: restart postfix" in text and f"  {a}  P" in text
    cli("problem", "close", "PRB-1")
    assert cli("problem", "list")[1] == "no problems\n"
    assert [p["key"] for p in cli.json("problem", "list", "--all", "--json")] == ["PRB-000001"]


def test_problem_from_one_incident_and_link_unlink(staffed):
    cli = staffed
    a, b = new_incident(cli, title="VPN drops"), new_incident(cli, title="VPN slow")
    assert cli("problem-from", b)[1] == "PRB-000001\n"
    record = cli.json("problem-from", a, "--statement", "drops every hour", "--json")
    assert (record["key"], record["title"], record["statement"]) == ("PRB-000002", "VPN drops", "drops every hour")
    cli("problem", "link", "PRB-000002", "--incident", b)
    assert [i["key"] for i in cli.json("problem", "show", "PRB-000002", "--json")["incidents"]] == [a, b]
    cli("problem", "unlink", "PRB-000002", "--incident", b)
    assert f"{b} is not linked to PRB-000002" in cli.fails("problem", "unlink", "PRB-000002", "--incident", b)
    assert cli.fails("problem", "show", "PRB-9") == "incidentdesk: no problem PRB-9: incidentdesk problem list shows them"
    assert "is not a problem key" in cli.fails("problem", "show", "INC-1")
    assert "needs a title" in cli.fails("problem", "new")


def test_duplicate_and_parent_links_fold_and_resolve_together(staffed):
    cli = staffed
    parent, child, dup = (new_incident(cli, title=t) for t in ("Site down", "Site down for me", "site down!!"))
    assert cli("link-parent", child, "--parent", parent)[1] == f"{child}: child of {parent}\n"
    assert cli.json("duplicate", dup, "--of", parent, "--json")["link_kind"] == "duplicate"
    assert [(r["key"], r["folded"]) for r in cli.json("list", "--json")] == [(parent, 2)]   # folded under it
    assert sorted(r["key"] for r in cli.json("list", "--unfold", "--json")) == sorted([parent, child, dup])
    listed = {line.split()[0]: line for line in cli("list", "--unfold")[1].splitlines()}
    assert "+2 folded" in listed[parent] and "↳" not in listed[parent]
    assert "↳" in listed[child] and "↳" in listed[dup] and "folded" not in listed[child]
    assert "+2 folded" in cli("list")[1] and child not in cli("list")[1]
    assert cli.json("show", parent, "--json")["children"] == [child, dup]
    assert "is itself folded under" in cli.fails("duplicate", parent, "--of", child)
    cli("resolve", parent, "--code", "permanent_fix", "--notes", "LB restarted")
    assert cli.json("show", dup, "--json")["resolution_code"] == "duplicate"
    assert cli.json("show", child, "--json")["status"] == "resolved"
    cli("unlink", child)
    assert "nothing to unlink" in cli.fails("unlink", child)


def test_review_follow_up_becomes_a_problem(staffed):
    cli = staffed
    key = new_incident(cli, title="Checkout down")
    cli("pir-follow-up", key, "Add a canary for payments", "--owner", "bob")
    assert cli("pir-follow-up-problem", key, "1")[1] == "PRB-000001\n"
    record = cli.json("problem", "show", "PRB-1", "--json")
    assert (record["title"], record["owner"], record["from_follow_up"]) == ("Add a canary for payments", "bob",
                                                                             f"{key}#1")
    assert "is PRB-000001 already" in cli.fails("pir-follow-up-problem", key, "1")
