"""`incidentdesk oncall ...`: the generated use cases, now/next, show, and the iCal feed parsed back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


@pytest.fixture
def rota(staffed):
    """Service Desk's weekly rotation (Monday 09:00 UTC from 2026-11-02): ann, bob, cap."""
    staffed("oncall", "rotation-set", "Service Desk", "--cadence", "weekly", "--day", "monday", "--at", "09:00",
            "--zone", "UTC", "--start", "2026-11-02", "--member", "ann", "--member", "bob", "--member", "cap")
    return staffed


def this_week_owner() -> str:
    """Who the rota puts on call now (the CLI runs on the real clock): weeks since 2026-11-02, mod 3."""
    anchor = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    weeks = (datetime.now(UTC) - anchor) // timedelta(days=7)
    return ("ann", "bob", "cap")[weeks % 3]


def test_rotation_set_prints_and_json_record(rota):
    code, out, _ = rota("oncall", "members", "Service Desk", "--member", "bob", "--member", "ann", "--member", "cap")
    assert out.strip() == "Service Desk: members saved"
    record = rota.json("oncall", "rotation-set", "Service Desk", "--at", "10:00", "--json")
    assert record["members"] == ["bob", "ann", "cap"] and record["handoff_time"] == "10:00"
    assert record["describe"] == "weekly, Monday 10:00 UTC" and record["now"]["person"] in {"bob", "ann", "cap"}


def test_now_and_next_for_every_group(rota):
    _, out, _ = rota("oncall")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["GROUP", "ON", "CALL"]
    row = next(line for line in lines if line.startswith("Service Desk"))
    owner = this_week_owner()
    following = {"ann": "bob", "bob": "cap", "cap": "ann"}[owner]
    assert row.split()[2] == owner and following in row.split() and "weekly, Monday 09:00 UTC" in row
    [item] = rota.json("oncall", "--json")
    assert (item["group"], item["now"]["person"], item["next"]["person"]) == ("Service Desk", owner, following)


def test_override_swap_show_and_remove(rota):
    owner = this_week_owner()
    cover = "cap" if owner != "cap" else "ann"
    now = datetime.now(UTC)
    start, end = (now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat()
    _, out, _ = rota("--as", "cap", "oncall", "override", "Service Desk", "--person", cover, "--start", start,
                     "--end", end, "--reason", "covering")
    number = out.split()[1].lstrip("#").rstrip(":")
    assert out.strip() == f"override #{number}: {cover} covers Service Desk"
    assert rota.json("oncall", "--json")[0]["now"]["person"] == cover
    _, shown, _ = rota("oncall", "show", "Service Desk", "--days", "21")
    assert f"#{number} override: {cover}" in shown and "covering" in shown and f"(override #{number}" in shown
    rota("--as", "cap", "oncall", "override-remove", "Service Desk", number)
    assert rota.json("oncall", "--json")[0]["now"]["person"] == owner
    # a member swaps their own shift: the owner gives this week to the next member
    taker = {"ann": "bob", "bob": "cap", "cap": "ann"}[owner]
    swap = rota.json("--as", owner, "oncall", "swap", "Service Desk", "--shift", now.isoformat(), "--with", taker,
                     "--json")
    assert swap["kind"] == "swap" and swap["person"] == taker and swap["pair_id"] == int(swap["id"]) + 1
    shown = rota.json("oncall", "show", "Service Desk", "--json")
    assert shown["now"]["person"] == taker and len(shown["overrides"]) == 2
    assert [s["person"] for s in shown["shifts"][:2]] == [taker, owner]


def test_mistakes_are_one_line(rota):
    assert "may not" in rota.fails("--as", "ann", "oncall", "rotation-set", "Service Desk", "--zone", "UTC",
                                   "--at", "08:00")
    assert "IANA" in rota.fails("oncall", "rotation-set", "Service Desk", "--zone", "Nowhere/Land")
    assert "HH:MM" in rota.fails("oncall", "rotation-set", "Service Desk", "--at", "25:99")
    assert "no on-call rotation" in rota.fails("oncall", "show", "Platform SRE")
    assert "no group" in rota.fails("oncall", "ical", "Nope")
    assert "--days" in rota.fails("oncall", "ical", "Service Desk", "--days", "0")
    assert "unknown person" in rota.fails("oncall", "members", "Service Desk", "--member", "ghost")
    assert "not a time" in rota.fails("oncall", "override", "Service Desk", "--person", "ann", "--start",
                                      "tomorrow", "--end", "2026-12-01 10:00")
    assert "no override #77" in rota.fails("oncall", "override-remove", "Service Desk", "77")


def test_ical_feed_parses_back_with_stable_uids(rota):
    from icalendar import Calendar

    _, first, _ = rota("oncall", "ical", "Service Desk", "--days", "30")
    cal = Calendar.from_ical(first)
    events = cal.walk("VEVENT")
    assert str(cal["X-WR-CALNAME"]) == "On call: Service Desk"
    assert 4 <= len(events) <= 6
    starts = [e.decoded("dtstart") for e in events]
    assert all(s.astimezone(UTC).weekday() == 0 and s.astimezone(UTC).hour == 9 for s in starts)
    assert all(e.decoded("dtend") == n.decoded("dtstart") for e, n in zip(events, events[1:]))
    owner = this_week_owner()
    assert str(events[0]["summary"]) == f"On call: {owner} (Service Desk)"
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    # an override on the next shift: the refreshed feed keeps every UID, the event changes person
    nxt = starts[1]
    rota("oncall", "override", "Service Desk", "--person", owner, "--start", nxt.isoformat(),
         "--end", (nxt + timedelta(days=7)).isoformat())
    _, second, _ = rota("oncall", "ical", "Service Desk", "--days", "30")
    again = Calendar.from_ical(second).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == uids
    assert str(again[1]["summary"]) == f"On call: {owner} (Service Desk)"
    assert "covering for" in str(again[1]["description"])
