"""One page of the queue in a DataTable; the screen fetches neighbouring pages from the database.

The table never holds more than one page (about 100 rows), so its cost does not grow with
the queue. Crossing the top or bottom of the page asks the screen for the next page
instead of scrolling further.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from incidentdesk.tui.format import literal, priority_text, row_countdown, status_text

FIXED = {"key": 11, "prio": 3, "status": 12, "owner": 24, "sla": 9}
LABELS = {"key": "Key", "prio": "P", "status": "Status", "title": "Title", "owner": "Assignee / group", "sla": "SLA"}
ORDER = ("key", "prio", "status", "title", "owner", "sla")


def owner_text(row) -> Text:
    who = row.assignee or "—"
    group = row.group or "no group"
    text = Text.assemble(literal(who), Text(" / ", style="dim"), literal(group, "dim"))
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class QueueTable(DataTable):
    """The queue page. Posts `Boundary` when the cursor tries to leave the page."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g", "scroll_top", "First page", show=False, id="queue.first"),
        Binding("G", "scroll_bottom", "Last page", show=False, id="queue.last"),
    ]

    class Boundary(Message):
        """`where` is next, previous, first or last."""

        def __init__(self, where: str) -> None:
            super().__init__()
            self.where = where

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._clock = clock
        self.rows_by_id: dict[int, object] = {}
        self.has_next = False
        self.has_prev = False
        self._title_width = 30

    def on_mount(self) -> None:
        self._build_columns()

    def _widths(self) -> dict[str, int]:
        widths = dict(FIXED)
        if self.size.width and self.size.width < 104:
            widths.update(owner=14, status=11, key=10)
        # cells have one space of padding each side; leave room for the scrollbar
        widths["title"] = max(12, self.size.width - sum(widths.values()) - 2 * len(ORDER) - 2)
        return widths

    def _build_columns(self) -> None:
        self.clear(columns=True)
        widths = self._widths()
        self._title_width = widths["title"]
        for name in ORDER:
            self.add_column(LABELS[name], key=name, width=widths[name])

    def on_resize(self) -> None:
        if self._widths()["title"] != self._title_width:
            rows = list(self.rows_by_id.values())
            cursor = self.cursor_row
            self._build_columns()
            self.show_rows(rows, cursor_row=cursor)

    def _cells(self, row, now: datetime) -> list:
        cells = [
            Text(row.key, no_wrap=True), priority_text(row.priority, major=row.is_major), status_text(row.status),
            literal(row.title), owner_text(row), row_countdown(row, now),
        ]
        for cell in cells:
            cell.end = ""  # as DataTable's own cells: no trailing newline to render and crop away
        return cells

    def show_rows(self, rows: Sequence, cursor_row: int = 0) -> None:
        """Replace the page; keys are incident ids so live updates can find their row."""
        now = self._clock()
        if self.size.width and self._widths()["title"] != self._title_width:
            self._build_columns()  # laid out since mount: size the columns now, not again on_resize
        self.clear()
        self.rows_by_id = {}
        for row in rows:
            self.rows_by_id[row.id] = row
            self.add_row(*self._cells(row, now), key=str(row.id))
        if rows:
            self.move_cursor(row=max(0, min(cursor_row, len(rows) - 1)), animate=False)

    def update_rows(self, rows: Sequence) -> list[int]:
        """Repaint rows already on the page (only their cells); returns the ids repainted."""
        now = self._clock()
        done = []
        for row in rows:
            if row.id not in self.rows_by_id:
                continue
            self.rows_by_id[row.id] = row
            for name, value in zip(ORDER, self._cells(row, now), strict=True):
                self.update_cell(str(row.id), name, value)
            done.append(row.id)
        return done

    def tick(self) -> None:
        """Refresh the countdown cells whose text changed, from the rows in memory (no query).

        Any update_cell invalidates the table's whole render cache, so cells that read the same
        as a second ago ("3h04m" for a minute) are left alone.
        """
        now = self._clock()
        for row_id, row in self.rows_by_id.items():
            key = str(row_id)
            text = row_countdown(row, now)
            text.end = ""
            shown = self.get_cell(key, "sla")
            if shown.plain != text.plain or shown.style != text.style:
                self.update_cell(key, "sla", text)

    def selected(self):
        if not self.rows_by_id or self.cursor_row < 0:
            return None
        try:
            key = self.coordinate_to_cell_key((self.cursor_row, 0)).row_key.value
        except Exception:
            return None
        return self.rows_by_id.get(int(key)) if key is not None else None

    # Leaving the page fetches a neighbour instead of stopping.
    def action_cursor_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1 and self.has_next:
            self.post_message(self.Boundary("next"))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.has_prev:
            self.post_message(self.Boundary("previous"))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.row_count and self.cursor_row >= self.row_count - 1 and self.has_next:
            self.post_message(self.Boundary("next"))
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0 and self.has_prev:
            self.post_message(self.Boundary("previous"))
        else:
            super().action_page_up()

    def action_scroll_top(self) -> None:
        if self.has_prev:
            self.post_message(self.Boundary("first"))
        else:
            self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        if self.has_next:
            self.post_message(self.Boundary("last"))
        else:
            self.move_cursor(row=max(0, self.row_count - 1))

    action_scroll_home = action_scroll_top
    action_scroll_end = action_scroll_bottom
