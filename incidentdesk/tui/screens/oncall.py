"""The on-call screen (O): every group's rotation — on call now, until when, who is next — and the
upcoming shifts and overrides of the highlighted one.

Read in a worker (store/oncall.py), re-read after each change made here and on ctrl+r. Its keys
open the catalog's dialogs (services/catalog/oncall.py: override, swap, remove override), built
by the same code as the main screen's (tui/actions.build_form) and run through the catalog's
`invoke`, so the checks, the words and the permissions are the CLI's. A refused save brings the
dialog back with what was typed and the error under its field. Times are in the site time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from incidentdesk.domain.errors import DomainError, ValidationError
from incidentdesk.tui.format import literal, notify

SHIFT_DAYS = 14


class OncallLoaded(Message):
    def __init__(self, rotations: list, overrides: dict[str, list], now: datetime) -> None:
        super().__init__()
        self.rotations, self.overrides, self.now = rotations, overrides, now


class OncallFailed(Message):
    def __init__(self, error: Exception, title: str = "On call") -> None:
        super().__init__()
        self.error, self.title = error, title


class OncallChanged(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class OncallRefused(Message):
    def __init__(self, name: str, values: dict, error: Exception) -> None:
        super().__init__()
        self.name, self.values, self.error = name, values, error


def _when(at: datetime, zone) -> str:
    return at.astimezone(zone).strftime("%a %d %b %H:%M")


class OncallScreen(Screen):
    DEFAULT_CSS = """
    #oncall-heading { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    #oncall-table { height: auto; max-height: 45%; }
    #oncall-shifts-title { height: 1; padding: 0 1; margin-top: 1; color: $text-muted; }
    #oncall-shifts { padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="oncall.back"),
        Binding("o", "dialog('oncall_override')", "Override", id="oncall.override",
                tooltip="someone covers a period of the highlighted rotation"),
        Binding("s", "dialog('oncall_swap')", "Swap", id="oncall.swap", tooltip="\"take my Tuesday\": swap shifts"),
        Binding("x", "dialog('oncall_remove')", "Remove override", id="oncall.remove"),
        Binding("r", "dialog('oncall_rotation')", "Rotation", id="oncall.rotation",
                tooltip="set up or change a group's rotation: handoff day and time, zone, members"),
        Binding("m", "dialog('oncall_members')", "Members", id="oncall.members",
                tooltip="the highlighted rotation's members, in order (one per line)"),
        Binding("ctrl+r", "reload", "Refresh", show=False, id="oncall.refresh"),
    ]

    def __init__(self, pickers=None) -> None:
        super().__init__(id="oncall-screen")
        self.pickers = pickers
        self.rotations: list = []
        self.overrides: dict[str, list] = {}
        self.now: datetime | None = None
        self.loads = 0  # completed reads (tests wait on it)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.app.runtime.config.time_zone)

    def compose(self) -> ComposeResult:
        yield Static("On call: loading…", id="oncall-heading")
        table = DataTable(id="oncall-table", cursor_type="row", zebra_stripes=False)
        table.add_columns("Group", "On call now", "Until", "Next", "Handoff")
        yield table
        yield Static(id="oncall-shifts-title")
        with VerticalScroll(id="oncall-body"):
            yield Static(id="oncall-shifts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.fetch()

    @work(thread=True, exclusive=True, exit_on_error=False, group="oncall")
    def fetch(self) -> None:
        from incidentdesk.store import oncall

        db, now = self.app.runtime.db, self.app.clock()
        try:
            rotations = oncall.rotations(db, since=now)
            overrides = {r.group: oncall.overrides(db, r.group, since=now) for r in rotations}
        except DomainError as exc:
            self.post_message(OncallFailed(exc))
            return
        self.post_message(OncallLoaded(rotations, overrides, now))

    @on(OncallLoaded)
    def _loaded(self, msg: OncallLoaded) -> None:
        from incidentdesk.domain.oncall import describe

        self.rotations, self.overrides, self.now = msg.rotations, msg.overrides, msg.now
        zone = self.zone
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for r in self.rotations:
            current, following = r.now_and_next(msg.now)
            who = literal(current.person or "nobody", style="bold")
            if current.covered:
                who.append(f" ({current.kind})", style="dim")
            table.add_row(literal(r.group), who, _when(current.end, zone),
                          literal(following.person if following else "—"), describe(r), key=r.group)
        heading = f"On call — {len(self.rotations)} rotation(s), times in {zone.key}"
        if not self.rotations:
            heading = (f"On call — no rotations yet: {self.app.key_for('oncall.rotation', 'r')} sets one up "
                       "(or `incidentdesk oncall rotation-set GROUP --member LOGIN ...`)")
        self.query_one("#oncall-heading", Static).update(Text(heading))
        if self.rotations:
            table.move_cursor(row=min(keep, len(self.rotations) - 1))
        self.loads += 1
        self._show_shifts()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _msg) -> None:
        self._show_shifts()

    def selected(self):
        table = self.query_one(DataTable)
        if not self.rotations or table.cursor_row is None or table.cursor_row >= len(self.rotations):
            return None
        return self.rotations[table.cursor_row]

    def _show_shifts(self) -> None:
        rotation, title = self.selected(), self.query_one("#oncall-shifts-title", Static)
        body = self.query_one("#oncall-shifts", Static)
        if rotation is None or self.now is None:
            title.update("")
            body.update("")
            return
        zone = self.zone
        title.update(Text.assemble(literal(rotation.group), f": shifts, next {SHIFT_DAYS} days · members: ",
                                   literal(", ".join(rotation.members) or "none")))
        shifts = Table.grid(padding=(0, 2))
        shifts.add_column(no_wrap=True)
        shifts.add_column(no_wrap=True, min_width=6)
        shifts.add_column(no_wrap=True, overflow="ellipsis")
        for shift in rotation.shifts(self.now, self.now + timedelta(days=SHIFT_DAYS)):
            note = Text()
            if shift.covered:
                note = Text.assemble((f"#{shift.override_id} {shift.kind}", "yellow"), " for ",
                                     literal(shift.scheduled or "nobody"))
            shifts.add_row(f"{_when(shift.start, zone)} → {_when(shift.end, zone)}",
                           literal(shift.person or "nobody", style="bold"), note)
        parts = [shifts]
        listed = self.overrides.get(rotation.group, [])
        if listed:
            parts.append(Text("\nOverrides (x removes one by its #)", style="bold"))
            table = Table.grid(padding=(0, 2))
            table.add_column(no_wrap=True)
            table.add_column(no_wrap=True, min_width=6)
            table.add_column(no_wrap=True, overflow="ellipsis")
            for o in listed:
                table.add_row(f"#{o.id} {o.kind} {_when(o.start, zone)} → {_when(o.end, zone)}",
                              literal(o.person, style="bold"),
                              Text.assemble(literal(o.reason or "no reason given"), (" by ", "dim"),
                                            literal(o.created_by)))
            parts.append(table)
        body.update(Group(*parts))

    # --- dialogs: the catalog's use cases ------------------------------------------------------
    def action_dialog(self, name: str, values: dict | None = None, errors: dict | None = None) -> None:
        from incidentdesk.services.catalog import BY_NAME
        from incidentdesk.tui.actions import Pickers, build_form
        from incidentdesk.tui.screens.form import FormScreen

        uc = BY_NAME[name]
        rotation = self.selected()
        if rotation is None and name != "oncall_rotation":  # a new rotation needs none selected
            key = self.app.key_for("oncall.rotation", "r")
            notify(self.app, f"No rotation to change: set one up with {key} (or `incidentdesk oncall rotation-set`)",
                   severity="warning")
            return
        spec = build_form(uc, None, self.pickers or Pickers(), self.app.runtime.config)
        spec.subject = f"{rotation.group} rotation" if rotation is not None else "a new rotation"
        spec.errors = dict(errors or {})
        start = {"group": rotation.group} if rotation is not None else {}
        if rotation is not None and name in ("oncall_members", "oncall_rotation"):
            start["members"] = "\n".join(rotation.members)  # one per line, in rotation order
        start.update(values or {})

        def done(result: dict | None) -> None:
            if result is not None:
                self.run_use_case(name, result)

        self.app.push_screen(FormScreen(spec, start), done)

    @work(thread=True, exclusive=False, exit_on_error=False, group="oncall-action")
    def run_use_case(self, name: str, values: dict) -> None:
        from incidentdesk.services.catalog import BY_NAME
        from incidentdesk.services.catalog.spec import invoke
        from incidentdesk.tui.actions import raw_values

        uc = BY_NAME[name]
        try:
            outcome = invoke(uc, self.app.runtime.ctx, raw_values(uc, values), origin="console")
        except Exception as exc:  # a DomainError, or a bug: reported, the console stays alive
            self.post_message(OncallRefused(name, values, exc))
            return
        self.post_message(OncallChanged(outcome.text(uc.done)))

    @on(OncallChanged)
    def _changed(self, msg: OncallChanged) -> None:
        notify(self.app, msg.text)
        self.fetch()

    @on(OncallRefused)
    def _refused(self, msg: OncallRefused) -> None:
        exc = msg.error
        if isinstance(exc, ValidationError):
            notify(self.app, str(exc), title="Not saved", severity="warning")
            self.action_dialog(msg.name, msg.values, {exc.field or "general": str(exc)})
            return
        text = str(exc) if isinstance(exc, DomainError) else f"unexpected error ({type(exc).__name__}): {exc}"
        notify(self.app, text, title="Not saved", severity="error", timeout=8)

    @on(OncallFailed)
    def _failed(self, msg: OncallFailed) -> None:
        notify(self.app, str(msg.error), title=msg.title, severity="error")


def open_oncall(main) -> None:
    """The `O` key of the main screen (screens/openers.py): push the on-call screen."""
    main.app.push_screen(OncallScreen(getattr(getattr(main, "runner", None), "pickers", None)))
