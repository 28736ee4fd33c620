"""`incidentdesk report`: its three formats carry the same figures; bad options are one line, exit 2."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.cli import new_incident


@pytest.fixture
def reported(staffed):
    """Two incidents today (one resolved by the CLI, one open) and a service request (excluded)."""
    done = new_incident(staffed, "--service", "Email")
    staffed("ack", done)
    staffed("resolve", done, "--code", "workaround", "--notes", "restarted")
    new_incident(staffed, "--service", "Email", title="Mail slow")
    new_incident(staffed, "--type", "request", title="New laptop")
    return staffed


def test_json(reported):
    data = reported.json("report", "--since", "1d", "--format", "json")
    assert data["by"] == "priority"
    [total] = [r for r in data["rows"] if r["key"] is None and r["priority"] is None]
    assert (total["created"], total["resolved"], total["open"], total["restore"]["n"]) == (2, 1, 1, 1)
    assert sorted((t["type"], t["n"]) for t in data["logged"]) == [("incident", 2), ("request", 1)]
    assert [(m["name"], m["n"]) for m in data["mtbf"]["service"]] == [("Email", 2)]
    assert set(reported.json("report", "--json")) == set(data)   # --json is --format json


def test_csv_has_a_line_per_json_row(reported):
    data = reported.json("report", "--since", "1d", "--by", "service", "--format", "json")
    _, out, _ = reported("report", "--since", "1d", "--by", "service", "--format", "csv")
    lines = list(csv.DictReader(io.StringIO(out)))
    assert len(lines) == len(data["rows"])
    email = [line for line in lines if line["key"] == "Email" and line["priority"] == ""]
    assert [(e["created"], e["resolved"], e["restore_n"]) for e in email] == [("2", "1", "1")]


def test_table(reported):
    _, out, _ = reported("report", "--since", "1d", "--by", "group")
    assert "Volume, backlog and rates:" in out and "Durations (mean / median / p90):" in out
    rates = out.split("Volume, backlog and rates:")[1].split("Durations")[0].splitlines()
    head = rates[1].split()
    assert head[:4] == ["group", "priority", "logged", "resolved"]
    all_line = [line.split() for line in rates if line.split()[:2] == ["all", "all"]]
    assert [cells[2:5] for cells in all_line] == [["2", "1", "1"]]   # logged, resolved, backlog


@pytest.mark.parametrize("args, words", [
    (("--since", "yesterday"), "is not a period"),
    (("--since", "2026-13-01"), "is not a period"),
    (("--since", "2d", "--until", "3d"), "must be after"),
    (("--by", "colour"), "unknown breakdown"),
    (("--format", "xml"), "unknown format"),
])
def test_bad_options_are_one_line_and_exit_2(cli, args, words):
    code, out, err = cli("report", *args, ok=False)
    assert code == 2 and out == ""
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_csv_defuses_formulas_in_user_text(staffed):
    new_incident(staffed, "--service", "=HYPERLINK(\"http://x\")")
    _, out, _ = staffed("report", "--by", "service", "--format", "csv")
    keys = {line["key"] for line in csv.DictReader(io.StringIO(out))}
    assert "'=HYPERLINK(\"http://x\")" in keys and not any(k.startswith("=") for k in keys)
