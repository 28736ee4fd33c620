"""Live updates: follow the change feed in a worker thread and hand changes to the app.

A change made anywhere — another console, the CLI, ingestion, the sweeper — arrives here
as a set of incident ids; the app repaints only those rows and the open incident. When
the database goes away the app shows a banner (since when, retrying) and this loop keeps
trying; when it is back the app re-reads what it shows, since changes may have been missed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from textual.worker import get_current_worker

from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.store.changefeed import ChangeFeed
from incidentdesk.store.engine import Database

WAIT_SECONDS = 0.5
# While the database is away, try again this often: a refused connection costs a millisecond,
# and a hanging one is cut short by the feed's own connect timeout. The banner clears as soon as
# a try succeeds (the feed returns at once after reconnecting), so the console says it is back
# within about RETRY_SECONDS of the database's return. (It was 2 s here plus a 0.5 s wait, and a
# connection that hung on a silent network kept the feed stuck for as long as TCP retried.)
RETRY_SECONDS = 0.5


def follow_changes(app, db: Database, clock: Callable[[], datetime], since_id: int | None = None) -> None:
    """Run as a thread worker of `app`; returns when the worker is cancelled (app exit).

    `since_id`: the change_log id the shown page was read at, when it was read before the feed started.
    """
    worker = get_current_worker()
    feed = ChangeFeed(db, since_id=since_id)
    down_since: datetime | None = None
    try:
        while not worker.is_cancelled:
            try:
                changes = feed.wait(WAIT_SECONDS)
            except StorageUnavailable:
                if down_since is None:
                    down_since = clock()
                    app.call_from_thread(app.set_connection_state, False, down_since)
                _sleep_unless_cancelled(worker, RETRY_SECONDS)
                continue
            if down_since is not None or not app.connection_ok:
                # Back (or an action had reported an outage the feed did not see): clear the banner.
                down_since = None
                app.call_from_thread(app.set_connection_state, True, None)
            if worker.is_cancelled:
                break
            if changes.resync:
                app.call_from_thread(app.resync)
            elif changes.incident_ids:
                app.call_from_thread(app.apply_feed, changes)
    finally:
        feed.close()


def _sleep_unless_cancelled(worker, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not worker.is_cancelled and time.monotonic() < end:
        time.sleep(0.1)
