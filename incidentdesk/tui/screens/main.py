"""The main screen: the live queue and the incident pane, and every action on the selected incident.

Split by concern: the queue (paging, status line, live rows) is main_queue.QueuePart, the
actions (what can succeed now, dialogs, service calls, their results) main_actions.ActionsPart;
this module holds the layout, the incident pane, the filters and the key bar's choices.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from incidentdesk.domain.errors import DomainError
from incidentdesk.store.rows import QueueFilter
from incidentdesk.tui.actions import ACTIONS, BY_NAME, Action, Pickers, footer_labels
from incidentdesk.tui.format import notify
from incidentdesk.tui.messages import DetailLoaded, ReadFailed
from incidentdesk.tui.screens.main_actions import ActionsPart
from incidentdesk.tui.screens.main_queue import SCOPES, SORTS, QueuePart, _queries
from incidentdesk.tui.widgets.chrome.footer import DeskFooter, FooterItem
from incidentdesk.tui.widgets.chrome.header import ConnectionBanner, DeskHeader
from incidentdesk.tui.widgets.queue.table import QueueTable

if TYPE_CHECKING:
    from textual.widgets import TabbedContent, Tabs

__all__ = ["SCOPES", "SORTS", "MainScreen"]

SIDE_WIDTH = 200  # from this many columns the queue and the incident sit side by side

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


class MainScreen(ActionsPart, QueuePart):
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
        Binding("v", "major_view", "Major view", show=False, id="major.view",
                tooltip="the major-incident screen of the selected major incident"),
        Binding("P", "open_review", "Review", show=False, id="review.open",
                tooltip="the post-incident review of the selected incident (its own screen)"),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.scope = "all"
        self.sort = "priority"
        self.text = ""
        self.status: str | None = None
        self.priority: int | None = None
        self.include_closed = False
        self.waiting_vendor = False  # on hold waiting for a vendor only (domain/vendor.py)
        self.detail = None
        self.pickers = Pickers()
        self.total: int | None = None
        self.page_start: int | None = 0
        self.at_end = False
        self.request: tuple[str, tuple | None] = ("first", None)
        self.generation = 0
        self.rows_fetched = 0  # every queue row read from the database (the benchmark checks it)
        self.pending_reopen: tuple[Action, dict, str] | None = None
        self.busy = 0
        self.first_page_shown = False
        self.exact_times = False
        self._counted: QueueFilter | None = None  # the filter the shown total belongs to
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
            with Vertical(id="queue-pane"):
                yield Static(id="queue-status")
                yield QueueTable(app.clock, id="queue")
            # The incident pane is mounted after the first page is on screen (_mount_incident_pane).
            yield Vertical(id="incident-column")
        yield DeskFooter()

    def on_mount(self) -> None:
        self._apply_layout()
        self.query_one(QueueTable).focus()
        self.tick()
        self.reload(mode="first")

    def on_resize(self) -> None:
        self._apply_layout()

    def _is_narrow(self) -> bool:
        width, height = self.app.size
        return width < 100 or height < 30

    @staticmethod
    def _pane_tabs() -> Tabs:
        from textual.widgets import Tab, Tabs

        return Tabs(Tab("Queue", id="show-queue"), Tab("Incident", id="show-incident"), id="pane-tabs")

    def _apply_layout(self) -> None:
        width, height = self.app.size
        narrow = self._is_narrow()
        if narrow and not self.query("#pane-tabs"):
            self.mount(self._pane_tabs(), before="#body")
        self.set_class(narrow, "-narrow")
        self._set_side(not narrow and width >= SIDE_WIDTH)
        if not narrow:
            self.remove_class("-show-incident")

    def _set_side(self, side: bool) -> None:
        """Very wide: queue left; detail above timeline/escalations right, with no detail tab to switch to.

        The side detail is a second pair of panels, mounted the first time the terminal is this wide
        (so start-up at ordinary sizes does not pay for it) and kept in step by _show_detail.
        """
        self.set_class(side, "-side")
        pane = self.incident_pane
        if pane is None or side == self._side_tab_hidden:
            return
        if side:
            if not self.query("#side-detail"):
                from incidentdesk.tui.widgets.detail.pane import side_detail

                self.query_one("#incident-column").mount(side_detail(self.app.clock), before=pane)
            if pane.active == "tab-detail":
                pane.active = "tab-timeline"
            pane.hide_tab("tab-detail")
        else:
            pane.show_tab("tab-detail")
        self._side_tab_hidden = side
        self.call_after_refresh(self._show_detail, self.detail)  # into the detail now in use

    def _detail_panels(self, *kinds: str):
        """The detail panels in use: beside the tabs on very wide terminals, else in the Detail tab."""
        where = "#side-detail" if self._side_tab_hidden else "#detail-scroll"
        return self.query(", ".join(f"{where} {kind}" for kind in kinds))

    @property
    def incident_pane(self) -> TabbedContent | None:
        """None until mounted, just after the first page is on screen."""
        panes = self.query("#incident-pane")
        return panes.first() if panes else None

    async def _mount_incident_pane(self) -> None:
        if self.incident_pane is not None:
            return
        from incidentdesk.tui.widgets.detail.pane import incident_pane

        await self.query_one("#incident-column").mount(incident_pane(self.app.clock))
        for panel in self.query("TimelinePanel, EscalationsPanel"):
            panel.exact_times = self.exact_times
        self._set_side(self.has_class("-side"))
        self._show_detail(self.detail)

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # --- ticking ---------------------------------------------------------------------------
    def tick(self) -> None:
        """Every second: clock and countdowns from memory; no query."""
        now = self.app.clock()
        self.query_one(DeskHeader).tick(now)
        self.table.tick()
        for panel in self._detail_panels("SlaPanel"):
            panel.tick()
        for panel in self.query("TimelinePanel, EscalationsPanel"):
            panel.tick()  # re-renders only when a relative time ("5m ago") would read differently

    # --- the incident pane -----------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#queue")
    def _highlighted(self, msg: DataTable.RowHighlighted) -> None:
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
            detail = _queries().incident_detail(self.app.runtime.db, key, timeline_limit=500)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "detail"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(DetailLoaded(detail))

    @on(DetailLoaded)
    def _detail_loaded(self, msg: DetailLoaded) -> None:
        self.detail = msg.detail
        self._show_detail(msg.detail)
        if self.pending_reopen is not None and self.pending_reopen[0].needs_incident:
            action, values, notice = self.pending_reopen
            self.pending_reopen = None
            self.start_action(action, values, notice=notice)

    def _show_detail(self, detail) -> None:
        for panel in self._detail_panels("DetailPanel", "SlaPanel"):
            panel.show(detail)
        for panel in self.query("TimelinePanel"):
            panel.show(detail)
        for panel in self.query("EscalationsPanel"):
            panel.show(detail)
        pane = self.incident_pane
        if pane is not None:
            pane.border_title = f"{detail.key}" if detail else "Incident"
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#queue")
    def _selected(self, msg: DataTable.RowSelected) -> None:
        self._load_selected()
        if self.has_class("-narrow"):
            self._show_pane("incident")
        else:
            self._focus_incident()

    def _show_pane(self, which: str) -> None:
        self.set_class(which == "incident", "-show-incident")
        tabs = self.query_one("#pane-tabs")
        tabs.active = f"show-{which}"
        if which == "queue":
            self.table.focus()
        else:
            self._focus_incident()

    def _focus_incident(self) -> None:
        """Focus what scrolls in the incident pane (the side detail when beside the tabs), so j/k/PgDn move it."""
        if self._side_tab_hidden and self.query("#side-detail"):
            self.query_one("#side-detail").focus()
            return
        pane = self.incident_pane
        if pane is not None and pane.active:
            scrolls = pane.query(f"#{pane.active} PaneScroll")
            if scrolls:
                scrolls.first().focus()

    def _in_incident_pane(self) -> bool:
        focused = self.focused
        pane = self.incident_pane
        return focused is not None and pane is not None and (focused is pane or pane in focused.ancestors)

    def on_tabs_tab_activated(self, msg: Tabs.TabActivated) -> None:
        if msg.tabs.id != "pane-tabs":
            return
        which = "incident" if msg.tab.id == "show-incident" else "queue"
        if self.has_class("-show-incident") != (which == "incident"):
            self._show_pane(which)

    def action_back(self) -> None:
        if self.has_class("-show-incident"):
            self._show_pane("queue")
        else:
            self.table.focus()

    def action_next_tab(self) -> None:
        self._switch_tab("action_next_tab")

    def action_previous_tab(self) -> None:
        self._switch_tab("action_previous_tab")

    def _switch_tab(self, how: str) -> None:
        inside = self._in_incident_pane()
        for tabs in self.query("#incident-pane Tabs"):
            getattr(tabs, how)()
        if inside:  # keep scrolling with j/k in the tab now shown
            self.call_after_refresh(self._focus_incident)

    # --- filters and sorts -----------------------------------------------------------------
    def action_cycle_scope(self) -> None:
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self.reload(mode="first")
        self._update_status()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload(mode="first")
        self._update_status()

    def set_filter(self, *, scope=None, text=None, status=..., priority=..., sort=None, include_closed=None,
                   waiting_vendor=None) -> None:
        if scope is not None:
            self.scope = scope
        if text is not None:
            self.text = text
        if status is not ...:
            self.status = status
        if priority is not ...:
            self.priority = priority
        if sort is not None:
            self.sort = sort
        if include_closed is not None:
            self.include_closed = include_closed
        if waiting_vendor is not None:
            self.waiting_vendor = waiting_vendor
        self.reload(mode="first")
        self._update_status()

    def action_filter(self) -> None:
        from incidentdesk.tui.screens.filter import FilterScreen

        def done(result: dict | None) -> None:
            if result is not None:
                self.set_filter(**result)

        self.app.push_screen(FilterScreen(scope=self.scope, text=self.text, status=self.status,
                                          priority=self.priority, sort=self.sort,
                                          include_closed=self.include_closed,
                                          waiting_vendor=self.waiting_vendor), done)

    def action_open_review(self) -> None:
        """The post-incident review screen (tui/screens/pir.py) for the selected incident."""
        row = self.table.selected()
        if row is None:
            notify(self.app, "Select an incident first.", severity="warning")
            return
        from incidentdesk.tui.screens.pir import PirScreen

        self.app.push_screen(PirScreen(row.key, row.title, self.pickers.people_options()),
                             lambda _: self.app.apply_changes({row.id}))

    def action_refresh(self) -> None:
        row = self.table.selected()
        self.generation += 1
        self.fetch_count(self.queue_filter(), self.generation)
        self.reload(keep_id=row.id if row else None)
        if row is not None:
            self.fetch_detail(row.key)

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

    def action_major_view(self) -> None:
        from incidentdesk.tui.screens.major import open_major_view

        open_major_view(self.app, self.subject())

    def action_toggle_times(self) -> None:
        self.exact_times = not self.exact_times
        for panel in self.query("TimelinePanel, EscalationsPanel"):
            panel.exact_times = self.exact_times
            panel.tick()

    @on(Worker.StateChanged)
    def _worker_error(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            notify(self.app, f"unexpected error ({type(error).__name__}): {error}", severity="error")
