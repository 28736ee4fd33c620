"""The main screen's queue: one page from the database at a time, its status line, live row updates.

All database work runs in thread workers that post messages back; the UI thread never waits
on the database. The queue holds one page; crossing its edge fetches the neighbouring page
by keyset cursor, and jumping to the end reads the last page with a reverse index scan.
After a new incident is logged the queue shows the page that holds it, cursor on it (or, if
the current scope and filters leave it out, stays put and says so).
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.screen import Screen
from textual.worker import get_current_worker

from incidentdesk.domain.errors import DomainError
from incidentdesk.store.rows import SORT_KEYS, QueueFilter
from incidentdesk.tui.format import literal, notify
from incidentdesk.tui.messages import CountLoaded, NotInView, PageLoaded, ReadFailed, RowsLoaded
from incidentdesk.tui.widgets.queue.table import QueueTable

SCOPES = ("all", "mine", "my groups", "unassigned", "at risk", "major")
SORTS = tuple(SORT_KEYS)


def _queries():
    """store.queries (and with it SQLAlchemy), imported by the first worker that reads after start-up.

    The first page can be read without it (see Runtime.early_first_page), so importing it is
    kept off the path to the first paint.
    """
    from incidentdesk.store import queries

    return queries


class QueuePart(Screen):
    """The queue half of MainScreen (main.py), which holds the state these methods use."""

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
            waiting_vendor=self.waiting_vendor,
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
        if msg.start is not None:  # a page found by its row (a new incident): its place was counted
            self.page_start = msg.start
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
        if self.waiting_vendor:
            parts.append(Text(" · waiting for vendor", style="cyan"))
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

    # --- a new incident: the page that holds it ------------------------------------------------
    def show_new_incident(self, key: str) -> None:
        """Put the cursor on the incident just logged: on this page, on the page that holds it, or
        — if this view's scope and filters leave it out — nowhere, with a toast saying so."""
        from incidentdesk.domain.keys import parse_key

        self.generation += 1
        self.fetch_count(self.queue_filter(), self.generation)
        selected = self.table.selected()
        self.fetch_page_with(self.queue_filter(), self.request, parse_key(key), key,
                             selected.id if selected else None, self.generation)

    @work(thread=True, exclusive=True, exit_on_error=False, group="queue")
    def fetch_page_with(self, flt: QueueFilter, request: tuple, incident_id: int, key: str, keep_id, generation) -> None:
        q, db = _queries(), self.app.runtime.db
        try:
            mode, cursor = request
            if mode == "last":
                page = q.queue_last_page(db, flt)
            else:
                page = q.queue_page(db, flt, **({mode: cursor} if mode in ("after", "before") else {}))
            if incident_id in {r.id for r in page.rows}:
                self.post_message(PageLoaded(page.rows, page.has_more, mode, cursor, incident_id, generation))
                return
            located = self._page_starting_at(q, db, flt, incident_id)
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

    @staticmethod
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

    @on(NotInView)
    def _not_in_view(self, msg: NotInView) -> None:
        notify(self.app, f"{msg.key} is not in this view ({self.view_words()}); clear the filters to see it "
               "(ctrl+p: Clear filters)", title="Logged elsewhere", severity="warning", timeout=10)

    def view_words(self) -> str:
        words = [f"scope {self.scope}"] if self.scope != "all" else []
        if self.status:
            words.append(f"status {self.status.replace('_', ' ')}")
        if self.priority:
            words.append(f"P{self.priority}")
        if self.waiting_vendor:
            words.append("waiting for vendor")
        if self.text:
            words.append(f"text “{self.text}”")
        return ", ".join(words) or "open incidents"

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

