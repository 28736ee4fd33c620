"""The review as Markdown and JSON, golden-free: structure, and untrusted text that cannot break it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from incidentdesk.domain.pir import close_refusal, measured_duration
from incidentdesk.domain.pir_review import Entry, FollowUp, Review, build_timeline
from incidentdesk.domain.pir_markdown import block, inline, render_markdown, review_json
from incidentdesk.domain.vendor import check_url, is_vendor_hold, vendor_line

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HOSTILE = "Pay | API `down` *now* [x](javascript:1) <b>\x1b[31m\n# not a heading"


def _review(**kw) -> Review:
    base = dict(key="INC-000042", title=HOSTILE, priority=1, severity="SEV1", status="resolved", is_major=True,
                commander="mgr", started_at=T0, resolved_at=T0.replace(hour=11, minute=15),
                summary="A release broke it.\n- not a list\n# not a heading", causes=("no canary", "a | b"),
                timeline=(Entry(1, T0, "ann", "created", HOSTILE),
                          Entry(2, T0.replace(minute=5), "cap", "major_declared", "EU down", True, "fast | good"),
                          Entry(3, T0.replace(minute=30), "mgr", "stakeholder_update", "next update 10:00"),
                          Entry(4, T0.replace(minute=40), "bob", "comment", "logs")),
                follow_ups=(FollowUp(1, "Add a `canary`", "bob", date(2026, 12, 15)),
                            FollowUp(2, "Route alerts", "ann", None, T0, "ann")),
                exists=True, version=3, updated_by="mgr", updated_at=T0)
    base.update(kw)
    return Review(**base)


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def _section(md: str, heading: str) -> list[str]:
    lines = md.splitlines()
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    return [line for line in lines[start:end] if line.strip()]


def test_headings_in_order_and_one_title():
    md = render_markdown(_review())
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == ["# Post-incident review: INC-000042 — " + inline(HOSTILE), "## Summary", "## Impact",
                        "## Timeline", "## What slowed the response", "## What information was missing",
                        "## Contributing causes", "## Follow-up actions"]
    assert "\x1b" not in md


def test_timeline_table_keeps_its_columns_whatever_the_text():
    md = render_markdown(_review())
    rows = [line for line in _section(md, "## Timeline") if line.startswith("|")]
    assert rows[0] == "| When (UTC) | Who | What | Details |" and rows[1] == "| --- | --- | --- | --- |"
    assert all(_unescaped_pipes(r) == 5 for r in rows), rows
    # highlights (★) and stakeholder updates only, once one is marked; the rest is pointed to
    assert len(rows) == 4 and "★ major declared" in rows[2] and "stakeholder update" in rows[3]
    assert "**note:** fast \\| good" in rows[2]
    assert "2 other events" in md and "`incidentdesk show INC-000042`" in md
    # with no highlight, every event is listed; the hostile title's backticks cannot open a code span
    rows = [line for line in _section(render_markdown(_review(timeline=_review().timeline[:1] + (
        Entry(5, T0, "x", "comment", HOSTILE),))), "## Timeline") if line.startswith("|")]
    assert len(rows) == 4 and all(_unescaped_pipes(r) == 5 for r in rows)
    assert "\\`down\\`" in rows[2] and "\\[x\\](javascript:1)" in rows[2] and "\\<b\\>" in rows[2]


def test_paragraphs_cannot_become_headings_or_lists():
    md = render_markdown(_review())
    summary = _section(md, "## Summary")
    assert summary == ["A release broke it.  ", "\\- not a list  ", "\\# not a heading"]
    assert block("") == "_Not written yet._"


def test_follow_ups_are_a_checklist_with_owner_and_due():
    items = _section(render_markdown(_review()), "## Follow-up actions")
    assert items[0] == "- [ ] Add a \\`canary\\` — owner **bob**, due 2026-12-15"
    assert items[1].startswith("- [x] Route alerts — owner **ann**, no due date — done 2026-11-23 09:00 by ann")
    causes = _section(render_markdown(_review()), "## Contributing causes")
    assert causes == ["1. no canary", "2. a \\| b"]


def test_draft_says_what_is_missing_and_impact_duration_from_the_incident():
    md = render_markdown(_review(summary="", causes=(), exists=False, version=0))
    assert "**Review:** draft — still needs a summary and at least one contributing cause (version 0)" in md
    assert "- **Duration:** 2h 15m" in md
    assert "- **Duration:** about a day" in render_markdown(_review(impact_duration="about a day"))


def test_json_has_every_section():
    data = review_json(_review())
    assert data["complete"] is True and data["missing"] == [] and data["version"] == 3
    assert data["impact"]["duration"] == "2h 15m" and data["causes"] == ["no canary", "a | b"]
    assert [e["seq"] for e in data["timeline"]] == [1, 2, 3, 4]
    assert data["timeline"][1]["highlight"] is True and data["timeline"][2]["stakeholder_update"] is True
    assert data["follow_ups"][0] == {"number": 1, "action": "Add a `canary`", "owner": "bob", "due": "2026-12-15",
                                     "done": False, "done_at": None, "done_by": None}


def test_timeline_from_events_leaves_review_events_out_and_words_changes():
    class E:
        def __init__(self, seq, kind, text="", before=None, after=None):
            self.seq, self.at, self.actor, self.kind, self.text = seq, T0, "ann", kind, text
            self.before, self.after = before, after

    entries = build_timeline([E(3, "pir", "review: summary"), E(1, "created", "t"),
                              E(2, "assigned", "", {"assignee": None}, {"assignee": "bob"}),
                              E(4, "stakeholder_update", "all good")], {4: "n"})
    assert [(e.seq, e.text, e.highlight) for e in entries] == [
        (1, "t", False), (2, "assignee: — → bob", False), (4, "all good", True)]
    assert entries[-1].stakeholder_update


def test_close_refusal_and_duration():
    assert close_refusal("INC-1", True, "s", ["c"]) is None
    assert "has no post-incident review yet" in close_refusal("INC-1", False, "", [])
    assert "it needs a summary)" in close_refusal("INC-1", True, " ", ["c"])
    assert measured_duration(T0, T0.replace(day=24, hour=10, minute=1)) == "1d 1h 1m"
    assert measured_duration(None, T0) == ""


def test_vendor_rules():
    assert vendor_line("Acme", "CS-1", "investigating", "https://s.example/1") == \
        "Vendor: Acme ticket CS-1 — status: investigating — https://s.example/1"
    assert vendor_line(None, None, None, None) is None
    assert vendor_line("Acme\x1b[2J", None, None, None) == "Vendor: Acme[2J"
    assert is_vendor_hold(" Waiting for  vendor: RMA ") and not is_vendor_hold("waiting for vendorless")
    assert check_url(" https://status.example.com/x?y=1 ") == "https://status.example.com/x?y=1"
