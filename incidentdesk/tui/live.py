"""Live updates: follow the change feed in a worker thread and post what changed to the main screen.

A change made anywhere — another console, the CLI, ingestion, the sweeper — arrives here
as a set of incident ids, posted to the main screen as a message; it repaints only those
rows and the open incident. When the database goes away the screen shows a banner (since when, retrying) and this loop keeps
trying; when it is back the screen re-reads what it shows, since changes may have been missed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from textual.worker import get_current_worker

from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.store.changefeed import ChangeFeed
from incidentdesk.store.engine import Database
from incidentdesk.tui.messages import ConnectionChanged, IncidentsChanged, Resync

WAIT_SECONDS = 0.5
# While the database is away, try again this often: a refused connection costs a millisecond,
# and a hanging one is cut short by the feed's own connect timeout. The banner clears as soon as
# a try succeeds (the feed returns at once after reconnecting), so the console says it is back
# within about RETRY_SECONDS of the database's return. (It was 2 s here plus a 0.5 s wait, and a
# connection that hung on a silent network kept the feed stuck for as long as TCP retried.)
RETRY_SECONDS = 0.5


FEED_OPEN_RETRY_SECONDS = 2.0  # the database could not be opened at all: try again this often


def follow_runtime(post, runtime, clock: Callable[[], datetime], *, outage_reported: threading.Event) -> None:
    """Open the runtime's database (retrying while it is unreachable: the banner says so), then follow it."""
    from incidentdesk.domain.errors import DomainError

    worker = get_current_worker()
    while not worker.is_cancelled:
        try:
            db = runtime.db
            break
        except DomainError:
            post(ConnectionChanged(False, None))
            _sleep_unless_cancelled(worker, FEED_OPEN_RETRY_SECONDS)
    else:
        return
    follow_changes(post, db, clock, since_id=runtime.feed_since, outage_reported=outage_reported)


def follow_changes(post, db: Database, clock: Callable[[], datetime], *, since_id: int | None = None,
                   outage_reported: threading.Event | None = None) -> None:
    """Run in a thread worker; returns when the worker is cancelled (app exit).

    `post` is the main screen's post_message (thread-safe): every change and every outage
    arrives there as a message. `since_id`: the change_log id the shown page was read at, when
    it was read before the feed started. `outage_reported` is set by the console when an
    action or a read met an outage the feed did not see: the feed clears the banner once it
    next reaches the database.
    """
    worker = get_current_worker()
    feed = ChangeFeed(db, since_id=since_id)
    down_since: datetime | None = None
    reported = outage_reported or threading.Event()
    try:
        while not worker.is_cancelled:
            try:
                changes = feed.wait(WAIT_SECONDS)
            except StorageUnavailable:
                if down_since is None:
                    down_since = clock()
                    post(ConnectionChanged(False, down_since))
                _sleep_unless_cancelled(worker, RETRY_SECONDS)
                continue
            if down_since is not None or reported.is_set():
                # Back (or an action had reported an outage the feed did not see): clear the banner.
                down_since = None
                reported.clear()
                post(ConnectionChanged(True, None))
            if worker.is_cancelled:
                break
            if changes.resync:
                post(Resync())
            elif changes.incident_ids:
                post(IncidentsChanged(set(changes.incident_ids), changes))
    finally:
        feed.close()


def _sleep_unless_cancelled(worker, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not worker.is_cancelled and time.monotonic() < end:
        time.sleep(0.1)
