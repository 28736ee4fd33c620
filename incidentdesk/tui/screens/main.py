"""The main screen: the live queue beside the selected incident, and the actions on it.

Split by job: the queue's paging, count and live rows are the pager's (widgets/queue/pager.py),
running an action is the runner's (screens/action_runner.py), what a view is (scopes, sorts)
the domain's (domain/queue_view.py). This module holds the layout, the incident pane, the view
the user picks, the key bar's choices, the connection banner and the change feed's worker. The
first screen is the first page *and* the first incident's detail, read together (one
transaction at start-up on SQLite, one worker otherwise); the count, the pick lists, the change
feed and the App's sweeper start only once both are on screen. The feed's thread posts what
changed to this screen as messages; nothing calls into it from a thread or from the App.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from incidentdesk.domain.errors import DomainError, StorageUnavailable
from incidentdesk.domain.queue_view import CLEARED, QueueView
from incidentdesk.tui.actions import ACTIONS, BY_NAME, Action, footer_labels
from incidentdesk.tui.format import notify
from incidentdesk.tui.own_changes import OwnChanges
from incidentdesk.tui.messages import (
    ActionDone, ActionFailed, ConnectionChanged, DetailLoaded, FirstScreenShown, IncidentsChanged, PickersLoaded,
    ReadFailed, Resync,
)
from incidentdesk.tui.reads import queries
from incidentdesk.tui.screens.action_runner import ActionRunner
from incidentdesk.tui.screens.openers import BY_ID as SCREEN_BY_ID
from incidentdesk.tui.screens.openers import screen_bindings
from incidentdesk.tui.screens.panes import PanesPart
from incidentdesk.tui.widgets.chrome.footer import DeskFooter, FooterItem
from incidentdesk.tui.widgets.chrome.header import ConnectionBanner, DeskHeader
from incidentdesk.tui.widgets.detail.pane import incident_pane
from incidentdesk.tui.widgets.queue.pager import DETAIL_TIMELINE, QueuePager
from incidentdesk.tui.widgets.queue.table import QueueTable

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["MainScreen"]

RETRY_READ_SECONDS = 5  # a read the database refused is tried again this much later

# Keys the bar always shows, at every width (the incident actions come and go with the state).
ALWAYS = {
    "queue.filter": FooterItem("Filter", "Filter", 0),
    "queue.scope": FooterItem("Scope", "Scope", 0),
    "app.help": FooterItem("Help", "Help", 0),
    "app.quit": FooterItem("Quit", "Quit", 0),
}


def action_bindings() -> list[Binding]:
    return [Binding(a.key, f"incident('{a.name}')", a.label, id=f"incident.{a.name}", tooltip=a.description)
            for a in ACTIONS]


class MainScreen(PanesPart, Screen):
    BINDINGS = [
        *action_bindings(),
        Binding("slash", "filter", "Filter", id="queue.filter"),
        Binding("f", "cycle_scope", "Scope", id="queue.scope", tooltip="all / mine / my groups / unassigned / at risk / major"),
        Binding("S", "cycle_sort", "Sort", show=False, id="queue.sort"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="queue.refresh"),
        Binding("escape", "back", "Back", show=False, id="queue.back"),
        Binding("ctrl+right", "next_tab", "Next tab", show=False, id="pane.next_tab"),
        Binding("ctrl+left", "previous_tab", "Previous tab", show=False, id="pane.previous_tab"),
        Binding("T", "toggle_times", "Times", show=False, id="pane.times",
                tooltip="timeline and escalations: relative times / exact UTC times"),
        *screen_bindings(),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.detail = None
        self.exact_times = False
        self.own_changes = OwnChanges()  # what this console changed itself (tui/own_changes.py)
        self.runner = ActionRunner(self)
        self.first_screen_shown = False  # the first page and the selected incident's detail are on screen
        self.connection_ok = True
        self.disconnected_since: datetime | None = None
        self.outage_reported = threading.Event()  # set on an outage; the change feed clears it when back
        self._detail_timer = None
        self._side_tab_hidden = False

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        app = self.app
        actor = app.runtime.actor
        yield DeskHeader(app.runtime.display_name, actor.login, actor.role.label, id="header")
        banner = ConnectionBanner(id="banner")
        banner.display = False
        yield banner
        if self._is_narrow():  # the tabs line shows only on small terminals; mounted when first needed
            yield self._pane_tabs()
        with Container(id="body"):
            yield QueuePager(app.clock, id="queue-pane")
            # The incident pane in the same mount as the queue: the first screen is laid out once,
            # with the first page and its first incident's detail (read together at start-up). On a
            # terminal wide enough for the side-by-side layout it is mounted after the first page
            # (_mount_incident_pane): switched to that layout while still mounting, its timeline
            # could keep a one-line height.
            with Vertical(id="incident-column"):
                if not self._is_side():
                    yield incident_pane(app.clock)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._apply_layout()
        self.table.focus()
        self.tick()
        if self.app.tick_seconds:
            self.set_interval(self.app.tick_seconds, self.tick)
        early = self.pager.show_early_first_page()  # the first screen in the first frame, if read at start-up
        if early is not None:
            self._page_shown(early)
        else:
            self.pager.reload(mode="first")

    @property
    def pager(self) -> QueuePager:
        return self.query_one(QueuePager)

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # The pager's figures, read by tests and the benchmark.
    @property
    def rows_fetched(self) -> int:
        return self.pager.rows_fetched

    @property
    def total(self) -> int | None:
        return self.pager.total

    @property
    def first_page_shown(self) -> bool:
        return self.pager.first_page_shown

    @property
    def view(self) -> QueueView:
        return self.pager.view

    # --- ticking ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Every second: clock and countdowns from memory; no query."""
        self.query_one(DeskHeader).tick(self.app.clock())
        self.table.tick()
        for panel in self._detail_panels("SlaPanel"):
            panel.tick()
        for panel in self.query("TimelinePanel, EscalationsPanel"):
            panel.tick()  # re-renders only when a relative time ("5m ago") would read differently

    # --- the first screen, then the background -------------------------------------------------
    @on(QueuePager.PageShown)
    def _page_shown(self, msg: QueuePager.PageShown) -> None:
        if msg.empty:
            self.detail = None
            self._show_detail(None)
        elif msg.detail is not None:
            self.detail = msg.detail
            self._show_detail(msg.detail)
        elif msg.first:
            self._show_detail(self.detail)  # (read after the page: the pane says so meanwhile)
        if msg.first:
            if self.incident_pane is None:
                self.call_later(self._mount_incident_pane)
                return
            self.first_screen_shown = True
            self.call_after_refresh(self._after_first_screen)

    async def _mount_incident_pane(self) -> None:
        """The pane, on a terminal wide enough for the side-by-side layout (see compose)."""
        await self.query_one("#incident-column").mount(incident_pane(self.app.clock))
        self._set_side(self.has_class("-side"))
        self._show_detail(self.detail)
        self.first_screen_shown = True
        self.call_after_refresh(self._after_first_screen)

    def _after_first_screen(self) -> None:
        """What is not urgent, once the first screen is up: the first of these opens the database."""
        self.pager.recount()
        self.runner.fetch_pickers()
        if self.app.live:
            self.follow_changes()
        self.post_message(FirstScreenShown())  # bubbles to the App (its SLA sweeper)

    # --- the incident pane -----------------------------------------------------------------
    @on(QueuePager.Highlighted)
    def _highlighted(self, msg: QueuePager.Highlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(0.12, self._load_selected)

    def _load_selected(self) -> None:
        # The key bar offers what the newly selected incident allows: refitted once the cursor rests
        # (as the detail is read), not at every row j/k passes over.
        self.refresh_bindings()
        row = self.table.selected()
        if row is not None and (self.detail is None or self.detail.id != row.id or self.detail.version != row.version):
            self.fetch_detail(row.key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="detail")
    def fetch_detail(self, key: str) -> None:
        try:
            detail = queries().incident_detail(self.app.runtime.db, key, timeline_limit=DETAIL_TIMELINE)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "detail"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(DetailLoaded(detail))

    @on(DetailLoaded)
    def _detail_loaded(self, msg: DetailLoaded) -> None:
        row = self.table.selected()
        if row is None or msg.detail.id != row.id:
            # Read for a row no longer selected (a re-read after a change raced a move or a new
            # page): the pane keeps to the selected row, whose own read is under way or starts now.
            if row is not None and (self.detail is None or self.detail.id != row.id):
                self.fetch_detail(row.key)
            return
        self.detail = msg.detail
        self._show_detail(msg.detail)
        self.runner.detail_arrived(msg.detail)

    @on(QueuePager.Selected)
    def _selected(self, msg: QueuePager.Selected) -> None:
        self._load_selected()
        if self.has_class("-narrow"):
            self._show_pane("incident")
        else:
            self._focus_incident()

    # --- the view: scope, sort, filters --------------------------------------------------------
    def show_view(self, view: QueueView) -> None:
        # Until the new view's page and its selected incident are read, no action applies to a row of
        # the old one ("the detail is still loading"): the key pressed meant the new view.
        self.detail = None
        self.refresh_bindings()
        self.pager.show_view(view)

    def action_cycle_scope(self) -> None:
        self.show_view(self.view.next_scope())

    def action_cycle_sort(self) -> None:
        self.show_view(self.view.next_sort())

    def set_filter(self, **changes) -> None:
        """Change some of the view's settings (scope, text, status, priority, sort, include_closed)."""
        self.show_view(self.view.changed(**changes))

    def clear_filters(self) -> None:
        self.show_view(CLEARED.changed(sort=self.view.sort))

    def action_filter(self) -> None:
        from incidentdesk.tui.screens.filter import FilterScreen

        def done(result: QueueView | None) -> None:
            if result is not None:
                self.show_view(result)

        self.app.push_screen(FilterScreen(self.view), done)

    def action_open_screen(self, entry_id: str) -> None:
        """A key of screens/openers.py SCREENS: its module is imported now, not at start-up."""
        SCREEN_BY_ID[entry_id].open(self)

    def action_refresh(self) -> None:
        row = self.table.selected()
        self.pager.recount()
        self.pager.reload(keep_id=row.id if row else None)
        if row is not None:
            self.fetch_detail(row.key)

    # --- actions (run by the runner) -------------------------------------------------------------
    def subject(self):
        """What the selected row's actions apply to: its detail once loaded, the row itself until then."""
        row = self.table.selected()
        if row is None:
            return None
        return self.detail if self.detail is not None and self.detail.id == row.id else row

    def blocker(self, action: Action, subject=None) -> str | None:
        return self.runner.blocker(action, subject)

    def action_incident(self, name: str) -> None:
        self.start_action(BY_NAME[name])

    def start_action(self, action: Action, values: dict | None = None, *, errors: dict | None = None,
                     notice: str = "") -> None:
        self.runner.start(action, values, errors=errors, notice=notice)

    @on(ActionDone)
    def _action_done(self, msg: ActionDone) -> None:
        self.runner.done(msg)

    @on(ActionFailed)
    def _action_failed(self, msg: ActionFailed) -> None:
        self.runner.failed(msg)

    @on(PickersLoaded)
    def _pickers_loaded(self, msg: PickersLoaded) -> None:
        self.runner.pickers = msg.pickers

    # --- the key bar -------------------------------------------------------------------------
    def footer_item(self, binding: Binding) -> FooterItem | None:
        """The key bar shows an incident action only if it can succeed on the selected incident now."""
        bid = binding.id or ""
        if not bid.startswith("incident."):
            return ALWAYS.get(bid)
        action = BY_NAME[bid.removeprefix("incident.")]
        subject = self.subject() if action.needs_incident else None
        if action.needs_incident and (subject is None or self.blocker(action, subject) is not None):
            return None
        label, short = footer_labels(action, subject)
        return FooterItem(label, short, action.rank)

    def action_toggle_times(self) -> None:
        self.exact_times = not self.exact_times
        for panel in self.query("TimelinePanel, EscalationsPanel"):
            panel.exact_times = self.exact_times
            panel.tick()

    # --- live: changes, outages ------------------------------------------------------------------
    def refresh_incidents(self, ids: set[int]) -> None:
        """Re-read only these incidents and repaint their rows (and the open incident) in place;
        a major-incident screen open above follows them too, and a new P1 prompts its declaration."""
        self.pager.refresh_rows(set(ids))
        self.app.major_prompts.check(set(ids))
        for screen in self.app.screen_stack:
            if getattr(screen, "id", None) == "major-screen":
                screen.changed(set(ids))

    @on(IncidentsChanged)
    def _incidents_changed(self, msg: IncidentsChanged) -> None:
        """What the change feed reported; the echo of this console's own action is not read again."""
        ids = msg.ids if msg.changes is None else self.own_changes.to_read(msg.changes)
        if ids:
            self.refresh_incidents(ids)

    def apply_own_changes(self, incident_id: int, change_ids: set[int]) -> None:
        """This console's action changed the incident: read it now, unless the feed already did."""
        if self.own_changes.finished(change_ids):
            self.refresh_incidents({incident_id})

    @on(QueuePager.RowsChanged)
    def _rows_changed(self, msg: QueuePager.RowsChanged) -> None:
        if self.detail is not None and self.detail.id in msg.ids:
            self.fetch_detail(self.detail.key)

    @on(Resync)
    def _resync(self, msg: Resync) -> None:
        """After an outage changes may have been missed: re-read the page and the open incident."""
        self.own_changes.clear()
        self.action_refresh()

    @on(ConnectionChanged)
    def _connection_changed(self, msg: ConnectionChanged) -> None:
        self.set_connection(msg.ok, msg.since)

    def set_connection(self, ok: bool, since: datetime | None = None) -> None:
        """Show or hide the 'database unreachable' banner; countdowns and dialogs carry on."""
        if not ok:
            self.outage_reported.set()
        if ok == self.connection_ok:
            return  # keep the first "since": the outage started then
        self.connection_ok = ok
        self.disconnected_since = None if ok else (since or self.app.clock())
        self.query_one(ConnectionBanner).set_state(ok, self.disconnected_since)

    @on(ReadFailed)
    def _read_failed(self, msg: ReadFailed) -> None:
        if isinstance(msg.error, StorageUnavailable):
            self.set_connection(False, self.app.clock())
            self.set_timer(RETRY_READ_SECONDS,
                           lambda: self.pager.reload(keep_id=getattr(self.table.selected(), "id", None)))
        else:
            notify(self.app, str(msg.error), severity="error")

    @work(thread=True, exclusive=True, exit_on_error=False, group="change-feed", name="change feed")
    def follow_changes(self) -> None:
        """The change feed, in its worker thread: its imports and the database's opening stay off the UI thread."""
        from incidentdesk.tui.live import follow_runtime

        follow_runtime(self.post_message, self.app.runtime, self.app.clock, outage_reported=self.outage_reported)

    @on(Worker.StateChanged)
    def _worker_error(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            notify(self.app, f"unexpected error ({type(error).__name__}): {error}", severity="error")
