"""`?`: every key, as currently bound (after any remapping in incidentdesk.toml).

It lists every action, also those the selected incident does not allow now (the key bar and
the palette show only those it does; such a key, pressed, says why not).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

NAVIGATION = [
    ("queue.down", "j / down", "next incident (fetches the next page at the bottom)"),
    ("queue.up", "k / up", "previous incident"),
    (None, "pgdn / pgup", "page down / up (crosses into the next page)"),
    ("queue.first", "g / home", "first page"),
    ("queue.last", "G / end", "last page"),
    (None, "enter", "open the incident (its pane takes the keys below)"),
    ("queue.back", "escape", "back to the queue"),
    ("pane.down", "j / k", "in the incident pane: scroll down / up (arrows, pgdn / pgup, home / end too)"),
    ("pane.next_tab", "ctrl+right", "next tab in the incident pane (detail, timeline, escalations)"),
    ("pane.previous_tab", "ctrl+left", "previous tab in the incident pane"),
    ("pane.times", "T", "timeline and escalations: relative times (5m ago) or exact UTC times"),
]


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "dialog.tcss"  # read when first opened, not at start-up

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__(classes="form-screen")
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="help"):
            yield Label(Text("Keys", style="bold"), id="dialog-title")
            with VerticalScroll(id="help-body"):
                for title, rows in self.sections:
                    table = Table(box=None, show_header=False, expand=True, padding=(0, 1))
                    table.add_column(style="bold", no_wrap=True, width=14)
                    table.add_column()
                    for key, text in rows:
                        table.add_row(Text(key), Text(text))
                    yield Label(Text(title, style="bold underline"), classes="help-title")
                    yield Static(table)
            yield Label(Text("escape closes · keys can be remapped under [keys] in incidentdesk.toml", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
