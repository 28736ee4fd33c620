"""The shift handover screen (H): the draft's sections, the note, publish, acknowledge, previous handovers.

The draft is what `incidentdesk handover` prints (domain/handover.py says what each section holds),
read in a worker thread. The note is a TextArea; ctrl+s publishes the draft with it (the services
snapshot the queue in their own transaction, so what is stored is what the queue was then), ctrl+g
acknowledges the latest handover (someone else's: the incoming captain acknowledges), ctrl+r
reloads, enter on a previous handover reads it back as it was handed over, Esc closes (asking first
when a note is typed and not published).

Publishing waits for every key typed before ctrl+s (screens/dialog.py): the note is read only then,
so a note typed and saved in one burst is saved whole. A refusal (role, publisher acknowledging)
is one line under the note and a notification; the note is kept. The latest handover's state is
the first line: unacknowledged past `[handover] ack_within_minutes` it is flagged. Every value from
incidents and people is shown literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.handover import SECTIONS, Content, Handover, ack_overdue, list_line, render_markdown, state_words
from incidentdesk.tui.format import literal, notify, palette, short_time
from incidentdesk.tui.screens.dialog import Dialog

PREVIOUS = 20


@dataclass
class HandoverLoaded(Message):
    content: Content
    previous: list[Handover]


@dataclass
class HandoverDone(Message):
    text: str
    published: bool


@dataclass
class HandoverFailed(Message):
    error: Exception
    doing: str


def ack_within(app) -> timedelta:
    return app.runtime.config.schema.handover.ack_within


def state_text(latest: Handover | None, now, within: timedelta) -> Text:
    """The screen's first line: the latest handover and whether it was acknowledged (flagged if late)."""
    if latest is None:
        return Text("No handover published yet: write a note, then ctrl+s publishes this draft.", style="dim")
    words = state_words(latest, now, within)
    style = palette().breached if ack_overdue(latest, now, within) else ("" if latest.acknowledged else "bold")
    return Text.assemble(f"Handover {latest.id} by ", literal(latest.published_by),
                         f", {short_time(latest.published_at)}: ", (words, style))


def section_table(title: str, when: str, empty: str, items, now, *, capped: bool = False, majors: bool = False):
    head = Text.assemble((title, "bold underline"), f" ({'first ' if capped else ''}{len(items)})")
    if not items:
        return Group(head, Text("  " + empty, style="dim"), Text(""))
    table = Table(box=None, expand=True, pad_edge=False, show_edge=False, header_style="dim")
    table.add_column("Key", no_wrap=True)
    table.add_column("P", no_wrap=True)
    table.add_column("Title", ratio=1, no_wrap=True, overflow="ellipsis")
    table.add_column(when.capitalize(), no_wrap=True)
    table.add_column("Detail", ratio=1, no_wrap=True, overflow="ellipsis")
    for i in items:
        late = majors and i.at is not None and i.at < now
        at = Text(short_time(i.at) + (" overdue" if late else ""), style=palette().breached if late else "")
        table.add_row(literal(i.key), Text(f"P{i.priority}", style=palette().priority.get(i.priority, "")),
                      literal(i.title), at, literal(i.detail))
    return Group(head, table, Text(""))


def draft_renderable(content: Content):
    parts = [section_table(s.title, s.when, s.empty, content.items(s.name), content.generated_at,
                           capped=s.name in content.capped, majors=s.name == "majors") for s in SECTIONS]
    return Group(*parts)


class HandoverScreen(Dialog):
    CSS_PATH = ["dialog.tcss", "handover.tcss"]  # read when first opened, not at start-up

    SAVE_BUTTON = "#submit"
    BINDINGS = [
        Binding("escape", "close", "Close", id="handover.close"),
        Binding("ctrl+s", "publish", "Publish", id="handover.publish", priority=True),
        Binding("ctrl+g", "acknowledge", "Acknowledge", id="handover.ack", priority=True),
        Binding("ctrl+r", "reload", "Reload", id="handover.reload"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="form-screen", id="handover-screen")
        self.content: Content | None = None
        self.previous: list[Handover] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="handover"):
            with Vertical(id="dialog-head"):
                yield Label(Text("Shift handover", style="bold"), id="dialog-title")
                yield Static(Text("Loading the draft…", style="dim"), id="handover-state")
            with Vertical(id="dialog-foot"):
                error = Static(id="error-general", classes="field-error")
                error.display = False
                yield error
                with Horizontal(id="buttons"):
                    yield Label(Text("^r reload", style="dim"), id="dialog-keys")
                    yield Button("Publish ^s", id="submit", variant="primary")
                    yield Button("Ack ^g", id="ack")
                    yield Button("Close", id="cancel")
            with VerticalScroll(id="fields"):
                yield Label(Text("Note for the incoming captain", style="bold"), classes="field-label")
                yield TextArea(id="handover-note", classes="field-area", soft_wrap=True, show_line_numbers=False)
                yield Static(id="handover-draft")
                yield Label(Text("Previous handovers (enter: read it back)", style="bold"), classes="field-label")
                yield OptionList(id="handover-previous")

    def on_mount(self) -> None:
        note = self.query_one("#handover-note", TextArea)
        if not getattr(self.app, "cursor_blink", True):
            note.cursor_blink = False
        note.focus()
        self.load()

    # --- loading -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="handover-load")
    def load(self) -> None:
        from incidentdesk.store.handover import draft, list_handovers

        try:
            db = self.app.runtime.db
            content, _latest = draft(db, self.app.clock())
            previous = list_handovers(db, PREVIOUS)
        except DomainError as exc:
            self.post_message(HandoverFailed(exc, "load"))
            return
        self.post_message(HandoverLoaded(content, previous))

    @on(HandoverLoaded)
    def _loaded(self, msg: HandoverLoaded) -> None:
        self.content, self.previous = msg.content, msg.previous
        self.show_state()
        self.query_one("#handover-draft", Static).update(draft_renderable(msg.content))
        options = self.query_one("#handover-previous", OptionList)
        options.clear_options()
        now, within = self.app.clock(), ack_within(self.app)
        options.add_options([Option(literal(list_line(h, now, within)), id=str(h.id)) for h in msg.previous]
                            or [Option(Text("none yet", style="dim"), disabled=True)])
        if msg.previous:
            options.highlighted = 0

    def show_state(self) -> None:
        latest = self.previous[0] if self.previous else None
        self.query_one("#handover-state", Static).update(state_text(latest, self.app.clock(), ack_within(self.app)))

    @property
    def flagged(self) -> bool:
        """The latest handover is unacknowledged past ack_within_minutes (what the state line shows in red)."""
        return bool(self.previous) and ack_overdue(self.previous[0], self.app.clock(), ack_within(self.app))

    # --- the note ------------------------------------------------------------------------------
    def note(self) -> str:
        return self.query_one("#handover-note", TextArea).text

    def is_dirty(self) -> bool:
        return bool(self.note().strip())

    def dialog_title(self) -> str:
        return "The handover note"

    def collect(self) -> dict | None:
        return {"note": self.note()}

    # --- publish / acknowledge -----------------------------------------------------------------
    def action_publish(self) -> None:
        """Wait for every key typed before ctrl+s, then publish in a worker; the screen stays open."""
        if self.saving:
            return
        self.saving = True
        self._before = self.focused
        self.set_focus(self.query_one("#submit"), scroll_visible=False)
        self.after_typed_input(lambda: self._run("publish", self.note()))

    def action_acknowledge(self) -> None:
        if self.saving:
            return
        self.saving = True
        self._before = self.focused
        self._run("acknowledge", None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="handover-save")
    def _run(self, doing: str, note: str | None) -> None:
        from incidentdesk.services import handover

        try:
            if doing == "publish":
                number = handover.publish(self.app.runtime.ctx, note=note)
                self.post_message(HandoverDone(f"handover {number} published", True))
            else:
                number = handover.acknowledge(self.app.runtime.ctx)
                self.post_message(HandoverDone(f"handover {number} acknowledged", False))
        except Exception as exc:  # a domain refusal, or a bug: reported; the note is kept
            self.post_message(HandoverFailed(exc, doing))

    @on(HandoverDone)
    def _done(self, msg: HandoverDone) -> None:
        self.saving = False
        notify(self.app, msg.text)
        self.show_error("")
        if msg.published:
            self.query_one("#handover-note", TextArea).text = ""
        self.query_one("#handover-note", TextArea).focus()
        self.load()

    @on(HandoverFailed)
    def _failed(self, msg: HandoverFailed) -> None:
        self.saving = False
        exc = msg.error
        text = str(exc) if isinstance(exc, DomainError) else f"unexpected error ({type(exc).__name__}): {exc}"
        titles = {"publish": "Not published", "acknowledge": "Not acknowledged", "load": "Handover not loaded"}
        notify(self.app, text, title=titles[msg.doing], severity="warning", timeout=8)
        self.show_error(text)
        previous = getattr(self, "_before", None)
        if previous is not None:
            self.set_focus(previous, scroll_visible=False)

    def show_error(self, text: str) -> None:
        general = self.query_one("#error-general", Static)
        general.update(literal(text, single_line=False))
        general.display = bool(text)

    # --- reading back ----------------------------------------------------------------------------
    @on(OptionList.OptionSelected, "#handover-previous")
    def _read_back(self, event: OptionList.OptionSelected) -> None:
        chosen = next((h for h in self.previous if str(h.id) == event.option_id), None)
        if chosen is not None:
            self.app.push_screen(HandoverView(chosen))

    # --- keys ------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.request_cancel()

    def action_reload(self) -> None:
        if not self.saving:
            self.load()

    @on(Button.Pressed, "#submit")
    def _publish_pressed(self, event: Button.Pressed) -> None:
        event.prevent_default()  # Publish keeps the screen open: not the Dialog's save-and-close
        self.action_publish()

    @on(Button.Pressed, "#ack")
    def _ack_pressed(self) -> None:
        self.action_acknowledge()


class HandoverView(ModalScreen[None]):
    """A published handover read back, as `incidentdesk handover show ID` prints it."""

    CSS_PATH = ["dialog.tcss", "handover.tcss"]  # read when first opened, not at start-up

    BINDINGS = [Binding("escape", "dismiss_view", "Close", id="handover.view_close"),
                Binding("q", "dismiss_view", "Close", show=False, id="handover.view_close_q")]

    def __init__(self, handover: Handover) -> None:
        super().__init__(classes="form-screen", id="handover-view")
        self.handover = handover

    def compose(self) -> ComposeResult:
        h = self.handover
        with Vertical(id="dialog", classes="handover"):
            yield Label(Text(f"Handover {h.id}", style="bold"), id="dialog-title")
            with VerticalScroll(id="fields"):
                yield Static(literal(render_markdown(h.content, h.note, h, now=self.app.clock(),
                                                     ack_within=ack_within(self.app)), single_line=False),
                             id="handover-text")
            yield Label(Text("esc: close", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#fields", VerticalScroll).focus()

    def action_dismiss_view(self) -> None:
        self.dismiss(None)


def open_handover(main) -> None:
    """The handover screen over the main screen (it needs no selected incident)."""
    from incidentdesk.tui.widgets.chrome.handover_flag import recheck

    main.app.push_screen(HandoverScreen(), lambda _: recheck(main))
