"""The delivery worker: claims due outbox rows under a lease, sends them, records the outcome.

At least once: a row is marked sent only after its channel accepted it; a failed attempt is due
again after an exponential backoff with jitter (`[notify] backoff_base_seconds`, doubling up to
`backoff_max_seconds`); after `max_attempts` it is parked as failed with the last error, for a
person to retry (console, `incidentdesk notify retry ID`). A worker killed mid-send leaves its
row `sending` under a lease (`lease_seconds`); once the lease runs out the row is due again and
another worker sends it, with the same idempotency key, so the receiver can drop the repeat.

Any number of workers may run at once, in threads of one process (`--workers N`, the receiver's
background thread) or in several processes: store/outbox.claim gives each row to one of them.
"""

from __future__ import annotations

import os
import random
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.notify_rules import NotifySettings, backoff_seconds
from incidentdesk.notify import channels
from incidentdesk.services import outbox


def utc_now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class Report:
    sent: list[int] = field(default_factory=list)
    retried: list[tuple[int, str]] = field(default_factory=list)   # (id, error): due again later
    failed: list[tuple[int, str]] = field(default_factory=list)    # (id, error): parked
    lost: list[int] = field(default_factory=list)                  # lease ran out before we recorded it

    def merge(self, other: Report) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.lost += other.lost

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retried) + len(self.failed) + len(self.lost)

    def summary(self) -> str:
        return (f"{len(self.sent)} sent, {len(self.retried)} to retry, {len(self.failed)} parked as failed"
                + (f", {len(self.lost)} lease(s) lost" if self.lost else ""))


class Deliverer:
    """One delivery worker (not thread-safe itself: give each thread its own)."""

    def __init__(self, db, settings: NotifySettings, *, name: str | None = None,
                 clock: Callable[[], datetime] = utc_now, send: Callable[..., None] = channels.send,
                 resolve: Callable[..., str] = channels.resolve_url, rand: random.Random | None = None) -> None:
        self.db, self.settings, self.name = db, settings, name or worker_name()
        self.clock, self._send, self._resolve, self.rand = clock, send, resolve, rand or random.Random()
        # Each claim takes as many rows as can be sent within the lease, one timeout each.
        self.batch = max(1, min(10, int(settings.lease_seconds // (settings.timeout_seconds + 1))))

    def deliver_due(self, limit: int | None = None) -> Report:
        """Send what is due now (up to `limit` rows, or all of it); returns what happened."""
        report = Report()
        due_by = self.clock()  # what was due when the pass began: a row retried in it waits for the next pass
        while limit is None or report.handled < limit:
            now = self.clock()
            want = self.batch if limit is None else min(self.batch, limit - report.handled)
            rows = outbox.claim_due(self.db, self.name, due_by,
                                      now + timedelta(seconds=self.settings.lease_seconds), want)
            if not rows:
                break
            for row in rows:
                self._deliver(row, report)
        return report

    def _deliver(self, row: dict, report: Report) -> None:
        try:
            channel = self.settings.channels.get(row["channel"])
            if channel is None:
                raise channels.ChannelError(f"channel {row['channel']} is no longer configured ([[notify.channel]])")
            if self.clock() + timedelta(seconds=self.settings.timeout_seconds) > row["claimed_until"]:
                report.lost.append(row["id"])  # too close to the lease's end: leave it to the next claim
                return
            url = self._resolve(channel)
            self._send(url, title=row["subject"], body=row["body"], idempotency_key=row["idempotency_key"],
                       recipient=row["recipient"], timeout=self.settings.timeout_seconds, name=channel.name)
        except channels.ChannelError as exc:
            self._failed(row, str(exc), report)
            return
        if outbox.record_sent(self.db, row["id"], self.name, self.clock()):
            report.sent.append(row["id"])
        else:
            report.lost.append(row["id"])

    def _failed(self, row: dict, error: str, report: Report) -> None:
        if row["attempts"] >= self.settings.max_attempts:
            if outbox.record_failed(self.db, row["id"], self.name, error, retry_at=None):
                report.failed.append((row["id"], error))
            return
        delay = backoff_seconds(row["attempts"], self.settings.backoff_base_seconds,
                                self.settings.backoff_max_seconds, self.rand)
        if outbox.record_failed(self.db, row["id"], self.name, error,
                                    retry_at=self.clock() + timedelta(seconds=delay)):
            report.retried.append((row["id"], error))


def run_loop(db, settings: NotifySettings, *, workers: int = 1, interval: float | None = None,
             stop: threading.Event | None = None, report: Callable[[Report | Exception], None] = lambda r: None,
             name: str | None = None) -> None:
    """Deliver until `stop` is set: `workers` threads, each polling every `interval` seconds when idle."""
    stop = stop or threading.Event()
    interval = settings.poll_seconds if interval is None else interval
    threads = [threading.Thread(target=_worker_loop, name=f"notify-{i}", daemon=True,
                                args=(Deliverer(db, settings, name=f"{name or worker_name()}-{i}"), interval,
                                      stop, report))
               for i in range(max(1, workers))]
    for thread in threads:
        thread.start()
    next_purge = 0.0
    try:
        while any(t.is_alive() for t in threads):
            next_purge = _purge_when_due(db, settings, next_purge, report)
            for thread in threads:
                thread.join(timeout=0.2)
    finally:
        stop.set()


PURGE_EVERY_SECONDS = 3600.0


def _purge_when_due(db, settings: NotifySettings, due: float, report) -> float:
    """Delete old sent rows at most once an hour (and at the loop's start); returns when next."""
    import time

    now = time.monotonic()
    if now < due:
        return due
    try:
        outbox.purge_sent(db, utc_now(), settings.keep_sent_days)
    except DomainError as exc:  # the database went away: the workers say so too; try again next hour
        report(exc)
    return now + PURGE_EVERY_SECONDS


def _worker_loop(deliverer: Deliverer, interval: float, stop: threading.Event, report) -> None:
    while not stop.is_set():
        try:
            result = deliverer.deliver_due()
            report(result)
            if result.handled:
                continue  # more may be due: no sleep while there is work
        except DomainError as exc:  # the database went away: say so, keep trying
            report(exc)
        stop.wait(interval)


def start_background(db, settings: NotifySettings, *, workers: int | None = None,
                     report: Callable[[Report | Exception], None] = lambda r: None) -> threading.Event:
    """Delivery in daemon threads beside something else (the receiver); set the event to stop them."""
    stop = threading.Event()
    threading.Thread(target=run_loop, name="notify", daemon=True, kwargs={
        "db": db, "settings": settings, "workers": workers or settings.workers, "stop": stop, "report": report,
    }).start()
    return stop
