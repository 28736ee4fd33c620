"""Period parsing and the reference percentile of domain/metrics.py (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.metrics import Period, parse_breakdown, parse_period, percentile, rate, weeks

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize("since, until, expected", [
    ("30d", None, (NOW - timedelta(days=30), NOW)),
    ("12w", None, (NOW - timedelta(weeks=12), NOW)),
    (" 48H ", None, (NOW - timedelta(hours=48), NOW)),
    ("2026-11-01", "2026-11-10", (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 11, tzinfo=UTC))),
    ("2026-11-01T08:00", "2026-11-02T10:00+01:00",
     (datetime(2026, 11, 1, 8, tzinfo=UTC), datetime(2026, 11, 2, 9, tzinfo=UTC))),
])
def test_periods(since, until, expected):
    period = parse_period(since, until, NOW)
    assert (period.since, period.until) == expected


@pytest.mark.parametrize("since, until, words", [
    ("thirty days", None, "is not a period"), ("30x", None, "is not a period"), ("", None, "is not a period"),
    ("2026-11-10", "2026-11-01", "must be after"), ("1d", "2d", "must be after"),
])
def test_bad_periods(since, until, words):
    with pytest.raises(ValidationError, match=words):
        parse_period(since, until, NOW)


def test_breakdowns():
    assert parse_breakdown(" Group ") == "group"
    with pytest.raises(ValidationError, match="use one of priority, group"):
        parse_breakdown("team")


def test_percentile_is_linear_between_closest_ranks():
    assert percentile([10, 20, 30, 40], 0.5) == 25      # position 1.5
    assert percentile([10, 20, 30, 40], 0.9) == 37      # position 2.7: 30 + .7 * 10
    assert percentile([7], 0.9) == 7 and percentile([], 0.5) is None


def test_rates_and_weeks():
    assert (rate(1, 3), rate(0, 0)) == (33.33, None)
    period = Period(datetime(2026, 11, 4, tzinfo=UTC), datetime(2026, 11, 17, tzinfo=UTC))   # Wed .. Tue
    assert [w.day for w in weeks(period)] == [2, 9, 16]                                      # their Mondays
