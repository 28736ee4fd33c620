"""The command line names its own flags in the services' field errors (the console names its fields)."""

from __future__ import annotations

from tests.test_cli import _new, cli, staffed  # noqa: F401  (fixtures)


def test_errors_name_the_flag_to_use(staffed):  # noqa: F811
    key = _new(staffed, "--group", "Service Desk")
    line = staffed.fails("--as", "ann", "escalate", key, "--kind", "functional", "--summary", "tried X")
    assert "needs the group to hand over to" in line and "(--to GROUP)" in line
    line = staffed.fails("--as", "cap", "assign", key)
    assert "name a person or a group" in line and "--user" in line and "--group" in line
