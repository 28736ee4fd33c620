"""A dialog of fields for one action (acknowledge, escalate, resolve...), built from a spec.

Validation messages appear under the field they are about; the dialog returns the typed
values and the caller runs the service. When the service refuses (a conflict, a server-side
validation error) the caller reopens this dialog with the same values, so nothing typed is lost.

Keys (see screens/dialog.py for why saving waits for typed input):
- ctrl+s saves, from any field; Esc cancels, asking first when anything was typed or changed.
- Enter in a single-line field moves to the next field: it never submits a form of several
  fields (it would log an incident with the defaults left unseen below). Only a dialog whose one
  field is that line (acknowledge, hold, resume) saves on Enter: all of it is on screen.
- The fields scroll; the title, the live preview and the Save / Cancel buttons stay in view.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from incidentdesk.tui.format import literal
from incidentdesk.tui.formspec import FormField, FormSpec  # noqa: F401  (also imported from here)
from incidentdesk.tui.screens.dialog import Dialog, TickBox


class FormScreen(Dialog):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # priority: no field may swallow it; Dialog.request_save waits for the keys typed before it
        Binding("ctrl+s", "submit", "Save", id="form.submit", priority=True),
    ]

    def __init__(self, spec: FormSpec, values: dict | None = None) -> None:
        super().__init__(classes="form-screen")
        self.spec = spec
        self.initial = dict(values or {})

    def compose(self) -> ComposeResult:
        spec = self.spec
        with Vertical(id="dialog"):
            with Vertical(id="dialog-head"):
                yield Label(Text(spec.title, style="bold"), id="dialog-title")
                if spec.subject:
                    yield Label(literal(spec.subject), id="dialog-subject")
                notice = Static(literal(spec.notice, single_line=False), id="dialog-notice")
                notice.display = bool(spec.notice)
                yield notice
            with Vertical(id="dialog-foot"):
                if spec.preview is not None:
                    yield Static(id="preview")
                general = Static(id="error-general", classes="field-error")
                general.display = False
                yield general
                with Horizontal(id="buttons"):
                    hint = "enter: save" if self.enter_saves else "enter: next field · tab: move"
                    yield Label(Text(hint, style="dim"), id="dialog-keys")
                    yield Button(f"{spec.submit_label} (ctrl+s)", id="submit", variant="primary")
                    yield Button("Cancel (esc)", id="cancel")
            with VerticalScroll(id="fields"):
                for f in spec.fields:
                    yield from self._field(f)

    @property
    def enter_saves(self) -> bool:
        """Enter saves only a dialog whose one field is a single line (all of it is in view)."""
        return len(self.spec.fields) == 1 and self.spec.fields[0].kind in ("text", "int")

    @staticmethod
    def _start_value(f: FormField, value: object) -> object:
        """What the field's widget starts with, as values() would read it back."""
        if f.kind == "area":
            return str(value or "")
        if f.kind == "select":
            known = [val for _, val in f.options]
            if value in known:
                return value
            return known[0] if f.required and known else None
        if f.kind == "check":
            return bool(value)
        return str(value) if value not in (None, "") else ""

    def _field(self, f: FormField) -> ComposeResult:
        value = self._start_value(f, self.initial.get(f.name, f.value))
        label = f.label + (" *" if f.required else "")
        if f.kind != "check":
            yield Label(label, classes="field-label")
        wid = f"f-{f.name}"
        if f.kind == "area":
            yield TextArea(value, id=wid, classes="field-area", soft_wrap=True, show_line_numbers=False)
        elif f.kind == "select":
            yield Select(list(f.options), id=wid, allow_blank=not f.required,
                         value=Select.NULL if value is None else value, prompt=f.placeholder or "—")
        elif f.kind == "check":
            yield TickBox(f.label, value, id=wid)
        elif f.kind == "pick":
            from incidentdesk.tui.widgets.fuzzy import FuzzyPicker

            yield FuzzyPicker([val for _, val in f.options], value, id=wid, placeholder=f.placeholder)
        else:
            yield Input(value, id=wid, placeholder=f.placeholder, type="integer" if f.kind == "int" else "text")
        if f.help:
            yield Label(Text(f.help, style="dim"), classes="field-help")
        error = Static(id=f"e-{f.name}", classes="field-error")
        error.display = False
        yield error

    def on_mount(self) -> None:
        if not getattr(self.app, "cursor_blink", True):
            for widget in self.query(Input):
                widget.cursor_blink = False
            for widget in self.query(TextArea):
                widget.cursor_blink = False
        self.show_errors(self.spec.errors)
        self._update_preview()
        first = self._first_to_fill()
        if first is not None:
            first.focus()

    def _first_to_fill(self):
        """Where typing starts: the first field refused, else the first required field still empty.

        A fast typist presses `r`, types the notes and ctrl+s in one burst: the keys must land in
        the field the dialog cannot do without (Resolve's notes), not in a pre-chosen Select above it.
        """
        invalid = [f for f in self.spec.fields if f.name in self.spec.errors]
        if invalid:
            return self.query_one(f"#f-{invalid[0].name}")
        for f in self.spec.fields:
            if f.required and f.value in (None, "", ()) and f.kind != "check":
                return self.query_one(f"#f-{f.name}")
        return next(iter(self.query("#fields Input, #fields TextArea, #fields Select, #fields Checkbox")), None)

    def values(self) -> dict:
        out: dict = {}
        for f in self.spec.fields:
            widget = self.query_one(f"#f-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text
            elif isinstance(widget, Select):
                out[f.name] = None if widget.value is Select.NULL else widget.value
            else:  # Input, TickBox
                out[f.name] = widget.value
        return out

    def is_dirty(self) -> bool:
        """Anything typed or changed from what the dialog offers by itself (a reopened dialog's
        prefilled text counts: it is what the user typed before the save was refused)."""
        values = self.values()
        return any(values[f.name] != self._start_value(f, f.value) for f in self.spec.fields)

    def dialog_title(self) -> str:
        return self.spec.title

    def check(self, values: dict) -> dict[str, str]:
        """Client-side checks only for what the form itself knows (required, number range)."""
        errors = {}
        for f in self.spec.fields:
            value = values.get(f.name)
            if f.required and (value is None or (isinstance(value, str) and not value.strip())):
                errors[f.name] = f"{f.label} is required"
            elif f.kind == "int" and isinstance(value, str) and value.strip():
                try:
                    number = int(value)
                except ValueError:
                    errors[f.name] = f"{f.label} must be a whole number"
                    continue
                if (f.lo is not None and number < f.lo) or (f.hi is not None and number > f.hi):
                    errors[f.name] = f"{f.label} must be {f.lo} to {f.hi}"
        return errors

    def show_errors(self, errors: dict[str, str]) -> None:
        names = {f.name for f in self.spec.fields}
        general = [msg for name, msg in errors.items() if name not in names]
        for f in self.spec.fields:
            widget = self.query_one(f"#e-{f.name}", Static)
            message = errors.get(f.name)
            widget.update(literal(message or "", single_line=False))
            widget.display = bool(message)
            self.query_one(f"#f-{f.name}").set_class(bool(message), "-invalid-field")
        box = self.query_one("#error-general", Static)
        box.update(literal("\n".join(general), single_line=False))
        box.display = bool(general)

    def _update_preview(self) -> None:
        if self.spec.preview is None:
            return
        try:
            text = self.spec.preview(self.values())
        except Exception:  # a half-filled form may not preview; never crash the dialog
            text = None
        self.query_one("#preview", Static).update(text or "")

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._update_preview()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.enter_saves:
            self.request_save()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        self.request_save()

    def action_cancel(self) -> None:
        self.request_cancel()

    def collect(self) -> dict | None:
        values = self.values()
        errors = self.check(values)
        self.show_errors(errors)
        return None if errors else values

    def refocus_after_refusal(self) -> None:
        invalid = [f for f in self.spec.fields if f.name in self.check(self.values())]
        if invalid:
            self.query_one(f"#f-{invalid[0].name}").focus()
            # the message sits below the field (and its help): bring it into view too
            self.call_after_refresh(self.query_one(f"#e-{invalid[0].name}").scroll_visible, animate=False)
