"""What every dialog shares: saving sees every key typed before it, and Esc never silently drops typing.

Why saving waits: ctrl+s is a priority binding, so the App runs it the moment it reads the key
from the terminal, while the keys typed just before it (a burst over a laggy SSH link, or a
paste) may still wait in the focused field's own message queue. Reading `.value` / `.text`
then saves the text cut off mid-sentence, or refuses it as empty with the text on screen.
So a save first sends a marker through the queue of every field (and then the dialog's own)
and reads the values only when the last marker arrives: by then every key and paste that
reached a field before ctrl+s has been applied. Focus is parked on the save button meanwhile,
so keys typed after ctrl+s do not slip into the text being saved.

The same holds for Esc, which asks before discarding a dialog with typed content (ConfirmDiscard).
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Label


# The dialogs' rules (dialog.tcss), read by Textual when the first dialog is pushed, not at start-up:
# the console's first screen parses and matches only incidentdesk.tcss.
DIALOG_CSS = "dialog.tcss"


class TickBox(Checkbox):
    """A checkbox that reads `[X]` ticked and `[ ]` unticked: distinct without colour (NO_COLOR)."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("X" if self.value else " ", style), "]")


class Dialog(ModalScreen[dict | None]):
    """A modal dialog whose save and cancel wait for the typed input (see the module docstring).

    Subclasses bind ctrl+s to `request_save` and escape to `request_cancel`, and implement
    `collect()` (the result, or None when refused) and `is_dirty()` (is there typing to lose?).
    Their buttons mean the same as those keys: #submit saves and #cancel cancels (handled here,
    once); a dialog whose #submit does something else stops the message in its own handler.
    """

    CSS_PATH = DIALOG_CSS

    SAVE_BUTTON = "#submit"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.saving = False

    # -- for subclasses ---------------------------------------------------------------------
    def collect(self) -> dict | None:
        raise NotImplementedError

    def is_dirty(self) -> bool:
        return False

    def refocus_after_refusal(self) -> None:
        """Where focus goes when collect() refused (default: back where it was)."""

    # -- the barrier ------------------------------------------------------------------------
    def after_typed_input(self, callback: Callable[[], None]) -> None:
        """Run `callback` once every field has handled every key and paste that reached it before now.

        A marker (a callback message) goes through each focusable widget's queue in turn, then
        through the dialog's own queue (keys go there when nothing is focused).
        """
        pumps: list[Widget] = [w for w in self.query("*") if w.can_focus]
        pumps.append(self)

        def step(index: int) -> None:
            while index < len(pumps):
                pump = pumps[index]
                index += 1
                if pump.call_later(step, index):  # False when that widget is closing: nothing waits there
                    return
            callback()

        step(0)

    def request_save(self) -> None:
        if self.saving:
            return  # a second ctrl+s (or Enter on the parked save button) while the first is under way
        self.saving = True
        previous = self.focused
        buttons = self.query(self.SAVE_BUTTON)
        self.set_focus(buttons.first() if buttons else None, scroll_visible=False)

        def save() -> None:
            result = self.collect()
            if result is None:
                self.saving = False
                self.set_focus(previous, scroll_visible=False)
                self.refocus_after_refusal()
                return
            self.dismiss(result)

        self.after_typed_input(save)

    def request_cancel(self) -> None:
        if self.saving:
            return

        def cancel() -> None:
            if not self.is_dirty():
                self.dismiss(None)
                return
            previous = self.focused

            def answered(discard: bool | None) -> None:
                if discard:
                    self.dismiss(None)
                else:
                    self.set_focus(previous)

            self.app.push_screen(ConfirmDiscard(self.dialog_title()), answered)

        self.after_typed_input(cancel)

    def dialog_title(self) -> str:
        return "this dialog"

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self) -> None:
        self.request_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.request_cancel()


class ConfirmDiscard(ModalScreen[bool]):
    """Esc on a dialog with typed content: discard it, or keep editing (the default, and Esc again)."""

    CSS_PATH = DIALOG_CSS

    BINDINGS = [
        Binding("escape", "keep", "Keep editing", id="discard.keep"),
        Binding("n", "keep", "Keep editing", show=False, id="discard.keep_n"),
        Binding("d", "discard", "Discard", id="discard.confirm"),
        Binding("y", "discard", "Discard", show=False, id="discard.confirm_y"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__(classes="form-screen")
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="confirm"):
            yield Label(Text("Discard what you typed?", style="bold"), id="dialog-title")
            yield Label(Text(f"{self.what}: nothing has been saved yet."), id="dialog-subject")
            with Horizontal(id="buttons"):
                yield Button("Discard (d)", id="discard", variant="error")
                yield Button("Keep editing (esc)", id="keep", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#discard")
    def action_discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)
