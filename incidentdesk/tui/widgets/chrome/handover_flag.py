"""The line under the main screen's header that flags a shift handover nobody has acknowledged.

Off the start-up path: the App mounts it once the first screen is up (FirstScreenShown), and its
first read runs then, in a worker. The read is one small query (store/handover.latest_state: the
latest handover's id, time, publisher and acknowledgement — not its content). A live console
re-reads every POLL_SECONDS, re-arming after each read (never overlapping), and also re-evaluates
at the moment an unacknowledged handover passes `[handover] ack_within_minutes`, so the flag shows
on time without a query per second. Publishing or acknowledging in the handover screen re-checks at
once (screens/handover.py). The first time a handover is flagged, a notification says so too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on, work
from textual.message import Message
from textual.widgets import Static

from incidentdesk.domain.errors import DomainError
from incidentdesk.tui.format import literal, notify

POLL_SECONDS = 60.0


@dataclass
class LatestHandover(Message):
    state: tuple[int, datetime, str, datetime | None] | None


class HandoverFlag(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(id="handover-flag", **kwargs)
        self.display = False
        self.state: tuple[int, datetime, str, datetime | None] | None = None
        self.notified: set[int] = set()
        self._timer = None

    def on_mount(self) -> None:
        self.check()

    @work(thread=True, exclusive=True, exit_on_error=False, group="handover-flag")
    def check(self) -> None:
        """Read the latest handover's state (a worker thread); the answer is shown on the UI thread."""
        from incidentdesk.store.handover import latest_state

        try:
            state = latest_state(self.app.runtime.db)
        except DomainError:
            state = self.state   # the database is away (the connection banner says so): keep what we know
        self.post_message(LatestHandover(state))

    @on(LatestHandover)
    def _read(self, msg: LatestHandover) -> None:
        msg.stop()
        self.state = msg.state
        self.show()
        if self._timer is not None:
            self._timer.stop()
        delay = POLL_SECONDS
        remaining = self.seconds_until_flagged()
        if remaining is not None and remaining > 0:
            delay = min(delay, remaining + 0.5)
        if getattr(self.app, "live", False):
            self._timer = self.set_timer(delay, self.check)
        elif remaining is not None and remaining > 0:
            self._timer = self.set_timer(delay, self.show)   # no feed, no polling: still flag on time

    def _within(self):
        return self.app.runtime.config.schema.handover.ack_within

    def seconds_until_flagged(self) -> float | None:
        """Seconds until the latest handover is flagged (<= 0: it is); None when nothing is to flag."""
        if self.state is None or self.state[3] is not None:
            return None
        published_at = self.state[1]
        return (published_at + self._within() - self.app.clock()).total_seconds()

    @property
    def flagged(self) -> bool:
        remaining = self.seconds_until_flagged()
        return remaining is not None and remaining < 0

    def show(self) -> None:
        if not self.flagged:
            self.display = False
            return
        number, published_at, by, _ = self.state
        minutes = int((self.app.clock() - published_at).total_seconds() // 60)
        age = f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"
        key = self.app.key_for("handover.open", "H") if hasattr(self.app, "key_for") else "H"
        text = f"⚑ Handover {number} from {by} not acknowledged after {age} — {key} opens it"
        self.update(literal(text))
        self.display = True
        if number not in self.notified:
            self.notified.add(number)
            notify(self.app, f"handover {number} from {by} is not acknowledged after {age}",
                   title="Handover", severity="warning", timeout=10)


def watch_handover(main) -> None:
    """Mount the flag under the main screen's header (once), where the connection banner also lives."""
    if not main.query(HandoverFlag):
        main.mount(HandoverFlag(), after="#header")


def recheck(main) -> None:
    """Read the latest handover again now (after this console published or acknowledged one)."""
    for flag in main.query(HandoverFlag):
        flag.check()
