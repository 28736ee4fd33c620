"""The filter dialog (`/`): free text, scope, status, priority, type, sort, closed too, waiting for a vendor.

Unlike the action dialogs, Enter in the text field applies the filter (as `/` does in less or
k9s) and Esc closes without asking: a filter writes nothing and is set again in a keystroke.
Applying waits for every key typed before it, like every dialog (screens/dialog.py); the fields
scroll and the buttons stay in view at 80x24.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from incidentdesk.domain.enums import Status
from incidentdesk.domain.queue_view import CLEARED, DEFAULT_SORT, SCOPES, SORTS, QueueView
from incidentdesk.tui.screens.dialog import Dialog, TickBox


class FilterScreen(Dialog):
    SAVE_BUTTON = "#apply"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("ctrl+s", "apply", "Apply", id="filter.apply", priority=True),
    ]

    def __init__(self, view: QueueView) -> None:
        """Dismissed with the QueueView chosen, or None (cancelled)."""
        super().__init__(classes="form-screen")
        self.initial = view

    def compose(self) -> ComposeResult:
        v = self.initial
        with Vertical(id="dialog"):
            with Vertical(id="dialog-head"):
                yield Label("Filter the queue", id="dialog-title")
            with Vertical(id="dialog-foot"), Horizontal(id="buttons"):
                yield Button("Apply (enter)", id="apply", variant="primary")
                yield Button("Clear", id="clear")
                yield Button("Cancel (esc)", id="cancel")
            with VerticalScroll(id="fields"):
                yield Label("Text (title or key)", classes="field-label")
                yield Input(v.text, id="filter-text", placeholder="e.g. vpn or INC-000123")
                yield Label("Show", classes="field-label")
                yield Select([(s, s) for s in SCOPES], value=v.scope, allow_blank=False, id="filter-scope")
                yield Label("Status", classes="field-label")
                yield Select([(s.label, s.value) for s in Status], value=v.status or Select.NULL, prompt="any",
                             id="filter-status")
                yield Label("Priority", classes="field-label")
                yield Select([(f"P{p}", p) for p in (1, 2, 3, 4)], value=v.priority or Select.NULL,
                             prompt="any", id="filter-priority")
                yield Label("Type", classes="field-label")
                yield Select([("incidents", "incident"), ("service requests", "request")],
                             value=v.type or Select.NULL, prompt="any", id="filter-type")
                yield Label("Sort", classes="field-label")
                yield Select([(s, s) for s in SORTS], value=v.sort, allow_blank=False, id="filter-sort")
                yield TickBox("Include resolved, closed and cancelled", v.include_closed, id="filter-closed")
                yield TickBox("Only incidents waiting for a vendor (on hold)", v.waiting_vendor, id="filter-vendor")

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.query_one(Input).cursor_blink = False
        self.query_one("#filter-text", Input).focus()

    def _value(self, wid: str):
        value = self.query_one(wid, Select).value
        return None if value is Select.NULL else value

    def collect(self) -> QueueView:
        return QueueView(
            text=self.query_one("#filter-text", Input).value.strip(), scope=self._value("#filter-scope") or "all",
            status=self._value("#filter-status"), priority=self._value("#filter-priority"),
            type=self._value("#filter-type"),
            sort=self._value("#filter-sort") or DEFAULT_SORT,
            include_closed=self.query_one("#filter-closed", TickBox).value,
            waiting_vendor=self.query_one("#filter-vendor", TickBox).value,
        )

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        self.request_save()

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(CLEARED)

    def action_cancel(self) -> None:  # Esc; the Cancel button is the Dialog's
        self.request_cancel()
