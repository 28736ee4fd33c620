"""The major-incident screen: everything the commander needs on one page, and its update clock.

Opened with `v` (or the palette) on a major incident. It reads the incident in a worker, shows
who runs it, the facts, linked incidents, the stakeholder-update log and the countdown to the
next update (ticking every second from memory), and re-reads when the incident changes anywhere
(the app forwards the change feed's ids). Its keys run the catalog's actions on this incident
through the main screen's action path, so the dialogs, checks and errors are the same.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static

from incidentdesk.domain.errors import DomainError
from incidentdesk.tui.format import notify
from incidentdesk.tui.widgets.major.panels import FactsPanel, LinkedPanel, UpdateClock, UpdatesLog, heading


class MajorLoaded(Message):
    def __init__(self, detail, names: dict[str, str]) -> None:
        super().__init__()
        self.detail = detail
        self.names = names


class MajorReadFailed(Message):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class MajorScreen(Screen):
    CSS_PATH = "major.tcss"  # read when first opened, not at start-up

    BINDINGS = [
        Binding("escape", "back", "Back", id="major.back"),
        Binding("u", "run('post_update')", "Update", id="major.update", tooltip="post a stakeholder update"),
        Binding("C", "run('hand_command')", "Hand command", id="major.hand"),
        Binding("D", "run('major_roles')", "Roles", id="major.roles", tooltip="deputy and communications lead"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="major.refresh"),
    ]

    def __init__(self, key: str) -> None:
        super().__init__(id="major-screen")
        self.key = key
        self.detail = None
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        app = self.app
        yield Static(id="major-heading")
        with VerticalScroll(id="major-body"):
            with Horizontal(id="major-top"):
                yield FactsPanel(id="major-facts")
                with Vertical(id="major-side"):
                    yield UpdateClock(app.clock, app.runtime.config.major.due_soon, id="major-clock")
                    yield LinkedPanel(id="major-linked")
            yield Static("Stakeholder updates (newest first)", id="major-log-title", classes="major-title")
            yield UpdatesLog(id="major-log")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#major-heading", Static).update(f"{self.key}: loading…")
        self.action_reload()
        if self.app.tick_seconds:  # its own tick, as the main screen has (the App calls into no screen)
            self.set_interval(self.app.tick_seconds, self.tick)

    def tick(self) -> None:
        self.query_one(UpdateClock).tick()
        if self.detail is not None:
            self.query_one("#major-heading", Static).update(heading(self.detail, self.app.clock()))

    def action_reload(self) -> None:
        self.fetch()

    @work(thread=True, exclusive=True, exit_on_error=False, group="major")
    def fetch(self) -> None:
        from incidentdesk.store import queries

        db = self.app.runtime.db
        try:
            detail = queries.incident_detail(db, self.key)
            names = {p.login: p.name for p in queries.list_people(db)}
        except DomainError as exc:
            self.post_message(MajorReadFailed(exc))
            return
        self.post_message(MajorLoaded(detail, names))

    @on(MajorLoaded)
    def _loaded(self, msg: MajorLoaded) -> None:
        d = self.detail = msg.detail
        self.names = msg.names
        now = self.app.clock()
        self.query_one("#major-heading", Static).update(heading(d, now))
        self.query_one(FactsPanel).show(d, self.names, now)
        self.query_one(UpdateClock).show(d)
        self.query_one(LinkedPanel).show(d)
        self.query_one(UpdatesLog).show(d, now)

    @on(MajorReadFailed)
    def _failed(self, msg: MajorReadFailed) -> None:
        notify(self.app, str(msg.error), title="Major incident", severity="error")

    def changed(self, ids: set[int]) -> None:
        """The change feed, passed on by the main screen: re-read when this incident changed."""
        if self.detail is None or self.detail.id in ids:
            self.fetch()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_run(self, name: str) -> None:
        """The catalog action on this incident, through the main screen (same dialog, checks, errors)."""
        main = self.app.main_screen
        if main.detail is None or main.detail.key != self.key:
            notify(self.app, f"select {self.key} in the queue first (the selection moved)", severity="warning")
            return
        from incidentdesk.tui.actions import BY_NAME

        main.start_action(BY_NAME[name])


def open_from_main(main) -> None:
    """The `v` key of the main screen (screens/openers.py): the selected incident's major screen."""
    open_major_view(main.app, main.subject())


def open_major_view(app, subject) -> None:
    """Open the screen for `subject` (the selected incident), or say why not."""
    if subject is None:
        notify(app, "Select an incident first (the detail is still loading).", severity="warning")
    elif not subject.is_major:
        key = app.key_for("incident.major", "M")
        notify(app, f"{subject.key} is not a major incident: declare it with {key} first", severity="warning")
    else:
        app.push_screen(MajorScreen(subject.key))
