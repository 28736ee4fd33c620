"""A repeat that only bumps the counters reaches every console's change feed, on both backends.

It writes no timeline event and no version bump (a storm of repeats never makes a person's
edit conflict), and used to write a change-log row but no NOTIFY: PostgreSQL consoles never saw
it. The listener here is the console's own reader (store/changefeed.ChangeFeed) on an engine of
its own, as another console's would be; the alerts arrive over real HTTP.
"""

from __future__ import annotations

import time

from sqlalchemy import func, select

from incidentdesk.domain.keys import parse_key
from incidentdesk.store.changefeed import ChangeFeed
from incidentdesk.store.engine import open_database
from incidentdesk.store.models import ChangeLog

from tests.support.payloads import am_alert, am_payload


def _other_console(db):
    return open_database(db.url if db.backend == "sqlite" else db.engine.url.render_as_string(hide_password=False))


def _seen_within(feed: ChangeFeed, seconds: float) -> set[int]:
    seen: set[int] = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        seen |= feed.wait(0.2).incident_ids
    return seen


def test_a_counters_only_repeat_reaches_another_consoles_feed(start_receiver, clock, db):
    rx = start_receiver({"retry_window_seconds": 30})  # burst gap: the default 5 minutes
    payload = am_payload([am_alert("fp-counted")])
    key = rx.am(payload).json()["created"][0]
    number = parse_key(key)
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        assert not _seen_within(feed, 0.3), "nothing has changed since the feed started"
        before = rx.incident(key)
        events = len(rx.timeline(key))
        with db.read() as s:
            logged = s.scalar(select(func.count()).select_from(ChangeLog).where(ChangeLog.incident_id == number))
        clock.advance(minutes=1)  # past the retry window (a repeat, counted), inside the burst: no timeline line
        assert rx.am(payload).json()["replayed"] is False
        after = rx.incident(key)
        # Counters only: no timeline event, no version bump ...
        assert after.alert_count == before.alert_count + 1
        assert after.version == before.version and len(rx.timeline(key)) == events
        # ... one change-log row, and the listening console hears of it (NOTIFY on PostgreSQL).
        with db.read() as s:
            assert s.scalar(select(func.count()).select_from(ChangeLog)
                            .where(ChangeLog.incident_id == number)) == logged + 1
        assert number in _seen_within(feed, 1.5)
    finally:
        feed.close()
        other.dispose()
