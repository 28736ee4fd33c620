"""The queue pane: one page from the database at a time, its status line, its count, live rows.

All database work runs in thread workers that post messages back; the UI thread never waits
on the database. The table holds one page; crossing its edge fetches the neighbouring page
by keyset cursor, and jumping to the end reads the last page with a reverse index scan.
After a new incident is logged the pager shows the page that holds it, cursor on it (or, if
the view's scope and filters leave it out, stays put and says so).

The pager owns the paging state (cursors, page start, count, generation) and the view
(domain/queue_view.QueueView); the screen sets the view and is told, by message, when a page
is shown (`PageShown`, with the first incident's detail when it was read with the page).
"""

from __future__ import annotations

import msgspec
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.queue_view import QueueView
from incidentdesk.store.rows import QueueFilter
from incidentdesk.tui.format import literal, notify
from incidentdesk.tui.messages import (
    ConnectionChanged, CountLoaded, NotInView, PageLoaded, ReadFailed, RowsLoaded,
)
from incidentdesk.tui.reads import queries
from incidentdesk.tui.widgets.queue.marks import PROBLEM_KEY, FoldCounted
from incidentdesk.tui.widgets.queue.table import QueueTable

DETAIL_TIMELINE = 500  # timeline events read with a detail


class QueuePager(Vertical):
    """The status line and the queue table, paged from the database."""

    class PageShown(Message):
        """A page is on screen. `first`: the first since start-up; `detail`: the first row's, when read with it."""

        def __init__(self, *, first: bool, empty: bool, detail=None) -> None:
            super().__init__()
            self.first, self.empty, self.detail = first, empty, detail

    class RowsChanged(Message):
        """Rows of these incidents were re-read and repainted (the screen re-reads an open one)."""

        def __init__(self, ids: set[int]) -> None:
            super().__init__()
            self.ids = ids

    class Highlighted(Message):
        """The cursor is on another row (also when a new page puts it on its first row)."""

    class Selected(Message):
        """Enter on a row: open it."""

    def __init__(self, clock, **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.view = QueueView()
        self.total: int | None = None
        self.page_start: int | None = 0
        self.at_end = False
        self.request: tuple[str, tuple | None] = ("first", None)
        self.generation = 0
        self.rows_fetched = 0  # every queue row read from the database (the benchmark checks it)
        self.first_page_shown = False
        self.busy = 0  # actions saving (the status line says so)
        self._counted: QueueFilter | None = None  # the filter the shown total belongs to

    def compose(self) -> ComposeResult:
        yield Static(id="queue-status")
        yield QueueTable(self._clock, id="queue")

    @property
    def table(self) -> QueueTable:
        return self.query_one(QueueTable)

    # --- the view ---------------------------------------------------------------------------
    def queue_filter(self) -> QueueFilter:
        runtime = self.app.runtime
        problems = runtime.config.schema.problems   # the ↻ rule's settings; unfolded parents (marks.py)
        return QueueFilter(**self.view.criteria(runtime.actor, self._clock()), expanded=self.table.marks.unfolded(),
                           recurring_count=problems.recurring_count, recurring_days=problems.recurring_window_days,
                           recurring_by_category=problems.recurring_by_category)

    def _count_key(self) -> QueueFilter:
        """What decides the count: the filter, whatever the sort."""
        return msgspec.structs.replace(self.queue_filter(), sort="priority")

    def show_view(self, view: QueueView) -> None:
        """Show another view of the queue, from its first page."""
        self.view = view
        self.reload(mode="first")
        self.update_status()

    def recount(self) -> None:
        """Count the current view again (after a change that may have moved rows in or out)."""
        self.generation += 1
        self.fetch_count(self.queue_filter(), self.generation)

    # --- pages --------------------------------------------------------------------------------
    def reload(self, mode: str = "reload", keep_id: int | None = None) -> None:
        """Fetch a page: first, last, next, previous, or the current one again (reload)."""
        table = self.table
        if mode == "reload":
            mode, cursor = self.request
        elif mode == "next":
            last = table.rows_by_id and list(table.rows_by_id.values())[-1]
            if not last:
                return
            mode, cursor = "after", last.cursor(self.view.sort)
        elif mode == "previous":
            first = table.rows_by_id and next(iter(table.rows_by_id.values()))
            if not first:
                return
            mode, cursor = "before", first.cursor(self.view.sort)
        else:
            cursor = None
            # A new filter needs a new count; jumping to the first or last page of the same one
            # does not (counting 100k open rows costs far more than the page itself).
            if mode in ("first", "last") and self._count_key() != self._counted:
                self.generation += 1
                if self.first_page_shown:  # at start-up the count waits for the first screen
                    self._counted = self._count_key()
                    self.fetch_count(self.queue_filter(), self.generation)
        self.fetch_page(self.queue_filter(), mode, cursor, keep_id, self.generation, not self.first_page_shown)

    def show_early_first_page(self) -> PageShown | None:
        """At start-up: show the first page read with the settings (Runtime.early_first_screen), now.

        No I/O and no message round trip, so the first frame holds the page; returns what a posted
        PageShown would say (with the first incident's detail), or None if there is no early page.
        """
        runtime = self.app.runtime
        if runtime.is_open or self.first_page_shown:
            return None
        early = runtime.early_first_screen(self.queue_filter())
        if early is None:
            return None
        page, detail = early
        self.generation += 1
        return self._show_page(PageLoaded(page.rows, page.has_more, "first", None, None, self.generation,
                                          detail=detail))

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def fetch_page(self, flt: QueueFilter, mode: str, cursor, keep_id, generation: int,
                   with_detail: bool = False) -> None:
        """`with_detail`: read the first row's detail in the same worker (the first screen: no second round trip)."""
        runtime, q = self.app.runtime, queries()
        detail = None
        try:
            if mode == "after":
                page = q.queue_page(runtime.db, flt, after=cursor)
            elif mode == "before":
                page = q.queue_page(runtime.db, flt, before=cursor)
            elif mode == "last":
                page = q.queue_last_page(runtime.db, flt)
            else:
                page = q.queue_page(runtime.db, flt)
            if with_detail and page.rows:
                detail = q.incident_detail(runtime.db, page.rows[0].key, timeline_limit=DETAIL_TIMELINE)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "queue"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(PageLoaded(page.rows, page.has_more, mode, cursor, keep_id, generation, detail=detail))

    @work(thread=True, exclusive=True, exit_on_error=False, group="count")
    def fetch_count(self, flt: QueueFilter, generation: int) -> None:
        try:
            total = queries().queue_count(self.app.runtime.db, flt)
            folded = queries().fold_counts(self.app.runtime.db, flt)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "count"))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(FoldCounted(*folded, generation))
            self.post_message(CountLoaded(total, generation))

    @on(FoldCounted)
    def _fold_counted(self, msg: FoldCounted) -> None:
        msg.stop()
        if msg.generation == self.generation:
            self.table.marks.folded = (msg.folded, msg.parents)

    @on(QueueTable.FoldToggled)
    def _fold_toggled(self, msg: QueueTable.FoldToggled) -> None:
        msg.stop()
        if msg.words:   # unfolded or folded: the page and the count change
            self.recount()
            self.reload(keep_id=msg.row_id)
        self.update_status()

    @on(PageLoaded)
    def _page_loaded(self, msg: PageLoaded) -> None:
        msg.stop()
        self.post_message(ConnectionChanged(True, None))
        self.post_message(self._show_page(msg))

    def _show_page(self, msg: PageLoaded) -> PageShown:
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
        if msg.start is not None:  # a page found by its row (a new incident): its place was counted
            self.page_start = msg.start
        table.show_rows(msg.rows, cursor_row=max(0, cursor_row))
        first = not self.first_page_shown
        if first:
            self.first_page_shown = True
            self._counted = self._count_key()
        self.update_status()
        return self.PageShown(first=first, empty=not msg.rows, detail=msg.detail)

    @on(CountLoaded)
    def _count_loaded(self, msg: CountLoaded) -> None:
        msg.stop()
        if msg.generation == self.generation:
            self.total = msg.total
            self.update_status()

    def update_status(self) -> None:
        view = self.view
        parts = [Text("Closed too" if view.include_closed else "Open", style="bold")]
        if view.scope != "all":
            parts.append(Text(f" · {view.scope}", style="bold cyan"))
        if view.status:
            parts.append(Text(f" · status {view.status.replace('_', ' ')}", style="cyan"))
        if view.priority:
            parts.append(Text(f" · P{view.priority}", style="cyan"))
        if view.waiting_vendor:
            parts.append(Text(" · waiting for vendor", style="cyan"))
        if view.type:
            parts.append(Text(" · service requests" if view.type == "request" else " · incidents only", style="cyan"))
        if view.text:
            parts.append(Text.assemble(Text(" · “", style="cyan"), literal(view.text, "cyan", limit=30),
                                       Text("”", style="cyan")))
        parts.append(Text(f" · sort {view.sort}", style="dim"))
        rows = len(self.table.rows_by_id)
        start = self.page_start
        if self.at_end and self.total is not None:
            start = self.total - rows
        total = f"{self.total:,}" if self.total is not None else "…"
        span = f"{start + 1:,}–{start + rows:,}" if start is not None and rows else ("0" if not rows else "…")
        parts.append(Text(f" · {span} of {total}"))
        if self.table.marks.status_words():
            parts.append(Text(f" · {self.table.marks.status_words()}", style="cyan"))
        if self.busy:
            parts.append(Text(" · saving…", style="bold yellow"))
        self.query_one("#queue-status", Static).update(Text.assemble(*parts))

    # A table's RowHighlighted raised while this pager shows a page (in its own handler) stops here:
    # Textual ends a message's bubbling at the node that was handling a message when it was made.
    # So the pager says it in its own words, which reach the screen however the cursor moved.
    @on(QueueTable.RowHighlighted, "#queue")
    def _row_highlighted(self, msg: QueueTable.RowHighlighted) -> None:
        msg.stop()
        self.post_message(self.Highlighted())
        notice = self.table.marks.recurring_notice(self.table.selected(), self.app.key_for(*PROBLEM_KEY))
        if notice:
            notify(self.app, notice, title="Recurring incident", timeout=8)

    @on(QueueTable.RowSelected, "#queue")
    def _row_selected(self, msg: QueueTable.RowSelected) -> None:
        msg.stop()
        self.post_message(self.Selected())

    @on(QueueTable.Boundary)
    def _boundary(self, msg: QueueTable.Boundary) -> None:
        msg.stop()
        self.reload(mode=msg.where)

    # --- a new incident: the page that holds it ------------------------------------------------
    def show_new_incident(self, key: str) -> None:
        """Put the cursor on the incident just logged: on this page, on the page that holds it, or
        — if this view's scope and filters leave it out — nowhere, with a toast saying so."""
        from incidentdesk.domain.keys import parse_key

        self.recount()
        selected = self.table.selected()
        self.fetch_page_with(self.queue_filter(), self.request, parse_key(key), key,
                             selected.id if selected else None, self.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def fetch_page_with(self, flt: QueueFilter, request: tuple, incident_id: int, key: str, keep_id, generation) -> None:
        q, db = queries(), self.app.runtime.db
        try:
            mode, cursor = request
            if mode == "last":
                page = q.queue_last_page(db, flt)
            else:
                page = q.queue_page(db, flt, **({mode: cursor} if mode in ("after", "before") else {}))
            if incident_id in {r.id for r in page.rows}:
                self.post_message(PageLoaded(page.rows, page.has_more, mode, cursor, incident_id, generation))
                return
            located = _page_starting_at(q, db, flt, incident_id)
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "queue"))
            return
        if get_current_worker().is_cancelled:
            return
        if located is None:  # outside this view: the page as it was, and a word about it
            self.post_message(PageLoaded(page.rows, page.has_more, mode, cursor, keep_id, generation))
            self.post_message(NotInView(key))
            return
        located_page, located_mode, located_cursor, start = located
        self.post_message(PageLoaded(located_page.rows, located_page.has_more, located_mode, located_cursor,
                                     incident_id, generation, start=start))

    @on(NotInView)
    def _not_in_view(self, msg: NotInView) -> None:
        msg.stop()
        notify(self.app, f"{msg.key} is not in this view ({self.view.words()}); clear the filters to see it "
               "(ctrl+p: Clear filters)", title="Logged elsewhere", severity="warning", timeout=10)

    # --- live updates ----------------------------------------------------------------------
    def refresh_rows(self, ids: set[int]) -> None:
        """Re-read only these incidents' rows and repaint them in place."""
        if ids:
            self.fetch_rows(set(ids))

    @work(thread=True, exclusive=False, exit_on_error=False, group="changes")
    def fetch_rows(self, ids: set[int]) -> None:
        try:
            rows = queries().rows_for_ids(self.app.runtime.db, sorted(ids))
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "changes"))
            return
        self.post_message(RowsLoaded(rows, ids))

    @on(RowsLoaded)
    def _rows_loaded(self, msg: RowsLoaded) -> None:
        msg.stop()
        self.post_message(ConnectionChanged(True, None))
        if self.table.marks.fold_moved(self.table.rows_by_id, msg.rows):   # folded or unfolded: re-read the page
            self.recount()
            self.reload()
        self.table.update_rows(msg.rows)
        self.post_message(self.RowsChanged(set(msg.ids)))


def _page_starting_at(q, db, flt: QueueFilter, incident_id: int):
    """(page, mode, cursor, start) for the page whose first row is the incident, or None if the filter leaves it out."""
    rows = q.rows_for_ids(db, [incident_id])
    if not rows:
        return None
    mark = rows[0].cursor(flt.sort)
    previous = q.queue_page(db, flt, before=mark, limit=1).rows
    if previous:
        cursor = previous[-1].cursor(flt.sort)
        page, mode = q.queue_page(db, flt, after=cursor), "after"
    else:
        cursor, mode = None, "first"
        page = q.queue_page(db, flt)
    if not page.rows or page.rows[0].id != incident_id:
        return None
    from incidentdesk.store.position import queue_position

    return page, mode, cursor, queue_position(db, flt, mark)
