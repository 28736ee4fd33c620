"""The CMDB commands end to end: imports print their report, a bad file is one line and nothing written."""

from __future__ import annotations

import json

from tests.support.cmdb import ESTATE, write_csv


def test_ci_import_report_show_and_export(staffed, tmp_path):
    cli = staffed
    path = write_csv(tmp_path / "cis.csv", [*ESTATE, {"name": "bad", "type": "toaster"}])
    _, out, _ = cli("ci", "import", str(path))
    lines = out.splitlines()
    assert lines[0] == "CIs: 5 created, 0 updated, 0 unchanged, 1 rejected"
    assert lines[1].startswith("rejected line 7 (bad): unknown type 'toaster'")
    report = cli.json("ci", "import", str(path), "--json")
    assert (report["created"], report["unchanged"], len(report["rejected"])) == (0, 5, 1)
    shown = cli.json("ci", "show", "pay-db", "--json")
    assert (shown["depends_on"], shown["depended_on_by"], shown["criticality"]) == (["san-1"], ["pay-gw"], "high")
    _, out, _ = cli("ci", "show", "pay-gw")
    assert "depends on: lb-1, pay-db" in out
    _, exported, _ = cli("ci", "export", "--format", "json")
    assert [c["name"] for c in json.loads(exported)["cis"]] == ["laptop-7", "lb-1", "pay-db", "pay-gw", "san-1"]
    _, csv_out, _ = cli("ci", "export")
    assert csv_out.splitlines()[0] == "name,type,service,owner,location,criticality,description,depends_on"
    assert "pay-gw,application,Payments,Platform SRE,,critical,,lb-1;pay-db" in csv_out
    assert cli.fails("ci", "show", "nope") == "incidentdesk: no CI 'nope': `incidentdesk ci list` shows them"


def test_bad_files_are_one_line_and_write_nothing(staffed, tmp_path):
    cli = staffed
    broken = tmp_path / "broken.json"
    broken.write_text('[{"name": "a"},')
    line = cli.fails("ci", "import", str(broken))
    assert line.startswith(f"incidentdesk: {broken}: not valid JSON") and line.endswith("nothing imported")
    assert cli.fails("ci", "import", str(tmp_path / "missing.csv")).endswith("no such file")
    strict = write_csv(tmp_path / "s.csv", [{"name": "fine"}, {"name": "x", "criticality": "meh"}])
    assert "--strict: nothing imported" in cli.fails("ci", "import", str(strict), "--strict")
    assert cli.json("ci", "list", "--json") == []
    assert "may not import CIs" in cli.fails("--as", "ann", "ci", "import", str(strict))


def test_categories_and_changes_from_the_command_line(staffed, tmp_path):
    cli = staffed
    cli("categories", "add", "Network/VPN/GlobalProtect", "--group", "Platform SRE")
    _, out, _ = cli("categories", "list")
    assert out.splitlines() == ["Network  [0 incidents]", "Network/VPN  [0 incidents]",
                                "Network/VPN/GlobalProtect  → Platform SRE  [0 incidents]"]
    line = cli.fails("new", "--title", "vpn", "--impact", "low", "--urgency", "low", "--category", "Netwrk/VPN")
    assert line == ("incidentdesk: unknown category 'Netwrk/VPN'; nearest: Network/VPN, Network, "
                    "Network/VPN/GlobalProtect (--category PATH)")
    _, key, _ = cli("new", "--title", "vpn", "--impact", "low", "--urgency", "low", "--category", "Network/VPN")
    key = key.strip()
    _, out, _ = cli("categories", "rename", "Network/VPN", "Remote")
    assert out.strip() == "renamed to Network/Remote"
    assert cli.json("show", key, "--json")["category"] == "Network/Remote"
    cli("categories", "retire", "Network/Remote")
    assert "is retired" in cli.fails("recategorise", key, "--category", "Network/Remote")
    cli("ci", "import", str(write_csv(tmp_path / "cis.csv", ESTATE)))
    _, change, _ = cli("change", "new", "Rotate LB certs", "--ci", "lb-1", "--risk", "high",
                       "--planned-start", "2026-11-23 07:00", "--planned-end", "2026-11-23 08:00")
    change = change.strip()
    assert change == "CHG-000001"
    record = cli.json("change", "update", change, "--status", "completed", "--json")
    assert (record["status"], record["cis"]) == ("completed", ["lb-1"])
    cli("link-change", key, change)
    assert cli.json("change", "show", change, "--json")["incidents"] == [key]
    assert cli.fails("change", "new", "x", "--ci", "nope").startswith("incidentdesk: unknown CI nope")
    assert [c["key"] for c in cli.json("change", "list", "--ci", "lb-1", "--json")] == [change]
