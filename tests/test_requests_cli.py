"""`incidentdesk request ...` and `list --type`: types managed, a request raised, worked and fulfilled, one-line errors."""

from __future__ import annotations

from tests.support.cli import new_incident


def _types(cli) -> None:
    cli("request", "type-add", "access", "--label", "Access request", "--field", "system*:System=Finance share|CRM",
        "--field", "user*:User", "--step", "Check entitlement", "--step", "Grant access", "--approval", "manager",
        "--group", "Service Desk", "--response", "2h", "--resolution", "2bd")


def test_request_types_are_managed_and_listed(staffed):
    cli = staffed
    assert "no request types yet" in cli("request", "types")[1]
    _types(cli)
    [t] = cli.json("request", "types", "--json")
    assert (t["name"], t["group"], t["approval"], t["response"], t["resolution"]) == (
        "access", "Service Desk", "manager", "2h", "2bd")
    assert [f["name"] for f in t["fields"]] == ["system", "user"] and t["fields"][0]["choices"] == ["Finance share", "CRM"]
    out = cli("request", "types", "access")[1]
    assert "field system*: System (one of Finance share, CRM)" in out and "step 2. Grant access" in out
    assert "ann (responder) may not manage request types" in cli.fails("--as", "ann", "request", "type-add", "laptop")
    assert "unknown group 'Nowhere'" in cli.fails("request", "type-add", "x", "--group", "Nowhere")
    cli("request", "type-retire", "access")
    assert cli.json("request", "types", "--json") == []
    assert cli.json("request", "types", "--all", "--json")[0]["retired"] is True


def test_raise_work_and_fulfil_a_request_from_the_command_line(staffed):
    cli = staffed
    _types(cli)
    line = cli.fails("--as", "ann", "request", "new", "access", "--field", "system=crm")
    assert "request type access needs the field 'user' (User)" in line and "--field NAME" in line
    assert "unknown field 'colour'" in cli.fails("--as", "ann", "request", "new", "access", "--field", "system=crm",
                                                 "--field", "user=x", "--field", "colour=red")
    assert "does not exist; known types: access" in cli.fails("request", "new", "acces")
    _, out, _ = cli("--as", "ann", "request", "new", "access", "--field", "system=crm", "--field", "user=j.doe")
    key = out.strip()
    assert key.startswith("REQ-")
    shown = cli.json("request", "show", key, "--json")
    assert shown["type"] == "request" and shown["group"] == "Service Desk"
    assert shown["request"]["approval"] == "pending" and shown["request"]["fields"] == {"system": "CRM", "user": "j.doe"}
    assert "waits for approval by the manager of Service Desk" in cli.fails("--as", "ann", "request", "step", key, "1")
    assert "waits for approval" in cli.fails("resolve", key, "--code", "permanent_fix", "--notes", "x")
    assert "only cap, the group's manager, may" in cli.fails("request", "approve", key)
    cli("--as", "cap", "request", "approve", key, "--comment", "ok")
    cli("--as", "ann", "request", "step", key, "1")
    assert "1 of 2 fulfilment steps not done (step 2: Grant access" in cli.fails("--as", "ann", "request", "fulfil", key)
    cli("--as", "ann", "request", "step", key, "2")
    out = cli("request", "show", key)[1]
    assert "approval: approved by cap: ok" in out and "[x] 2. Grant access  (ann)" in out
    cli("--as", "ann", "request", "fulfil", key, "--notes", "granted")
    assert cli.json("show", key, "--json")["status"] == "resolved"
    assert "is an incident" in cli.fails("request", "approve", new_incident(cli))


def test_list_filters_by_type(staffed):
    cli = staffed
    _types(cli)
    inc = new_incident(cli)
    req = cli("--as", "ann", "request", "new", "access", "--field", "system=crm", "--field", "user=x")[1].strip()
    assert [r["key"] for r in cli.json("list", "--type", "request", "--json")] == [req]
    assert [r["key"] for r in cli.json("list", "--type", "incident", "--json")] == [inc]
    assert req in cli("list", "--type", "request")[1] and inc not in cli("list", "--type", "request")[1]
    assert "unknown type 'problem': use one of incident, request" in cli.fails("list", "--type", "problem")
