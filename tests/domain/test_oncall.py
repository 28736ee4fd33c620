"""On-call rotations (domain/oncall.py): who is on call, handoffs across DST, overrides, swaps, shifts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.oncall import (
    Cadence, Override, OverrideKind, Rotation, check_override, check_zone, describe, parse_handoff_time,
    parse_weekday, swap_overrides,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def local(zone, *args) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)


def weekly(**kw) -> Rotation:
    base = dict(group="SRE", members=("ann", "bob", "cid"), cadence=Cadence.WEEKLY, handoff_weekday=0,
                handoff_time=time(9, 0), zone="Europe/Berlin", start=date(2026, 3, 2))
    base.update(kw)
    return Rotation(**base)


def test_weekly_rotation_hands_over_on_its_weekday_at_local_time():
    r = weekly()
    assert r.anchor == date(2026, 3, 2)  # a Monday
    assert r.on_call(local(BERLIN, 2026, 3, 2, 9, 0)) == "ann"
    assert r.on_call(local(BERLIN, 2026, 3, 2, 8, 59)) == "cid"  # the shift before the anchor: rotation runs backwards
    assert r.on_call(local(BERLIN, 2026, 3, 9, 8, 59)) == "ann"
    assert r.on_call(local(BERLIN, 2026, 3, 9, 9, 0)) == "bob"
    assert r.on_call(local(BERLIN, 2026, 3, 16, 9, 0)) == "cid"
    assert r.on_call(local(BERLIN, 2026, 3, 23, 9, 0)) == "ann"


def test_anchor_is_the_first_handoff_weekday_on_or_after_the_start():
    r = weekly(start=date(2026, 3, 4), handoff_weekday=parse_weekday("tue"))  # a Wednesday; Tuesdays
    assert r.anchor == date(2026, 3, 10)
    assert r.on_call(local(BERLIN, 2026, 3, 10, 9, 0)) == "ann"


def test_handoff_stays_at_local_nine_across_spring_forward_and_fall_back():
    r = weekly()
    # Europe/Berlin: clocks go 02:00 -> 03:00 on 2026-03-29, 03:00 -> 02:00 on 2026-10-25
    before, after = r.handoff(3), r.handoff(4)  # Mon 23 Mar and Mon 30 Mar
    assert before.astimezone(BERLIN).hour == 9 and after.astimezone(BERLIN).hour == 9
    assert before == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)   # UTC+1
    assert after == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)    # UTC+2
    assert after - before == timedelta(days=7, hours=-1)       # the shift over the change is an hour short
    autumn = [r.handoff(n) for n in range(33, 36)]
    assert [h.astimezone(BERLIN).hour for h in autumn] == [9, 9, 9]
    assert autumn[1] - autumn[0] == timedelta(days=7, hours=1) or autumn[2] - autumn[1] == timedelta(days=7, hours=1)


def test_daily_rotation_across_dst_in_new_york():
    r = Rotation("Desk", ("ann", "bob"), Cadence.DAILY, handoff_time=time(8, 30), zone="America/New_York",
                 start=date(2026, 3, 7))
    # 2026-03-08 is the US spring-forward day
    assert r.on_call(local(NEW_YORK, 2026, 3, 7, 8, 30)) == "ann"
    assert r.on_call(local(NEW_YORK, 2026, 3, 8, 8, 29)) == "ann"
    assert r.on_call(local(NEW_YORK, 2026, 3, 8, 8, 30)) == "bob"
    assert r.on_call(local(NEW_YORK, 2026, 3, 9, 8, 30)) == "ann"
    shifts = r.shifts(local(NEW_YORK, 2026, 3, 7, 8, 30), local(NEW_YORK, 2026, 3, 10, 8, 30))
    assert [s.person for s in shifts] == ["ann", "bob", "ann"]
    assert [s.end - s.start for s in shifts] == [timedelta(hours=23), timedelta(hours=24), timedelta(hours=24)]
    assert all(s.start.astimezone(NEW_YORK).time() == time(8, 30) for s in shifts)


def test_handoff_inside_the_spring_gap_is_read_with_the_earlier_offset():
    r = Rotation("Night", ("ann", "bob"), Cadence.DAILY, handoff_time=time(2, 30), zone="Europe/Berlin",
                 start=date(2026, 3, 27))
    gap = r.handoff(2)  # 2026-03-29 02:30 does not exist in Berlin
    assert gap == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert r.handoff(1) < gap < r.handoff(3)


def test_next_handoff_and_now_and_next():
    r = weekly()
    at = local(BERLIN, 2026, 3, 4, 12, 0)
    assert r.next_handoff(at) == local(BERLIN, 2026, 3, 9, 9, 0)
    now, nxt = r.now_and_next(at)
    assert (now.person, now.start, now.end) == ("ann", local(BERLIN, 2026, 3, 4, 12, 0), local(BERLIN, 2026, 3, 9, 9, 0))
    assert (nxt.person, nxt.start) == ("bob", local(BERLIN, 2026, 3, 9, 9, 0))


def test_override_wins_and_newest_of_overlapping_overrides_wins():
    o1 = Override(1, "dan", local(BERLIN, 2026, 3, 3, 0, 0), local(BERLIN, 2026, 3, 6, 0, 0))
    o2 = Override(2, "eve", local(BERLIN, 2026, 3, 4, 0, 0), local(BERLIN, 2026, 3, 5, 0, 0))
    r = weekly(overrides=(o2, o1))
    assert r.on_call(local(BERLIN, 2026, 3, 2, 23, 59)) == "ann"
    assert r.on_call(local(BERLIN, 2026, 3, 3, 0, 0)) == "dan"
    assert r.on_call(local(BERLIN, 2026, 3, 4, 12, 0)) == "eve"
    assert r.on_call(local(BERLIN, 2026, 3, 5, 0, 0)) == "dan"
    assert r.on_call(local(BERLIN, 2026, 3, 6, 0, 0)) == "ann"   # end is exclusive
    assert r.scheduled(local(BERLIN, 2026, 3, 4, 12, 0)) == "ann"
    shifts = r.shifts(local(BERLIN, 2026, 3, 2, 9, 0), local(BERLIN, 2026, 3, 16, 9, 0))
    assert [(s.person, s.override_id) for s in shifts] == [
        ("ann", None), ("dan", 1), ("eve", 2), ("dan", 1), ("ann", None), ("bob", None)]
    assert all(a.end == b.start for a, b in zip(shifts, shifts[1:]))  # no gaps, no overlaps
    assert shifts[0].scheduled == "ann" and shifts[1].scheduled == "ann" and shifts[1].covered


def test_override_across_a_handoff_is_one_shift_and_later_override_nested_inside_older():
    o = Override(5, "dan", local(BERLIN, 2026, 3, 8, 0, 0), local(BERLIN, 2026, 3, 10, 0, 0), reason="cover")
    r = weekly(overrides=(o,))
    shifts = r.shifts(local(BERLIN, 2026, 3, 7, 0, 0), local(BERLIN, 2026, 3, 11, 0, 0))
    assert [(s.person, s.scheduled) for s in shifts] == [("ann", "ann"), ("dan", "ann"), ("bob", "bob")]
    assert shifts[1].end - shifts[1].start == timedelta(days=2)


def test_swap_is_two_overrides_each_covering_the_others_shift():
    r = weekly()
    mine_at = local(BERLIN, 2026, 3, 3, 12, 0)  # ann's week
    (p1, s1, e1), (p2, s2, e2) = swap_overrides(r, "ann", mine_at, "bob")
    assert (p1, s1, e1) == ("bob", r.handoff(0), r.handoff(1))
    assert (p2, s2, e2) == ("ann", r.handoff(1), r.handoff(2))  # bob's next shift after it
    swapped = weekly(overrides=(Override(1, p1, s1, e1, OverrideKind.SWAP, pair_id=2),
                                Override(2, p2, s2, e2, OverrideKind.SWAP, pair_id=1)))
    assert swapped.on_call(mine_at) == "bob"
    assert swapped.on_call(mine_at + timedelta(days=7)) == "ann"
    assert swapped.on_call(mine_at + timedelta(days=14)) == "cid"


def test_swap_with_a_chosen_shift_back_and_its_refusals():
    r = weekly()
    (_, s1, _), (_, s2, _) = swap_overrides(r, "ann", local(BERLIN, 2026, 3, 3), "bob",
                                            back=local(BERLIN, 2026, 3, 31, 12, 0))
    assert s1 == r.handoff(0) and s2 == r.handoff(4)
    with pytest.raises(ValidationError, match="bob's, not ann's"):
        swap_overrides(r, "ann", local(BERLIN, 2026, 3, 10, 12, 0), "cid")
    with pytest.raises(ValidationError, match="not a member"):
        swap_overrides(r, "ann", local(BERLIN, 2026, 3, 3, 12, 0), "zed")
    with pytest.raises(ValidationError, match="two different"):
        swap_overrides(r, "ann", local(BERLIN, 2026, 3, 3, 12, 0), "ann")
    with pytest.raises(ValidationError, match="cid's, not bob's"):
        swap_overrides(r, "ann", local(BERLIN, 2026, 3, 3, 12, 0), "bob", back=local(BERLIN, 2026, 3, 17, 12, 0))


def test_empty_rotation_has_nobody_on_call():
    r = weekly(members=())
    assert r.on_call(local(BERLIN, 2026, 3, 3)) is None
    assert [s.person for s in r.shifts(local(BERLIN, 2026, 3, 3), local(BERLIN, 2026, 3, 20))] == [None, None, None]


def test_shifts_over_a_long_range_cover_it_exactly():
    r = weekly()
    start, end = local(BERLIN, 2026, 1, 1), local(BERLIN, 2027, 1, 1)
    shifts = r.shifts(start, end)
    assert shifts[0].start == start and shifts[-1].end == end
    assert all(a.end == b.start for a, b in zip(shifts, shifts[1:]))
    assert all(s.start.astimezone(BERLIN).time() == time(9, 0) for s in shifts[1:])
    assert len(shifts) == 53
    assert r.shifts(end, start) == []


def test_parsing_and_checks():
    assert parse_handoff_time("07:05") == time(7, 5)
    for bad in ("7", "25:00", "9:5", "nine"):
        with pytest.raises(ValidationError, match="HH:MM"):
            parse_handoff_time(bad)
    assert parse_weekday("Tuesday") == 1 and parse_weekday("sun") == 6 and parse_weekday(3) == 3
    with pytest.raises(ValidationError, match="weekday"):
        parse_weekday("tu")
    assert str(check_zone("Europe/Berlin")) == "Europe/Berlin"
    for bad in ("Mars/Base", "", "../etc/passwd"):
        with pytest.raises(ValidationError, match="IANA"):
            check_zone(bad)
    a = datetime(2026, 3, 3, tzinfo=UTC)
    with pytest.raises(ValidationError, match="after its start"):
        check_override("ann", a, a)
    with pytest.raises(ValidationError, match="a year"):
        check_override("ann", a, a + timedelta(days=400))
    assert describe(weekly()) == "weekly, Monday 09:00 Europe/Berlin"
    assert describe(weekly(cadence=Cadence.DAILY)) == "daily at 09:00 Europe/Berlin"
    with pytest.raises(ValueError):
        weekly().on_call(datetime(2026, 3, 3))


# --- properties over random rotations, zones, handoffs and overrides ---------------------------

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo")
BASE = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def rotations(draw):
    members = tuple(draw(st.lists(st.sampled_from(("ann", "bob", "cid", "dee")), min_size=1, max_size=4)))
    overrides = []
    for i in range(draw(st.integers(0, 4))):
        start = BASE + timedelta(hours=draw(st.integers(0, 24 * 300)))
        overrides.append(Override(i + 1, draw(st.sampled_from(("zed", "yan", "ann"))), start,
                                  start + timedelta(hours=draw(st.integers(1, 24 * 10)))))
    return Rotation("G", members, draw(st.sampled_from(list(Cadence))), draw(st.integers(0, 6)),
                    time(draw(st.integers(0, 23)), draw(st.sampled_from((0, 15, 30, 45)))), draw(st.sampled_from(ZONES)),
                    date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 200))), tuple(overrides))


@settings(max_examples=60, deadline=None)
@given(rotations(), st.integers(0, 24 * 330), st.integers(1, 24 * 40))
def test_shifts_tile_the_range_and_agree_with_on_call(rotation, offset_hours, length_hours):
    start = BASE + timedelta(hours=offset_hours, minutes=7)
    end = start + timedelta(hours=length_hours)
    shifts = rotation.shifts(start, end)
    assert shifts[0].start == start and shifts[-1].end == end
    assert all(a.end == b.start and a.start < a.end for a, b in zip(shifts, shifts[1:]))
    for s in shifts:
        for at in (s.start, s.end - timedelta(seconds=1)):
            assert rotation.on_call(at) == s.person
            assert rotation.scheduled(at) == s.scheduled or s.covered
    zone = ZoneInfo(rotation.zone)
    for n in range(rotation.shift_index(start), rotation.shift_index(end) + 1):
        at = rotation.handoff(n)
        assert rotation.handoff(n + 1) - at >= timedelta(hours=rotation.cadence.days * 24 - 3)  # DST: at most ±hours
        wall = datetime.combine(at.astimezone(zone).date(), rotation.handoff_time, tzinfo=zone)
        exists = wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall.replace(tzinfo=None)
        if exists:  # the local handoff time, whatever the offset that day
            assert at.astimezone(zone).time() == rotation.handoff_time
    now, nxt = rotation.now_and_next(start)
    assert now.start == start and now.person == rotation.on_call(start)
    assert nxt is None or (nxt.start == now.end and nxt.person != now.person)
