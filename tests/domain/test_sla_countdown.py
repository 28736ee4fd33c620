"""Countdowns on business-hours calendars: working time left, not wall time; cheap to tick."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from incidentdesk.domain import calendars
from incidentdesk.domain.calendars import DEFAULT_BUSINESS, TWENTY_FOUR_SEVEN, parse_calendar
from incidentdesk.domain.sla_state import SlaState, countdown, format_duration, target_countdown

H = timedelta(hours=1)
FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
MONDAY_11 = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)    # 4 business hours after Friday 15:00
UK = parse_calendar("uk", {"time_zone": "Europe/London", "hours": "09:00-17:00", "holidays": ["2026-12-25"]})


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_four_business_hours_left_on_a_friday_afternoon_read_four_hours():
    kw = dict(acknowledged_at=None, resolved_at=None, response_due_at=MONDAY_11, resolution_due_at=MONDAY_11 + 8 * H)
    c = countdown(FRIDAY_3PM, **kw, calendar=DEFAULT_BUSINESS)
    assert (c.seconds, c.text, c.business, c.due_at) == (4 * 3600, "4h00m", True, MONDAY_11)
    assert countdown(FRIDAY_3PM, **kw).text == "2d20h"      # wall time: what a 24x7 reading would say
    # The weekend does not count down; Monday morning does; past due it counts working time over.
    assert countdown(utc(2026, 11, 28, 12, 0), **kw, calendar=DEFAULT_BUSINESS).text == "2h00m"
    assert countdown(utc(2026, 11, 30, 10, 0), **kw, calendar=DEFAULT_BUSINESS).text == "1h00m"
    over = countdown(utc(2026, 12, 1, 8, 0), **kw, calendar=DEFAULT_BUSINESS)
    assert (over.state, over.seconds) == (SlaState.BREACHED, -6 * 3600)   # Mon 11:00-17:00; Tuesday not open yet
    assert countdown(FRIDAY_3PM, **kw, calendar=TWENTY_FOUR_SEVEN).business is False


def test_working_time_never_reads_as_days():
    assert format_duration(39 * 3600 + 47 * 60, days=False) == "39h47m"
    assert format_duration(39 * 3600 + 47 * 60) == "1d15h"
    c = target_countdown(utc(2026, 11, 23, 9, 13), "resolution", acknowledged_at=utc(2026, 11, 23, 9, 5),
                         resolved_at=None, due_at=utc(2026, 11, 27, 17, 0), calendar=DEFAULT_BUSINESS)
    assert c.text == "39h47m"
    assert c.brief() == "on track, 39h47m business hours left"
    assert c.describe() == "on track, 39h47m business hours left, due 2026-11-27 17:00 UTC"


def test_paused_and_stopped_targets_in_words():
    paused = target_countdown(utc(2026, 11, 30, 12, 0), "resolution", acknowledged_at=FRIDAY_3PM, resolved_at=None,
                              due_at=MONDAY_11, paused_at=FRIDAY_3PM, calendar=DEFAULT_BUSINESS)
    assert (paused.text, paused.brief()) == ("paused 4h00m", "on track, paused, 4h00m business hours left")
    met = target_countdown(MONDAY_11, "response", acknowledged_at=FRIDAY_3PM, resolved_at=None, due_at=MONDAY_11,
                           state="met")
    assert met.describe() == "met 2026-11-27 15:00 UTC (due 2026-11-30 11:00 UTC)"
    late = target_countdown(MONDAY_11, "response", acknowledged_at=MONDAY_11, resolved_at=None,
                            due_at=FRIDAY_3PM, state="breached", breached_at=FRIDAY_3PM)
    assert late.brief() == "breached" and late.describe().startswith("breached 2026-11-27 15:00 UTC")


def test_the_tick_does_no_calendar_arithmetic_between_working_interval_edges(monkeypatch):
    calls = []
    real = calendars.Calendar._left_line
    monkeypatch.setattr(calendars.Calendar, "_left_line", lambda self, now, due: calls.append(now) or real(self, now, due))
    calendars._LEFT_LINES.clear()
    due = utc(2026, 12, 2, 12, 0)
    start = utc(2026, 11, 30, 9, 30)
    for second in range(0, 3 * 3600):                       # three hours of one-second ticks, inside working hours
        assert UK.working_left(start + timedelta(seconds=second), due) == UK.elapsed(start + timedelta(seconds=second),
                                                                                     due)
    assert len(calls) == 1
    for minute in range(0, 24 * 60, 7):                     # across the evening and the night: one line per edge
        now = utc(2026, 11, 30, 12, 30) + timedelta(minutes=minute)
        assert UK.working_left(now, due) == UK.elapsed(now, due)
    assert len(calls) <= 3


@settings(max_examples=200, deadline=None)
@given(due=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       steps=st.lists(st.integers(min_value=0, max_value=60 * 60 * 30), min_size=1, max_size=12),
       back=st.integers(min_value=0, max_value=60 * 60 * 24 * 9))
def test_working_left_agrees_with_elapsed_for_any_instant(due, steps, back):
    now = due - timedelta(seconds=back)
    for step in steps:                                      # time moving forward, through the due instant
        now += timedelta(seconds=step)
        want = UK.elapsed(now, due) if now < due else -UK.elapsed(due, now)
        assert UK.working_left(now, due) == want
