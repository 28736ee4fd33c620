"""Top line: which database, who I am and my role, who is on call for my groups, and the clock.

The clock is ticked by the main screen (from memory, no query). Who is on call is read in a
worker once the first screen is up (never on the start-up path: store/oncall.py and SQLAlchemy
load then), and again at the next handoff or override edge, or each minute, whichever is sooner.
Without a rotation in any of my groups the line is as it was: no column is added.
"""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static

from incidentdesk.tui.format import clock_text, literal

FIRST_LOOK_SECONDS = 0.3   # polls this often until the first screen is up
REFRESH_SECONDS = 60.0     # at most this long between reads
NARROW = 100               # narrower than this, with on-call shown, the database's name gives way


class OncallRead(Message):
    """Who is on call in my groups: (group, person) pairs, and when the next of them changes."""

    def __init__(self, entries: list[tuple[str, str | None]], next_change: datetime | None) -> None:
        super().__init__()
        self.entries = entries
        self.next_change = next_change


class DeskHeader(Static):
    def __init__(self, database: str, login: str, role: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._database = database
        self._login = login
        self._who = f"{login} · {role}"
        self._now: datetime | None = None
        self.oncall: list[tuple[str, str | None]] = []
        self.oncall_reads = 0  # how many reads came back (tests wait on it)

    def on_mount(self) -> None:
        self.set_timer(FIRST_LOOK_SECONDS, self._look)

    def _look(self) -> None:
        if not getattr(self.screen, "first_screen_shown", False):
            self.set_timer(FIRST_LOOK_SECONDS, self._look)
            return
        self.read_oncall()

    @work(thread=True, exclusive=True, exit_on_error=False, group="header-oncall")
    def read_oncall(self) -> None:
        from incidentdesk.store import oncall

        app = self.app
        now = app.clock()
        try:
            rotations = oncall.rotations(app.runtime.db, since=now, member=self._login)
        except Exception:  # unreachable database (the banner says so) or anything else: keep what is shown
            self.post_message(OncallRead(self.oncall, None))  # and try again at the next refresh
            return
        entries, changes = [], []
        for rotation in rotations:
            current, following = rotation.now_and_next(now)
            entries.append((rotation.group, current.person if current else None))
            if following is not None:
                changes.append(following.start)
        self.post_message(OncallRead(entries, min(changes) if changes else None))

    @on(OncallRead)
    def _oncall_read(self, msg: OncallRead) -> None:
        self.oncall = msg.entries
        self.oncall_reads += 1
        if self._now is not None:
            self.tick(self._now)
        wait = REFRESH_SECONDS
        if msg.next_change is not None:
            wait = min(wait, max(1.0, (msg.next_change - self.app.clock()).total_seconds() + 1))
        self.set_timer(wait, self.read_oncall)

    def oncall_text(self) -> Text:
        parts: list[tuple[str, str]] = [("on call ", "dim")]
        for index, (group, person) in enumerate(self.oncall):
            if index:
                parts.append((" · ", "dim"))
            parts.append((literal(group).plain + " ", ""))  # literal: untrusted names, control characters gone
            parts.append((literal(person or "nobody").plain, "bold reverse" if person == self._login else "bold"))
        return Text.assemble(*parts, no_wrap=True, overflow="ellipsis")

    def tick(self, now: datetime) -> None:
        self._now = now
        grid = Table.grid(expand=True)
        name = Text.assemble(Text("incidentdesk ", style="bold"), literal(self._database))
        if self.oncall and self.size.width < NARROW:  # room for who is on call: the product's name only
            name = Text("incidentdesk ", style="bold")
            grid.add_column(justify="left", no_wrap=True)
        else:
            grid.add_column(justify="left", ratio=1, no_wrap=True)
        grid.add_column(justify="center", ratio=1, no_wrap=True)
        cells = [name, literal(self._who)]
        if self.oncall:
            grid.add_column(justify="left", ratio=2, no_wrap=True, overflow="ellipsis")
            cells.append(self.oncall_text())
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(*cells, Text(clock_text(now)))
        self.update(grid)


class ConnectionBanner(Static):
    """Shown while the database cannot be reached; nothing typed is lost meanwhile."""

    def set_state(self, ok: bool, since: datetime | None) -> None:
        if ok:
            self.display = False
            return
        when = since.strftime("%H:%M:%S") if since else "now"
        self.update(Text(f"Database unreachable since {when} — retrying…"))
        self.display = True
