"""The command line names its own flags in the services' field errors (the console names its fields)."""

from __future__ import annotations

from tests.support.cli import new_incident


def test_errors_name_the_flag_to_use(staffed):
    key = new_incident(staffed, "--group", "Service Desk")
    line = staffed.fails("--as", "ann", "escalate", key, "--kind", "functional", "--summary", "tried X")
    assert "needs the group to hand over to" in line and "(--to GROUP)" in line
    line = staffed.fails("--as", "cap", "assign", key)
    assert "name a person or a group" in line and "--user" in line and "--group" in line
