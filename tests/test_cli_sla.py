"""`incidentdesk list` and `show` print each SLA target's state and time left (and the replaced ones)."""

from __future__ import annotations

import re



def test_list_and_show_print_every_target_with_its_state_and_time_left(cli):
    _, out, _ = cli("new", "--title", "Checkout down", "--impact", "high", "--urgency", "high")
    key = out.strip()
    _, out, _ = cli("list")
    line = next(line for line in out.splitlines() if line.startswith(key))
    assert re.search(r"\[response on track, 1[45]m\d\ds left; resolution on track, 3h5\dm left\]$", line), line
    cli("ack", key)
    cli("reprioritise", key, "--impact", "medium", "--urgency", "medium", "--reason", "one user only")
    _, out, _ = cli("list")
    line = next(line for line in out.splitlines() if line.startswith(key))
    # P3 counts on business hours: working time left, in hours (never "2d20h" of nights and weekends)
    assert re.search(r"\[response met; resolution on track, \d+h\d\dm business hours left\]$", line), line
    _, out, _ = cli("show", key)
    assert re.search(r"^  response SLA: met \d{4}-\d\d-\d\d \d\d:\d\d UTC \(due \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$", out, re.M)
    assert re.search(r"^  resolution SLA: on track, \d+h\d\dm business hours left, due \d{4}-\d\d-\d\d \d\d:\d\d UTC$",
                     out, re.M)
    assert re.search(r"^  earlier resolution target \(P1, due [-\d :]+ UTC\): on track, replaced [-\d :]+ UTC$", out, re.M)
    assert "earlier response target" not in out            # it had stopped (met): nothing was replaced
