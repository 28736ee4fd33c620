"""Top line: which database, who I am and my role, and the clock (ticked by the app)."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from incidentdesk.tui.format import clock_text, literal


class DeskHeader(Static):
    def __init__(self, database: str, login: str, role: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self._database = database
        self._who = f"{login} · {role}"
        self._now: datetime | None = None

    def tick(self, now: datetime) -> None:
        self._now = now
        grid = Table.grid(expand=True)
        grid.add_column(justify="left", ratio=1, no_wrap=True)
        grid.add_column(justify="center", ratio=1, no_wrap=True)
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(
            Text.assemble(Text("incidentdesk ", style="bold"), literal(self._database)),
            literal(self._who),
            Text(clock_text(now)),
        )
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
