"""`I`: the CI browser — search the configuration items, and read one: neighbours, recent changes, incidents.

Typing in the search box narrows the list (name, service, owner or location containing the
text; at most 200 shown, by name); the CI under the cursor is shown below as in the incident
pane's CI tab (widgets/cmdb/panel.py), with the changes on it or its dependencies within
`[cmdb] recent_changes_hours`. Every read runs in a worker thread; escape goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from incidentdesk.domain.errors import DomainError
from incidentdesk.tui.format import literal
from incidentdesk.tui.widgets.cmdb.panel import render_ci

SHOWN = 200


class CIsLoaded(Message):
    def __init__(self, text: str, rows: list, error: str | None = None) -> None:
        super().__init__()
        self.text, self.rows, self.error = text, rows, error


class CIRead(Message):
    def __init__(self, name: str, view) -> None:
        super().__init__()
        self.name, self.view = name, view


class CIBrowser(Screen[None]):
    CSS_PATH = "cmdb.tcss"  # read when first opened, not at start-up

    BINDINGS = [
        Binding("escape", "close", "Back", id="cmdb.close"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="cmdb.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="ci-browser")
        self.names: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Configuration items", style="bold"), id="ci-browser-title")
            yield Input(placeholder="search name, service, owner, location", id="ci-filter")
            yield Static(Text("reading…", style="dim"), id="ci-summary")
            table = DataTable(id="ci-table", cursor_type="row", zebra_stripes=False)
            for key, label in (("name", "Name"), ("type", "Type"), ("criticality", "Criticality"),
                               ("service", "Service"), ("owner", "Owner")):
                table.add_column(label, key=key)
            yield table
            with VerticalScroll(id="ci-detail-scroll"):
                yield Static(id="ci-detail")
        yield Footer()

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            self.query_one(Input).cursor_blink = False
        self.query_one(Input).focus()
        self.load("")

    @work(thread=True, exclusive=True, group="ci-list", exit_on_error=False)
    def load(self, text: str) -> None:
        from incidentdesk.store import cmdb

        try:
            self.post_message(CIsLoaded(text, cmdb.search_cis(self.app.runtime.db, text, limit=SHOWN)))
        except DomainError as exc:
            self.post_message(CIsLoaded(text, [], str(exc)))

    @work(thread=True, exclusive=True, group="ci-read", exit_on_error=False)
    def read(self, name: str) -> None:
        from incidentdesk.store import cmdb

        runtime = self.app.runtime
        try:
            view = cmdb.ci_detail(runtime.db, name, now=runtime.ctx.now(),
                                  hours=runtime.config.schema.cmdb.recent_changes_hours)
        except DomainError as exc:
            view = f"cannot read {name}: {exc}"
        self.post_message(CIRead(name, view))

    @on(Input.Changed, "#ci-filter")
    def _filter(self, event: Input.Changed) -> None:
        self.load(event.value)

    @on(Input.Submitted, "#ci-filter")
    def _to_table(self) -> None:
        self.query_one(DataTable).focus()

    @on(CIsLoaded)
    def _show(self, msg: CIsLoaded) -> None:
        if msg.text != self.query_one(Input).value:
            return  # an older search
        table = self.query_one(DataTable)
        summary = self.query_one("#ci-summary", Static)
        if msg.error is not None:
            summary.update(literal(f"cannot read the CIs: {msg.error}"))
            return
        with self.app.batch_update():
            table.clear()
            for ci in msg.rows:
                table.add_row(literal(ci.name, "bold"), Text(ci.type), Text(ci.criticality), literal(ci.service or "—"),
                              literal(ci.owner or "—"), key=ci.name)
        self.names = [ci.name for ci in msg.rows]
        more = f" (the first {SHOWN}: search to narrow)" if len(msg.rows) >= SHOWN else ""
        summary.update(Text(f"{len(msg.rows)} CIs{more} · enter: to the list · esc: back", style="dim"))
        if self.names:
            self.read(self.names[0])
        else:
            self.query_one("#ci-detail", Static).update(Text("no CI matches" if msg.text else
                                                             "no CIs: `incidentdesk ci import FILE` adds them",
                                                             style="dim"))

    @on(DataTable.RowHighlighted, "#ci-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value:
            self.read(event.row_key.value)

    @on(CIRead)
    def _read(self, msg: CIRead) -> None:
        detail = self.query_one("#ci-detail", Static)
        detail.update(literal(msg.view) if isinstance(msg.view, str) else render_ci(msg.view))

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load(self.query_one(Input).value)


def open_browser(main) -> None:
    """The `I` key of the main screen (screens/openers.py)."""
    main.app.push_screen(CIBrowser())
