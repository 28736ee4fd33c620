"""Working-time arithmetic: weekends, nights, holidays and daylight-saving changes."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.domain.calendars import (
    DEFAULT_BUSINESS, TWENTY_FOUR_SEVEN, Calendar, parse_calendar, parse_days,
)
from incidentdesk.domain.errors import ValidationError

LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


LONDON_BUSINESS = parse_calendar("uk", {"time_zone": "Europe/London", "days": "mon-fri", "hours": "09:00-17:00",
                                        "holidays": ["2026-12-25", "2026-12-28"]})


def test_24x7_is_plain_arithmetic():
    start = utc(2026, 11, 27, 23, 30)
    assert TWENTY_FOUR_SEVEN.add(start, 4 * H) == utc(2026, 11, 28, 3, 30)
    assert TWENTY_FOUR_SEVEN.elapsed(start, utc(2026, 11, 30, 23, 30)) == 72 * H


def test_friday_afternoon_rolls_over_the_weekend():
    # 2026-11-27 is a Friday: 1 h left on Friday, 3 h on Monday.
    assert DEFAULT_BUSINESS.add(utc(2026, 11, 27, 16, 0), 4 * H) == utc(2026, 11, 30, 12, 0)
    assert DEFAULT_BUSINESS.elapsed(utc(2026, 11, 27, 16, 0), utc(2026, 11, 30, 12, 0)) == 4 * H


def test_start_at_night_or_weekend_waits_for_opening():
    assert DEFAULT_BUSINESS.add(utc(2026, 11, 24, 20, 0), H) == utc(2026, 11, 25, 10, 0)   # Tuesday night
    assert DEFAULT_BUSINESS.add(utc(2026, 11, 23, 7, 0), H / 2) == utc(2026, 11, 23, 9, 30)  # before opening
    # A full working day from Saturday ends at Monday's closing time, not Tuesday's opening.
    assert DEFAULT_BUSINESS.add(utc(2026, 11, 28, 10, 0), 8 * H) == utc(2026, 11, 30, 17, 0)
    assert DEFAULT_BUSINESS.elapsed(utc(2026, 11, 28, 0, 0), utc(2026, 11, 30, 0, 0)) == timedelta(0)


def test_three_business_days_from_monday_morning():
    assert DEFAULT_BUSINESS.working_day == 8 * H
    assert DEFAULT_BUSINESS.add(utc(2026, 11, 23, 9, 0), 3 * DEFAULT_BUSINESS.working_day) == utc(2026, 11, 25, 17, 0)


def test_holidays_are_skipped():
    # Thu 24 Dec 16:00: 1 h that day; Fri 25 and Mon 28 are holidays; then Tue 29 from 09:00.
    start = london(2026, 12, 24, 16, 0)
    assert LONDON_BUSINESS.add(start, 2 * H) == london(2026, 12, 29, 10, 0).astimezone(UTC)
    assert LONDON_BUSINESS.elapsed(start, london(2026, 12, 29, 10, 0)) == 2 * H
    assert not LONDON_BUSINESS.is_working(london(2026, 12, 25, 11, 0))


def test_spring_forward_keeps_local_opening_hours():
    # Europe/London moves to BST on Sunday 2026-03-29. Friday closes 17:00 GMT (17:00Z);
    # Monday opens 09:00 BST (08:00Z).
    start = london(2026, 3, 27, 16, 0)
    due = LONDON_BUSINESS.add(start, 2 * H)
    assert due == london(2026, 3, 30, 10, 0).astimezone(UTC) == utc(2026, 3, 30, 9, 0)
    assert LONDON_BUSINESS.elapsed(start, due) == 2 * H


def test_fall_back_keeps_local_opening_hours():
    # Back to GMT on Sunday 2026-10-25: Friday 16:30 BST is 15:30Z, Monday 09:30 GMT is 09:30Z.
    start = london(2026, 10, 23, 16, 30)
    assert start.astimezone(UTC) == utc(2026, 10, 23, 15, 30)
    due = LONDON_BUSINESS.add(start, H)
    assert due == utc(2026, 10, 26, 9, 30)
    # 66 h of wall time passed; the clock counted one working hour.
    assert due - start == 66 * H
    assert LONDON_BUSINESS.elapsed(start, due) == H


def test_whole_day_calendar_counts_the_real_length_of_dst_days():
    every_day = Calendar(name="london-days", time_zone="Europe/London", holidays=frozenset({date(2026, 1, 1)}))
    assert every_day.elapsed(london(2026, 3, 28, 0, 0), london(2026, 3, 30, 0, 0)) == 47 * H
    assert every_day.elapsed(london(2026, 10, 24, 0, 0), london(2026, 10, 26, 0, 0)) == 49 * H
    assert every_day.elapsed(london(2025, 12, 31, 12, 0), london(2026, 1, 2, 12, 0)) == 24 * H


def test_hours_inside_the_spring_gap():
    # 01:30-03:00 local on the day 01:00-02:00 does not exist: 01:30 reads as 02:30 BST, so 30 min.
    night = Calendar(name="night", time_zone="Europe/London", start_minute=90, end_minute=180)
    assert night.elapsed(london(2026, 3, 29, 0, 0), london(2026, 3, 29, 12, 0)) == timedelta(minutes=30)
    assert night.elapsed(london(2026, 3, 28, 0, 0), london(2026, 3, 28, 12, 0)) == timedelta(minutes=90)


@settings(max_examples=150, deadline=None)
@given(start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       minutes=st.integers(min_value=1, max_value=60 * 8 * 15))
def test_add_and_elapsed_agree(start, minutes):
    amount = timedelta(minutes=minutes)
    due = LONDON_BUSINESS.add(start, amount)
    assert LONDON_BUSINESS.elapsed(start, due) == amount
    # The due instant is the earliest one: a minute earlier there was less working time.
    assert LONDON_BUSINESS.elapsed(start, due - timedelta(minutes=1)) < amount


def test_parsing_and_validation():
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("sat-mon") == frozenset({5, 6, 0})
    assert parse_days(["Monday", "wed"]) == frozenset({0, 2})
    cal = parse_calendar("x", {"start": "08:30", "end": "18:00", "days": ["mon"]})
    assert cal.working_day == timedelta(hours=9, minutes=30)
    assert parse_calendar("y", {"type": "24x7"}).is_24x7
    with pytest.raises(ValidationError, match="time zone"):
        parse_calendar("x", {"time_zone": "Mars/Olympus"})
    with pytest.raises(ValidationError, match="start before"):
        parse_calendar("x", {"hours": "17:00-09:00"})
    with pytest.raises(ValidationError, match="unknown day"):
        parse_calendar("x", {"days": ["funday"]})
    with pytest.raises(ValidationError, match="not a date"):
        parse_calendar("x", {"holidays": ["25/12/2026"]})


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        DEFAULT_BUSINESS.add(datetime(2026, 1, 1, 9, 0), H)
