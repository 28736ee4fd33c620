"""`N`: the notifications screen — the outbox as the delivery worker sees it.

Pending, sending, sent and failed notifications, newest first, with their attempts and the last
error (shown literally: it quotes what a remote service answered). `r` retries the selected
failed one through the catalog's `retry_notification` use case (the service checks the role);
`f` cycles the state shown. The list re-reads itself every few seconds (a timer re-armed after
each read, so reads never overlap) and on ctrl+r; every read runs in a worker thread.
Channels are shown by name (and the recipient's address for people), never by URL.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from incidentdesk.domain.errors import DomainError
from incidentdesk.tui.format import notify, safe

STATES = (None, "failed", "pending", "sending", "sent")
REFRESH_SECONDS = 3.0
COLUMNS = (("id", "id"), ("state", "state"), ("attempts", "tries"), ("incident", "incident"), ("event", "event"),
           ("to", "to"), ("when", "when (UTC)"), ("error", "last error"))


class OutboxLoaded(Message):
    def __init__(self, rows: list[dict], counts: dict[str, int]) -> None:
        super().__init__()
        self.rows, self.counts = rows, counts


class OutboxFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class Retried(Message):
    def __init__(self, text: str, ok: bool) -> None:
        super().__init__()
        self.text, self.ok = text, ok


def _cells(row: dict) -> list[Text]:
    when = row["sent_at"] or row["next_attempt_at"]
    to = safe(row["channel"]) + (f" → {safe(row['recipient'])}" if row["recipient"] else "")
    style = {"failed": "bold red", "sent": "dim", "sending": "bold"}.get(row["state"], "")
    error = safe(row["last_error"] or "").replace("\n", " ")
    return [Text(str(row["id"])), Text(row["state"], style=style), Text(str(row["attempts"])),
            Text(safe(row["incident_key"] or "-")), Text(row["event_kind"].replace("_", " ")), Text(to),
            Text(f"{when:%m-%d %H:%M:%S}" if when else "-"), Text(error[:200])]


class NotificationsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="notifications.close"),
        Binding("r", "retry", "Retry", id="notifications.retry", tooltip="send the selected failed one again"),
        Binding("f", "cycle_state", "State", id="notifications.state", tooltip="all / failed / pending / sending / sent"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="notifications.refresh"),
    ]

    def __init__(self, *, refresh_seconds: float = REFRESH_SECONDS) -> None:
        super().__init__(id="notifications")
        self.state: str | None = None
        self.refresh_seconds = refresh_seconds
        self.rows: dict[int, dict] = {}
        self.loads = 0
        self._timer = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Notifications", style="bold"), id="notifications-title")
            yield Static(Text("reading…"), id="notifications-summary")
            table = DataTable(id="notifications-table", cursor_type="row", zebra_stripes=False)
            for key, label in COLUMNS:
                table.add_column(label, key=key)
            yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    # --- reading (a worker thread; results come back as messages) ---------------------------
    @work(thread=True, exclusive=True, group="outbox-read", exit_on_error=False)
    def load(self) -> None:
        from incidentdesk.store import outbox as outbox_store

        try:
            db = self.app.runtime.db
            rows = outbox_store.messages(db, self.state, limit=500)
            counts = outbox_store.counts(db)
            self.post_message(OutboxLoaded(rows, counts))
        except DomainError as exc:
            self.post_message(OutboxFailed(str(exc)))

    def _rearm(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.refresh_seconds and self.is_mounted:
            self._timer = self.set_timer(self.refresh_seconds, self.load)

    @on(OutboxLoaded)
    def _show(self, message: OutboxLoaded) -> None:
        self.loads += 1
        table = self.query_one(DataTable)
        selected = self.selected_id()
        with self.app.batch_update():
            new = {row["id"]: row for row in message.rows}
            if list(new) != list(self.rows):  # rows came or went: rebuild in order, the cursor kept by id
                table.clear()
                for row_id, row in new.items():
                    table.add_row(*_cells(row), key=str(row_id))
            else:  # the same rows: touch only the cells that changed
                for row_id, row in new.items():
                    if self.rows[row_id] != row:
                        for (column, _), cell in zip(COLUMNS, _cells(row), strict=True):
                            table.update_cell(str(row_id), column, cell)
            self.rows = new
            if selected in new:
                table.move_cursor(row=table.get_row_index(str(selected)))
        counts = message.counts
        shown = "all" if self.state is None else self.state
        summary = " · ".join(f"{state} {counts.get(state, 0)}" for state in ("pending", "sending", "sent", "failed"))
        self.query_one("#notifications-summary", Static).update(
            Text(f"{summary}   showing: {shown}   r retries a failed one · f state · esc back"))
        self._rearm()

    @on(OutboxFailed)
    def _failed(self, message: OutboxFailed) -> None:
        self.query_one("#notifications-summary", Static).update(Text(f"cannot read the outbox: {message.error}"))
        self._rearm()

    def selected_id(self) -> int | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
        except Exception:  # noqa: BLE001 (no such row any more)
            return None
        return int(key.value) if key.value is not None else None

    # --- keys --------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_cycle_state(self) -> None:
        self.state = STATES[(STATES.index(self.state) + 1) % len(STATES)]
        self.load()

    def action_retry(self) -> None:
        row_id = self.selected_id()
        row = self.rows.get(row_id) if row_id is not None else None
        if row is None:
            notify(self.app, "no notification selected", severity="warning")
            return
        if row["state"] != "failed":
            notify(self.app, f"notification {row_id} is {row['state']}: only a failed one is retried "
                             "(the delivery worker retries pending ones itself)", severity="warning")
            return
        self._retry(row_id)

    @work(thread=True, group="outbox-retry", exit_on_error=False)
    def _retry(self, row_id: int) -> None:
        from incidentdesk.services.catalog import BY_NAME, invoke

        use_case = BY_NAME["retry_notification"]
        try:
            outcome = invoke(use_case, self.app.runtime.ctx, {"message_id": row_id})
            self.post_message(Retried(outcome.text(use_case.done, safe), True))
        except DomainError as exc:
            self.post_message(Retried(str(exc), False))

    @on(Retried)
    def _retried(self, message: Retried) -> None:
        notify(self.app, message.text, severity="information" if message.ok else "error")
        self.load()
