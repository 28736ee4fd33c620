"""The handover written out: Markdown escaping of untrusted text, the JSON snapshot's round trip, the flag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.config import ConfigError, parse_config
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.handover import (
    Content, Handover, Item, ack_overdue, clean_note, content_from_json, content_json, render_markdown, state_words,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _content(**sections) -> Content:
    return Content(NOW, NOW - timedelta(hours=8), {k: tuple(v) for k, v in sections.items()})


def test_untrusted_text_cannot_break_the_table_or_start_markup():
    c = _content(majors=[Item("INC-000001", 1, "Checkout | down *now* [x](javascript:y)", NOW - timedelta(minutes=5),
                              "commander `mgr`\x1b[31m")])
    md = render_markdown(c, "# everyone\n- not a list\n<script>")
    row = next(line for line in md.splitlines() if line.startswith("| INC-000001"))
    assert row == ("| INC-000001 | P1 | Checkout \\| down \\*now\\* \\[x\\](javascript:y) | 2026-11-23 08:55 (overdue) "
                   "| commander \\`mgr\\`\\[31m |")
    assert row.count(" | ") == 4 and "\x1b" not in md
    assert "\\# everyone  \n\\- not a list  \n\\<script\\>" in md


def test_every_section_is_written_even_when_empty():
    md = render_markdown(_content())
    for heading in ("## Open major incidents (0)", "## SLA breached (0)", "## SLA at risk (0)", "## Unassigned (0)",
                    "## New since the last handover (0)", "## Escalations in flight (0)", "## Waiting on vendors (0)"):
        assert heading in md
    assert "_No note._" in md and "_Nothing waits on a vendor._" in md


def test_the_snapshot_round_trips_through_json():
    c = Content(NOW, None, {"vendors": (Item("INC-000009", 3, "Mail", NOW, "Vendor: Contoso ticket 1"),),
                            "new": (Item("REQ-000010", 4, "Laptop", None),)}, frozenset({"new"}))
    back = content_from_json(content_json(c))
    assert back.items("vendors") == c.items("vendors") and back.items("new") == c.items("new")
    assert back.capped == frozenset({"new"}) and back.since is None and back.generated_at == NOW
    assert back.items("majors") == ()
    assert "## New since the last handover (first 1 shown)" in render_markdown(back)


def test_acknowledgement_state_and_flag():
    h = Handover(3, "cap", NOW, "", _content())
    within = timedelta(minutes=30)
    assert state_words(h, NOW + timedelta(minutes=30), within) == "awaiting acknowledgement"
    assert not ack_overdue(h, NOW + timedelta(minutes=30), within)
    assert ack_overdue(h, NOW + timedelta(minutes=75), within)
    assert state_words(h, NOW + timedelta(minutes=75), within) == "NOT ACKNOWLEDGED after 1h15m"
    acked = Handover(3, "cap", NOW, "", _content(), "dan", NOW + timedelta(minutes=90))
    assert not ack_overdue(acked, NOW + timedelta(hours=5), within)
    assert state_words(acked, NOW, within) == "acknowledged by dan at 2026-11-23 10:30"


def test_note_cleaning_and_limit():
    assert clean_note("  line one  \n\x07line two\u202e  ") == "line one\nline two"
    assert clean_note(None) == ""
    with pytest.raises(ValidationError, match="the handover note is 10001 characters"):
        clean_note("y" * 10_001)


@pytest.mark.parametrize("value", [0, -5, 1441, "soon"])
def test_ack_within_minutes_is_checked(value):
    with pytest.raises(ConfigError, match="ack_within_minutes"):
        parse_config({"handover": {"ack_within_minutes": value}})
    assert parse_config({"handover": {"ack_within_minutes": 45}}).schema.handover.ack_within == timedelta(minutes=45)
