"""One page of the queue in a DataTable; the screen fetches neighbouring pages from the database.

The table never holds more than one page (about 100 rows), so its cost does not grow with
the queue. Crossing the top or bottom of the page asks the screen for the next page
instead of scrolling further.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from incidentdesk.domain.enums import Status
from incidentdesk.domain.major_cadence import update_overdue
from incidentdesk.tui.format import literal, priority_text, row_countdown, status_text
from incidentdesk.tui.widgets.queue.marks import QueueMarks

ORDER = ("key", "prio", "status", "title", "owner", "sla")
LABELS = {"key": ("Key",), "prio": ("P",), "status": ("Status",), "title": ("Title",),
          "owner": ("Assignee / group", "Assignee", "Who"), "sla": ("SLA",)}
KEY_MIN = 10                                         # INC-000123; longer keys widen the column
STATUS_WIDTH = max(len(s.label) for s in Status)      # "acknowledged" is never cut
SLA_WIDTH = 9                                         # "+12m03s", "‖1h05m", "breached"
PRIO_WIDTH = 3                                        # "P1★"
WIDE = 104                                            # from here the owner column gets its full width
OWNER_WIDE, OWNER_NARROW, OWNER_MIN = 24, 14, 6
TITLE_MIN = 12                                        # the title shrinks to this before the owner does
TITLE_COMFORT = 16                                    # below this, cells trade padding for a one-cell gap
SCROLLBAR = 1                                         # incidentdesk.tcss: scrollbar-size-vertical: 1


@dataclass(frozen=True)
class Layout:
    """Column content widths and how cells are separated: `padding` each side, or a `gap` after each but the last."""

    widths: dict[str, int]
    padding: int = 1
    gap: int = 0

    def column_width(self, name: str) -> int:
        return self.widths[name] + (self.gap if name != ORDER[-1] else 0)


def layout(width: int, key_width: int = KEY_MIN) -> Layout:
    """Widths for a table `width` cells wide: key, priority, status and SLA always whole; the title
    shrinks first (to TITLE_MIN), then the owner (to OWNER_MIN), and only then the title again."""
    wide = width >= WIDE
    fixed = {"key": max(KEY_MIN, key_width) + (1 if wide else 0), "prio": PRIO_WIDTH, "status": STATUS_WIDTH,
             "sla": SLA_WIDTH}
    owner_max = OWNER_WIDE if wide else OWNER_NARROW
    for padding, gap in ((1, 0), (0, 1)):
        flex = width - SCROLLBAR - sum(fixed.values()) - 2 * padding * len(ORDER) - gap * (len(ORDER) - 1)
        owner = max(OWNER_MIN, min(owner_max, flex - TITLE_MIN))
        title = flex - owner
        if title >= TITLE_COMFORT:
            break
    return Layout({**fixed, "owner": owner, "title": max(1, title)}, padding, gap)


def owner_text(row, width: int = OWNER_WIDE) -> Text:
    """`who / group`; in a narrow column only who has it (or, unassigned, the group, dim)."""
    if width < 12:
        text = literal(row.assignee) if row.assignee else literal(row.group or "—", "dim")
    else:
        text = Text.assemble(literal(row.assignee or "—"), Text(" / ", style="dim"), literal(row.group or "no group", "dim"))
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _prio(row, now: datetime) -> Text:
    return priority_text(row.priority, major=row.is_major, update_overdue=update_overdue(row, now))


def _fit(text: Text, width: int) -> Text:
    """Cut to the column's content width here, so a one-cell gap after it stays blank."""
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    text.end = ""  # as DataTable's own cells: no trailing newline to render and crop away
    return text


class QueueTable(DataTable):
    """The queue page. Posts `Boundary` when the cursor tries to leave the page."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="queue.down"),
        Binding("k", "cursor_up", "Up", show=False, id="queue.up"),
        Binding("g", "scroll_top", "First page", show=False, id="queue.first"),
        Binding("G", "scroll_bottom", "Last page", show=False, id="queue.last"),
        Binding("space", "toggle_mark", "Mark", show=False, id="queue.mark",
                tooltip="mark the incident (B then n: one problem from the marked incidents)"),
        Binding("z", "toggle_fold", "Fold", show=False, id="queue.fold",
                tooltip="unfold or fold the incidents folded under a parent"),
    ]

    class FoldToggled(Message):
        """z on a row with folded incidents (or on one of them): the pager reloads the page."""

        def __init__(self, row_id: int, words: str) -> None:
            super().__init__()
            self.row_id, self.words = row_id, words

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
        self._layout: Layout | None = None
        self.marks = QueueMarks()
        # Rows shown before the table has a size (the first page, at start-up): their cells are built
        # once, at the first resize, at the width they will have (not once for 80 and again then).
        self._pending: tuple[list, int] | None = None

    def on_mount(self) -> None:
        self._build_columns()

    def _wanted_layout(self) -> Layout:
        keys = max((len(r.key) for r in self.rows_by_id.values()), default=KEY_MIN)
        return layout(self.size.width or 80, keys)

    def _build_columns(self) -> None:
        self.clear(columns=True)
        self._layout = plan = self._wanted_layout()
        self.cell_padding = plan.padding
        for name in ORDER:
            width = plan.widths[name]
            label = next((lbl for lbl in LABELS[name] if len(lbl) <= width), LABELS[name][-1])
            self.add_column(_fit(Text(label), width), key=name, width=plan.column_width(name))

    def on_resize(self) -> None:
        if self._pending is not None and self.size.width:
            rows, cursor = self._pending
            self._pending = None
            self.show_rows(rows, cursor_row=cursor)
            return
        if self._wanted_layout() != self._layout:
            rows = list(self.rows_by_id.values())
            cursor = self.cursor_row
            self._build_columns()
            self.show_rows(rows, cursor_row=cursor)

    def _cells(self, row, now: datetime) -> list:
        widths = self._layout.widths if self._layout else layout(80).widths
        cells = [
            Text(row.key, no_wrap=True), _prio(row, now), status_text(row.status),
            self.marks.prefix(row).append_text(literal(row.title)), owner_text(row, widths["owner"]), row_countdown(row, now),
        ]
        return [_fit(cell, widths[name]) for name, cell in zip(ORDER, cells, strict=True)]

    def show_rows(self, rows: Sequence, cursor_row: int = 0) -> None:
        """Replace the page; keys are incident ids so live updates can find their row."""
        now = self._clock()
        self.rows_by_id = {row.id: row for row in rows}
        if not self.size.width:  # not laid out yet: on_resize builds them, once
            self._pending = (list(rows), cursor_row)
            return
        self._pending = None
        if self._wanted_layout() != self._layout:
            self._build_columns()  # laid out since mount (or longer keys): size the columns now
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
        if self._pending is not None:  # not built yet: built from these when the table has a size
            pending, cursor = self._pending
            fresh = {row.id: row for row in rows if row.id in self.rows_by_id}
            self._pending = ([fresh.get(r.id, r) for r in pending], cursor)
            self.rows_by_id.update(fresh)
            return list(fresh)
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
        if self._pending is not None:
            return
        for row_id, row in self.rows_by_id.items():
            key = str(row_id)
            text = _fit(row_countdown(row, now), SLA_WIDTH)
            shown = self.get_cell(key, "sla")
            if shown.plain != text.plain or shown.style != text.style:
                self.update_cell(key, "sla", text)
            if row.is_major:  # the update-overdue mark comes on as the next update's time passes
                prio = _prio(row, now)
                if self.get_cell(key, "prio").plain != prio.plain:
                    self.update_cell(key, "prio", prio)

    def action_toggle_mark(self) -> None:
        row = self.selected()
        if row is not None:
            self.marks.toggle_mark(row)
            self.update_rows([row])
            self.post_message(self.FoldToggled(row.id, ""))   # the status line counts the marks

    def refresh_marks(self) -> None:
        """Repaint every row's markers (the marks were spent elsewhere: the problems screen)."""
        self.update_rows(list(self.rows_by_id.values()))
        self.post_message(self.FoldToggled(-1, ""))

    def action_toggle_fold(self) -> None:
        row = self.selected()
        words = self.marks.toggle_fold(row) if row is not None else None
        if words is not None:
            self.post_message(self.FoldToggled(row.id, words))

    def selected(self):
        if self._pending is not None:
            rows, cursor = self._pending
            return rows[max(0, min(cursor, len(rows) - 1))] if rows else None
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
