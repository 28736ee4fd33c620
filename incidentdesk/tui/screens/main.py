"""The main screen: the live queue and the incident pane, and every action on the selected incident.

All database work runs in thread workers that post messages back; the UI thread never waits
on the database. The queue holds one page; crossing its edge fetches the neighbouring page
by keyset cursor, and jumping to the end reads the last page with a reverse index scan.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState, get_current_worker

from incidentdesk.domain.errors import DomainError, EditConflict, StorageUnavailable, ValidationError
from incidentdesk.store.rows import SORT_KEYS, QueueFilter
from incidentdesk.tui.actions import ACTIONS, Action, Pickers
from incidentdesk.tui.format import literal
from incidentdesk.tui.messages import (
    ActionDone, ActionFailed, CountLoaded, DetailLoaded, PageLoaded, PickersLoaded, ReadFailed, RowsLoaded,
)
from incidentdesk.tui.widgets.chrome.footer import DeskFooter
from incidentdesk.tui.widgets.chrome.header import ConnectionBanner, DeskHeader
from incidentdesk.tui.widgets.queue.table import QueueTable

if TYPE_CHECKING:
    from textual.widgets import TabbedContent, Tabs

SCOPES = ("all", "mine", "my groups", "unassigned", "at risk", "major")
SORTS = tuple(SORT_KEYS)
AT_RISK_WINDOW = timedelta(minutes=30)
SIDE_WIDTH = 200  # from this many columns the queue and the incident sit side by side


def _queries():
    """store.queries (and with it SQLAlchemy), imported by the first worker that reads after start-up.

    The first page can be read without it (see Runtime.early_first_page), so importing it is
    kept off the path to the first paint.
    """
    from incidentdesk.store import queries

    return queries


def action_bindings() -> list[Binding]:
    return [Binding(a.key, f"incident('{a.name}')", a.label, id=f"incident.{a.name}",
                    show=a.name in ("new", "acknowledge", "take", "escalate", "resolve", "comment"),
                    tooltip=a.description)
            for a in ACTIONS]


class MainScreen(Screen):
    BINDINGS = [
        *action_bindings(),
        Binding("slash", "filter", "Filter", id="queue.filter"),
        Binding("f", "cycle_scope", "Scope", id="queue.scope", tooltip="all / mine / my groups / unassigned / at risk / major"),
        Binding("S", "cycle_sort", "Sort", show=False, id="queue.sort"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="queue.refresh"),
        Binding("escape", "back", "Back", show=False, id="queue.back"),
        Binding("ctrl+right", "next_tab", "Next tab", show=False, id="pane.next_tab"),
        Binding("ctrl+left", "previous_tab", "Previous tab", show=False, id="pane.previous_tab"),
    ]

    def __init__(self) -> None:
        super().__init__(id="main")
        self.scope = "all"
        self.sort = "priority"
        self.text = ""
        self.status: str | None = None
        self.priority: int | None = None
        self.include_closed = False
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

    # --- the queue -------------------------------------------------------------------------
    def queue_filter(self) -> QueueFilter:
        actor = self.app.runtime.actor
        return QueueFilter(
            open_only=not self.include_closed,
            status=self.status,
            priority=self.priority,
            assignee=actor.login if self.scope == "mine" else None,
            groups=tuple(sorted(actor.groups)) if self.scope == "my groups" else (),
            unassigned=self.scope == "unassigned",
            at_risk_at=self.app.clock() if self.scope == "at risk" else None,
            major=self.scope == "major",
            text=self.text,
            sort=self.sort,
        )

    def _count_key(self) -> QueueFilter:
        """What decides the count: the filter, whatever the sort."""
        return replace(self.queue_filter(), sort="priority")

    def reload(self, mode: str = "reload", keep_id: int | None = None) -> None:
        """Fetch a page: first, last, next, previous, or the current one again (reload)."""
        table = self.table
        if mode == "reload":
            mode, cursor = self.request
        elif mode == "next":
            last = table.rows_by_id and list(table.rows_by_id.values())[-1]
            if not last:
                return
            mode, cursor = "after", last.cursor(self.sort)
        elif mode == "previous":
            first = table.rows_by_id and next(iter(table.rows_by_id.values()))
            if not first:
                return
            mode, cursor = "before", first.cursor(self.sort)
        else:
            cursor = None
            # A new filter needs a new count; jumping to the first or last page of the same one
            # does not (counting 100k open rows costs far more than the page itself).
            if mode in ("first", "last") and self._count_key() != self._counted:
                self.generation += 1
                if self.first_page_shown:  # at start-up the count waits for the first page
                    self._counted = self._count_key()
                    self.fetch_count(self.queue_filter(), self.generation)
        flt = self.queue_filter()
        runtime = self.app.runtime
        # At start-up the first page was read with the settings (Runtime.early_first_page: no I/O here).
        page = runtime.early_first_page(flt) if mode == "first" and not runtime.is_open else None
        if page is not None:
            self.post_message(PageLoaded(page.rows, page.has_more, mode, cursor, keep_id, self.generation))
            return
        self.fetch_page(flt, mode, cursor, keep_id, self.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def fetch_page(self, flt: QueueFilter, mode: str, cursor, keep_id, generation: int) -> None:
        runtime = self.app.runtime
        try:
            if mode == "after":
                page = _queries().queue_page(runtime.db, flt, after=cursor)
            elif mode == "before":
                page = _queries().queue_page(runtime.db, flt, before=cursor)
            elif mode == "last":
                page = _queries().queue_last_page(runtime.db, flt)
            else:
                page = _queries().queue_page(runtime.db, flt)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "queue"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(PageLoaded(page.rows, page.has_more, mode, cursor, keep_id, generation))

    @work(thread=True, exclusive=True, exit_on_error=False, group="count")
    def fetch_count(self, flt: QueueFilter, generation: int) -> None:
        try:
            total = _queries().queue_count(self.app.runtime.db, flt)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "count"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(CountLoaded(total, generation))

    @on(PageLoaded)
    def _page_loaded(self, msg: PageLoaded) -> None:
        self.app.set_connection_state(True, None)
        table = self.table
        old_rows = list(table.rows_by_id.values())
        old_start = self.page_start
        self.rows_fetched += len(msg.rows)
        self.request = (msg.mode, msg.cursor)
        cursor_row = 0
        if msg.mode == "after":
            table.has_prev, table.has_next = True, msg.has_more
            if old_start is not None and msg.keep_id is None:
                self.page_start = old_start + len(old_rows)
            self.at_end = not msg.has_more
        elif msg.mode == "before":
            table.has_prev, table.has_next = msg.has_more, True
            if msg.keep_id is None:
                self.page_start = None if old_start is None else max(0, old_start - len(msg.rows))
                cursor_row = len(msg.rows) - 1
            self.at_end = False
        elif msg.mode == "last":
            table.has_prev, table.has_next = msg.has_more, False
            self.at_end = True
            self.page_start = None
            cursor_row = len(msg.rows) - 1
        else:
            table.has_prev, table.has_next = False, msg.has_more
            self.page_start = 0
            self.at_end = not msg.has_more
        if msg.keep_id is not None:
            ids = [r.id for r in msg.rows]
            cursor_row = ids.index(msg.keep_id) if msg.keep_id in ids else min(table.cursor_row, len(ids) - 1)
        if not msg.has_more and msg.mode == "before":
            self.page_start = 0
        table.show_rows(msg.rows, cursor_row=max(0, cursor_row))
        if not msg.rows:
            self.detail = None
            self._show_detail(None)
        if not self.first_page_shown:
            # Start-up: the page first, then the count and the pick lists (they are not urgent).
            self.first_page_shown = True
            self._counted = self._count_key()
            if self.app.runtime.is_open:
                self._after_first_page()
            else:  # the first of these opens the database (imports SQLAlchemy): after the paint
                self.call_after_refresh(self._after_first_page)
        self._update_status()

    def _after_first_page(self) -> None:
        self.call_later(self._mount_incident_pane)
        self.fetch_count(self.queue_filter(), self.generation)
        self.fetch_pickers()
        self.app.first_page_shown()

    @on(CountLoaded)
    def _count_loaded(self, msg: CountLoaded) -> None:
        if msg.generation == self.generation:
            self.total = msg.total
            self._update_status()

    def _update_status(self) -> None:
        parts = [Text("Closed too" if self.include_closed else "Open", style="bold")]
        if self.scope != "all":
            parts.append(Text(f" · {self.scope}", style="bold cyan"))
        if self.status:
            parts.append(Text(f" · status {self.status.replace('_', ' ')}", style="cyan"))
        if self.priority:
            parts.append(Text(f" · P{self.priority}", style="cyan"))
        if self.text:
            parts.append(Text.assemble(Text(" · “", style="cyan"), literal(self.text, "cyan", limit=30),
                                       Text("”", style="cyan")))
        parts.append(Text(f" · sort {self.sort}", style="dim"))
        rows = len(self.table.rows_by_id)
        start = self.page_start
        if self.at_end and self.total is not None:
            start = self.total - rows
        total = f"{self.total:,}" if self.total is not None else "…"
        span = f"{start + 1:,}–{start + rows:,}" if start is not None and rows else ("0" if not rows else "…")
        parts.append(Text(f" · {span} of {total}"))
        if self.busy:
            parts.append(Text(" · saving…", style="bold yellow"))
        self.query_one("#queue-status").update(Text.assemble(*parts))

    @on(QueueTable.Boundary)
    def _boundary(self, msg: QueueTable.Boundary) -> None:
        self.reload(mode=msg.where)

    # --- the incident pane -----------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#queue")
    def _highlighted(self, msg: DataTable.RowHighlighted) -> None:
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(0.12, self._load_selected)

    def _load_selected(self) -> None:
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

    @on(DataTable.RowSelected, "#queue")
    def _selected(self, msg: DataTable.RowSelected) -> None:
        self._load_selected()
        if self.has_class("-narrow"):
            self._show_pane("incident")
        else:
            self._focus_incident_tabs()

    def _show_pane(self, which: str) -> None:
        self.set_class(which == "incident", "-show-incident")
        tabs = self.query_one("#pane-tabs")
        tabs.active = f"show-{which}"
        if which == "queue":
            self.table.focus()
        else:
            self._focus_incident_tabs()

    def _focus_incident_tabs(self) -> None:
        tabs = self.query("#incident-pane Tabs")
        if tabs:
            tabs.first().focus()

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
        for tabs in self.query("#incident-pane Tabs"):
            tabs.action_next_tab()

    def action_previous_tab(self) -> None:
        for tabs in self.query("#incident-pane Tabs"):
            tabs.action_previous_tab()

    # --- filters and sorts -----------------------------------------------------------------
    def action_cycle_scope(self) -> None:
        self.scope = SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)]
        self.reload(mode="first")
        self._update_status()

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload(mode="first")
        self._update_status()

    def set_filter(self, *, scope=None, text=None, status=..., priority=..., sort=None, include_closed=None) -> None:
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
        self.reload(mode="first")
        self._update_status()

    def action_filter(self) -> None:
        from incidentdesk.tui.screens.filter import FilterScreen

        def done(result: dict | None) -> None:
            if result is not None:
                self.set_filter(**result)

        self.app.push_screen(FilterScreen(scope=self.scope, text=self.text, status=self.status,
                                          priority=self.priority, sort=self.sort,
                                          include_closed=self.include_closed), done)

    def action_refresh(self) -> None:
        row = self.table.selected()
        self.generation += 1
        self.fetch_count(self.queue_filter(), self.generation)
        self.reload(keep_id=row.id if row else None)
        if row is not None:
            self.fetch_detail(row.key)

    # --- actions ---------------------------------------------------------------------------
    def action_incident(self, name: str) -> None:
        from incidentdesk.tui.actions import BY_NAME

        self.start_action(BY_NAME[name])

    def start_action(self, action: Action, values: dict | None = None, *, errors: dict | None = None,
                     notice: str = "") -> None:
        detail = self.detail
        if action.needs_incident:
            row = self.table.selected()
            if detail is None or row is None or detail.id != row.id:
                self.app.notify("Select an incident first (the detail is still loading).", severity="warning",
                                markup=False)
                return
        if action.form is None:
            self.run_action(action, detail, {})
            return
        # Dialogs need only the settings: building one never opens the database on the UI thread.
        spec = action.form(detail if action.needs_incident else None, self.pickers, self.app.runtime.config)
        spec.errors = dict(errors or {})
        spec.notice = notice

        def done(result: dict | None) -> None:
            if result is not None:
                self.run_action(action, detail if action.needs_incident else None, result)

        from incidentdesk.tui.screens.form import FormScreen  # the dialog's widgets load when one opens

        self.app.push_screen(FormScreen(spec, values), done)

    def run_action(self, action: Action, detail, values: dict) -> None:
        self.busy += 1
        self._update_status()
        self._run_action(action, detail, values)

    @work(thread=True, exclusive=False, exit_on_error=False, group="action")
    def _run_action(self, action: Action, detail, values: dict) -> None:
        # Not exclusive: a second action must not hide the first one's result.
        try:
            text = action.run(self.app.runtime.ctx, detail, values)
        except DomainError as exc:
            self.post_message(ActionFailed(action, detail, values, exc))
        except Exception as exc:  # a bug: report it, keep the console alive
            self.post_message(ActionFailed(action, detail, values, exc))
        else:
            self.post_message(ActionDone(action, detail, text))

    @on(ActionDone)
    def _action_done(self, msg: ActionDone) -> None:
        self.busy -= 1
        self.app.set_connection_state(True, None)
        self.app.notify(msg.text, markup=False)
        if msg.detail is not None:
            self.app.apply_changes({msg.detail.id})
        else:
            self.generation += 1
            self.fetch_count(self.queue_filter(), self.generation)
            self.reload()
        self._update_status()

    @on(ActionFailed)
    def _action_failed(self, msg: ActionFailed) -> None:
        self.busy -= 1
        self._update_status()
        exc = msg.error
        text = str(exc)
        action, detail = msg.action, msg.detail
        if isinstance(exc, EditConflict):
            self.app.notify(text, title="Edit conflict", severity="error", timeout=10, markup=False)
            if action.form is not None:
                self.pending_reopen = (action, msg.values, "Changed by someone else meanwhile; "
                                       "your text is kept — review the new state and save again.")
            if detail is not None:
                self.app.apply_changes({detail.id})
            return
        if isinstance(exc, ValidationError) and action.form is not None:
            self.app.notify(text, title="Not saved", severity="warning", markup=False)
            self.start_action(action, msg.values, errors={exc.field or "general": text})
            return
        if isinstance(exc, StorageUnavailable):
            self.app.set_connection_state(False, self.app.clock())
            self.app.notify(text, title="Not saved", severity="error", timeout=10, markup=False)
            if action.form is not None:
                self.start_action(action, msg.values, notice=text)
            return
        title = {"PermissionDenied": "Permission denied", "InvalidTransition": "Not allowed now",
                 "NotFound": "Not found"}.get(type(exc).__name__, "Error")
        if not isinstance(exc, DomainError):
            text = f"unexpected error ({type(exc).__name__}): {text}"
        self.app.notify(text, title=title, severity="error", timeout=8, markup=False)

    @on(ReadFailed)
    def _read_failed(self, msg: ReadFailed) -> None:
        if isinstance(msg.error, StorageUnavailable):
            self.app.set_connection_state(False, self.app.clock())
            self.set_timer(5, lambda: self.reload(keep_id=getattr(self.table.selected(), "id", None)))
        else:
            self.app.notify(str(msg.error), severity="error", markup=False)

    # --- directory for pickers ---------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="pickers")
    def fetch_pickers(self) -> None:
        db = self.app.runtime.db
        queries = _queries()
        try:
            pickers = Pickers(queries.list_people(db), queries.list_groups(db), queries.list_categories(db),
                              queries.list_services(db))
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "directory"))
            return
        self.post_message(PickersLoaded(pickers))

    @on(PickersLoaded)
    def _pickers_loaded(self, msg: PickersLoaded) -> None:
        self.pickers = msg.pickers

    # --- live updates ----------------------------------------------------------------------
    def refresh_incidents(self, ids: set[int]) -> None:
        if ids:
            self.fetch_rows(set(ids))

    @work(thread=True, exclusive=False, exit_on_error=False, group="changes")
    def fetch_rows(self, ids: set[int]) -> None:
        try:
            rows = _queries().rows_for_ids(self.app.runtime.db, sorted(ids))
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "changes"))
            return
        self.post_message(RowsLoaded(rows, ids))

    @on(RowsLoaded)
    def _rows_loaded(self, msg: RowsLoaded) -> None:
        self.app.set_connection_state(True, None)
        self.table.update_rows(msg.rows)
        if self.detail is not None and self.detail.id in msg.ids:
            self.fetch_detail(self.detail.key)

    @on(Worker.StateChanged)
    def _worker_error(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            self.app.notify(f"unexpected error ({type(error).__name__}): {error}", severity="error", markup=False)
