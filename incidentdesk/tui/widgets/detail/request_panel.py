"""The incident pane's "Request" tab: a service request's type, approval, intake fields and checklist.

Shown for requests only (an incident says so in one dim line, with no read). The request part
is read in this panel's own thread worker (store/requests.request_view), latest selection
wins; every value people typed is rendered literally. The keys that act on it (Q new request,
l tick a step, A approve or reject, F fulfil) are the main screen's (tui/screens/openers.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group as RichGroup
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static

from incidentdesk.domain.text import one_line
from incidentdesk.tui.format import literal, palette, short_time

KEYS_HINT = "l tick a step · A approve / reject · F fulfil · Q new request"
APPROVAL_STYLE = {"pending": "bold", "approved": "green", "rejected": "red", "not_required": "dim"}


class RequestRead(Message):
    def __init__(self, key: str, view, error: str | None = None) -> None:
        super().__init__()
        self.key, self.view, self.error = key, view, error


def render_request(view) -> RichGroup:
    """The tab's contents for one RequestView (store/requests.py)."""
    approval = view.approval.replace("_", " ")
    head = Text.assemble(literal(view.key, "bold"), "  ", literal(view.type_label, "bold"),
                         Text(f"  ({view.type})", style="dim"))
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold", no_wrap=True, width=16)
    grid.add_column(ratio=1)
    state = Text()
    state.append(approval, style=APPROVAL_STYLE.get(view.approval, "") or "")
    if view.approval != "not_required":
        state.append(" · approver: ", style="dim")
        state.append(one_line(view.approver))
    if view.decided_by:
        state.append(" · by ", style="dim")
        state.append(one_line(view.decided_by))
        state.append(f" {short_time(view.decided_at)}", style="dim")
    grid.add_row("Approval", state)
    if view.decision_note:
        grid.add_row("", literal(view.decision_note, single_line=False))
    if view.sla_target:
        grid.add_row("Own SLA", Text(f"response / resolution {view.sla_target}"))
    for _, label, value in view.values:
        grid.add_row(literal(label), literal(value, single_line=False))
    steps = Table.grid(padding=(0, 1), expand=True)
    steps.add_column(ratio=1)
    steps.add_column(no_wrap=True)
    for st in view.steps:
        done = st.done_at is not None
        mark = Text("[X] " if done else "[ ] ", style=(palette().met or "bold") if done else "bold")
        who = Text.assemble(literal(st.done_by or "", "dim"), Text(f" {short_time(st.done_at)}", style="dim")) \
            if done else Text("")
        steps.add_row(Text.assemble(mark, f"{st.number}. ", literal(st.title, single_line=False)), who)
    heading = Text(f"Checklist {view.steps_done}/{len(view.steps)} done", style="bold underline")
    return RichGroup(head, grid, Text(""), heading, steps, Text(""), Text(KEYS_HINT, style="dim"))


class RequestPanel(Static):
    """The Request tab (tabs.py EXTRA_TABS); `view` is the last request read, for the keys' dialogs."""

    def __init__(self, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self._clock = clock
        self.key: str | None = None
        self.view = None

    def show(self, detail) -> None:
        if detail is None:
            self.key, self.view = None, None
            self.update(Text("No incident selected.", style="dim"))
            return
        if getattr(detail, "type", None) != "request":
            self.key, self.view = detail.key, None
            self.update(Text(f"{detail.key} is an incident, not a service request (Q raises one).", style="dim"))
            return
        if detail.key != self.key:
            self.view = None
            self.update(Text("Loading the request…", style="dim"))
        self.key = detail.key
        self.load(detail.key)

    @work(thread=True, exclusive=True, exit_on_error=False, group="request-panel")
    def load(self, key: str) -> None:
        from incidentdesk.domain.errors import DomainError
        from incidentdesk.store.requests import request_view

        try:
            view = request_view(self.app.runtime.db, key)
        except DomainError as exc:
            self.post_message(RequestRead(key, None, str(exc)))
            return
        self.post_message(RequestRead(key, view))

    @on(RequestRead)
    def _read(self, msg: RequestRead) -> None:
        if msg.key != self.key:
            return   # an older selection's answer
        self.view = msg.view
        if msg.error:
            self.update(literal(msg.error, "red"))
        elif msg.view is None:
            self.update(Text(f"{msg.key} is a service request logged without a request type: "
                             "no fields, checklist or approval.", style="dim"))
        else:
            self.update(render_request(msg.view))
