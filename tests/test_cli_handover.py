"""`incidentdesk handover`: the draft (Markdown, --json), publish, ack, list, show — and one-line refusals."""

from __future__ import annotations

import json

from incidentdesk.services.context import os_login
from tests.support.cli import new_incident

ME = os_login()


def test_draft_is_markdown_for_chat_and_json_for_scripts(staffed):
    key = new_incident(staffed, "--group", "Service Desk", title="Checkout | *down*")
    _, out, _ = staffed("handover", "--note", "# watch checkout")
    assert out.startswith("# Shift handover (draft, ")
    assert "\\# watch checkout" in out
    assert f"| {key} | P2 | Checkout \\| \\*down\\* |" in out
    assert "## Unassigned (1)" in out and "## Open major incidents (0)" in out
    draft = staffed.json("handover", "--json")
    assert draft["draft"] is True and draft["previous_id"] is None
    assert [i["key"] for i in draft["content"]["sections"]["unassigned"]] == [key]
    assert draft["content"]["sections"]["unassigned"][0]["title"] == "Checkout | *down*"


def test_publish_ack_list_show(staffed):
    key = new_incident(staffed, title="VPN flaps")
    _, out, _ = staffed("--as", "cap", "handover", "publish", "--note", "VPN flaps; vendor called")
    assert out == "handover 1 published\n"
    line = staffed.fails("--as", "cap", "handover", "ack")
    assert line == "incidentdesk: cap published handover 1 and may not acknowledge it: the incoming captain acknowledges"
    line = staffed.fails("--as", "ann", "handover", "ack")
    assert line.startswith("incidentdesk: ann (responder) may not acknowledge a shift handover")
    _, out, _ = staffed("handover", "list")
    assert "awaiting acknowledgement" in out and " cap " in out
    record = staffed.json("handover", "ack", "1", "--json")
    assert record["acknowledged_by"] == ME and record["id"] == 1 and record["version"] == 2
    assert staffed.fails("handover", "ack").startswith("incidentdesk: handover 1 was already acknowledged by " + ME)
    _, out, _ = staffed("handover", "show", "1")
    assert out.startswith("# Shift handover 1\n")
    assert "Published by cap at " in out and f"acknowledged by {ME} at" in out
    assert "VPN flaps; vendor called" in out and f"| {key} |" in out
    shown = staffed.json("handover", "show", "1", "--json")
    assert shown["note"] == "VPN flaps; vendor called"
    assert [i["key"] for i in shown["content"]["sections"]["new"]] == [key]
    listed = staffed.json("handover", "list", "--json")
    assert [h["id"] for h in listed] == [1] and listed[0]["content"] is None


def test_mistakes_are_one_line(staffed):
    assert staffed.fails("handover", "show", "7") == "incidentdesk: no handover 7: `incidentdesk handover list` shows them"
    assert staffed.fails("handover", "show", "x") == "incidentdesk: a handover is named by its number, not 'x'"
    assert staffed.fails("handover", "ack") == "incidentdesk: no handover has been published yet; nothing to acknowledge"
    assert "whole number" in staffed.fails("handover", "ack", "two")
    assert staffed.fails("handover", "list", "--limit", "0") == "incidentdesk: --limit must be 1 to 1000, not 0"
    line = staffed.fails("--as", "ann", "handover", "publish", "--note", "hi")
    assert line.startswith("incidentdesk: ann (responder) may not publish a shift handover")
    _, out, _ = staffed("handover", "list")
    assert out.startswith("no handover has been published yet")


def test_unacknowledged_past_the_window_is_flagged_in_the_list(staffed):
    staffed.set_config("[general]\nallow_acting_as = true\n[handover]\nack_within_minutes = 1\n")
    staffed("--as", "cap", "handover", "publish")
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from incidentdesk.store.engine import open_database
    from incidentdesk.store.handover_models import Handover

    db = open_database(staffed.db_url)
    try:
        with db.write() as s:   # as if published three minutes ago
            s.execute(update(Handover).values(published_at=datetime.now(UTC) - timedelta(minutes=3, seconds=5)))
    finally:
        db.dispose()
    _, out, _ = staffed("handover", "list")
    assert "NOT ACKNOWLEDGED after 3m" in out
    assert json.loads(staffed("handover", "show", "1", "--json")[1])["acknowledged_at"] is None
