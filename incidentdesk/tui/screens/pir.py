"""The post-incident review screen (P on an incident): every section of the review, keyboard-first.

Sections as `incidentdesk pir KEY` writes them: summary; impact (duration, users, services);
the timeline built from the incident's events and stakeholder updates, each event a tick box
(space marks it a highlight) with a note; what slowed the response; what information was
missing; contributing causes (one per line); follow-ups (tick = done) and a new one with its
owner and due date. Tab / shift+tab move, ctrl+s saves everything in one service call, ctrl+r
reloads, Esc closes (asking first when something typed is unsaved).

Saving waits for every key typed before ctrl+s (screens/dialog.py): the values are read only
then. The save runs in a worker thread against the review's version as loaded; when someone
else saved first it is refused ("changed by X ... reload") and every field keeps what was
typed, so nothing is lost. All text from the incident and the review is shown literally.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from incidentdesk.domain.errors import DomainError, EditConflict, ValidationError
from incidentdesk.domain.pir import kind_words
from incidentdesk.domain.pir_review import Review
from incidentdesk.tui.format import literal, notify, short_time
from incidentdesk.tui.screens.dialog import Dialog, TickBox

AREAS = {"summary": "Summary", "slowed": "What slowed the response", "missing": "What information was missing",
         "causes": "Contributing causes (one per line)"}
# A field the service names -> the widget that sets it (errors go under it).
FIELD_WIDGETS = {"summary": "#pir-summary", "duration": "#pir-duration", "users": "#pir-users",
                 "services": "#pir-services", "slowed": "#pir-slowed", "missing": "#pir-missing",
                 "causes": "#pir-causes", "action": "#new-action", "owner": "#new-owner", "due": "#new-due"}


@dataclass
class ReviewLoaded(Message):
    review: Review


@dataclass
class ReviewSaved(Message):
    version: int


@dataclass
class ReviewFailed(Message):
    error: Exception
    saving: bool


def _plain(text: str) -> Content:
    """Untrusted text for a widget label: never markup."""
    return Content(text)


class PirScreen(Dialog):
    CSS_PATH = ["dialog.tcss", "pir.tcss"]  # read when first opened, not at start-up

    SAVE_BUTTON = "#submit"
    BINDINGS = [
        Binding("escape", "close", "Close", id="pir.close"),
        Binding("ctrl+s", "save", "Save", id="pir.save", priority=True),
        Binding("ctrl+r", "reload", "Reload", id="pir.reload"),
    ]

    def __init__(self, key: str, title: str, owners: list[tuple[Text, str]]) -> None:
        super().__init__(classes="form-screen")
        self.key, self.title_text, self.owners = key, title, owners
        self.review: Review | None = None
        self._loaded_values: dict | None = None

    # --- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="pir"):
            with Vertical(id="dialog-head"):
                yield Label(Text("Post-incident review", style="bold"), id="dialog-title")
                yield Label(literal(f"{self.key}  {self.title_text}"), id="dialog-subject")
                yield Static(Text("Loading the review…", style="dim"), id="pir-state")
            with Vertical(id="dialog-foot"):
                error = Static(id="error-general", classes="field-error")
                error.display = False
                yield error
                with Horizontal(id="buttons"):
                    yield Label(Text("tab: next · space: mark · ctrl+r: reload", style="dim"), id="dialog-keys")
                    yield Button("Save (ctrl+s)", id="submit", variant="primary")
                    yield Button("Close (esc)", id="cancel")
            yield VerticalScroll(id="fields")

    def on_mount(self) -> None:
        self.load()

    def _sections(self, r: Review) -> list:
        widgets: list = []

        def label(text: str) -> None:
            widgets.append(Label(Text(text, style="bold"), classes="field-label"))

        def area(name: str, value: str) -> None:
            label(AREAS[name])
            widgets.append(TextArea(value, id=f"pir-{name}", classes="field-area", soft_wrap=True,
                                    show_line_numbers=False))
            widgets.append(self._error(name))

        def line(name: str, text: str, value: str, placeholder: str = "") -> None:
            widgets.append(Label(text, classes="field-label"))
            widgets.append(Input(value, id=f"pir-{name}", placeholder=placeholder))
            widgets.append(self._error(name))

        area("summary", r.summary)
        label("Impact")
        measured = r.duration if not r.impact_duration else ""
        line("duration", "Duration", r.impact_duration,
             f"{measured} (from the incident's times)" if measured else "e.g. 2h 15m")
        line("users", "Users impacted", r.impact_users, "who and how many")
        line("services", "Services impacted", r.impact_services, r.affected_service or "")
        label("Timeline (space: highlight; the note is kept with it)")
        for e in r.timeline:
            what = f"{short_time(e.at)}  {e.actor}  {kind_words(e.kind)}: {e.text}"
            widgets.append(TickBox(_plain(what), e.highlight, id=f"hl-{e.seq}",
                                   classes="pir-event" + (" -update" if e.stakeholder_update else "")))
            widgets.append(Input(e.note, id=f"note-{e.seq}", placeholder="note", classes="pir-note"))
        if not r.timeline:
            widgets.append(Static(Text("No events.", style="dim")))
        area("slowed", r.slowed)
        area("missing", r.missing)
        area("causes", "\n".join(r.causes))
        label("Follow-up actions (tick: done)")
        for f in r.follow_ups:
            due = f"due {f.due_on.isoformat()}" if f.due_on else "no due date"
            widgets.append(TickBox(_plain(f"{f.number}. {f.action} — {f.owner}, {due}"), f.done, id=f"fu-{f.number}"))
        widgets.append(Label("New follow-up: action, owner, due (YYYY-MM-DD)", classes="field-label"))
        widgets.append(Input(id="new-action", placeholder="e.g. add a canary for the payment path"))
        widgets.append(self._error("action"))
        widgets.append(Select(list(self.owners), id="new-owner", prompt="owner"))
        widgets.append(self._error("owner"))
        widgets.append(Input(id="new-due", placeholder="YYYY-MM-DD"))
        widgets.append(self._error("due"))
        return widgets

    @staticmethod
    def _error(name: str) -> Static:
        error = Static(id=f"e-{name}", classes="field-error")
        error.display = False
        return error

    def _state_text(self, r: Review) -> Text:
        if r.complete:
            state = Text("complete", style="bold")
        else:
            state = Text.assemble(("draft", "bold"), f" — still needs {' and '.join(r.missing_parts())}")
        edited = Text.assemble(" · version ", str(r.version), " by ", literal(r.updated_by)) if r.exists \
            else Text(" · not written yet")
        return Text.assemble(("Review: ", "dim"), state, edited)

    # --- loading -----------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="pir-load")
    def load(self) -> None:
        from incidentdesk.store.pir import load_review

        try:
            review = load_review(self.app.runtime.db, self.key)
        except DomainError as exc:
            self.post_message(ReviewFailed(exc, saving=False))
            return
        self.post_message(ReviewLoaded(review))

    @on(ReviewLoaded)
    async def _loaded(self, msg: ReviewLoaded) -> None:
        self.review = msg.review
        fields = self.query_one("#fields", VerticalScroll)
        await fields.remove_children()
        await fields.mount_all(self._sections(msg.review))
        if not getattr(self.app, "cursor_blink", True):
            for widget in self.query("Input, TextArea"):
                widget.cursor_blink = False
        self.query_one("#pir-state", Static).update(self._state_text(msg.review))
        self._loaded_values = self.values()
        self.saving = False
        self.show_errors({})
        self.query_one("#pir-summary", TextArea).focus(scroll_visible=False)
        fields.scroll_home(animate=False)   # the first section with its heading, whatever was scrolled before

    # --- values --------------------------------------------------------------------------------
    def values(self) -> dict:
        if self.review is None:
            return {}
        r = self.review
        highlights = {e.seq: self.query_one(f"#note-{e.seq}", Input).value for e in r.timeline
                      if self.query_one(f"#hl-{e.seq}", TickBox).value}
        owner = self.query_one("#new-owner", Select).value
        return {
            "fields": {name: self.query_one(f"#pir-{name}", Input).value for name in ("duration", "users", "services")}
            | {name: self.query_one(f"#pir-{name}", TextArea).text for name in ("summary", "slowed", "missing")},
            "causes": self.query_one("#pir-causes", TextArea).text,
            "highlights": highlights,
            "notes": {e.seq: self.query_one(f"#note-{e.seq}", Input).value for e in r.timeline},
            "done": sorted(f.number for f in r.follow_ups if self.query_one(f"#fu-{f.number}", TickBox).value),
            "new_follow_up": (self.query_one("#new-action", Input).value,
                              None if owner is Select.NULL else owner, self.query_one("#new-due", Input).value),
        }

    def is_dirty(self) -> bool:
        return self.review is not None and self.values() != self._loaded_values

    def dialog_title(self) -> str:
        return f"The review of {self.key}"

    def collect(self) -> dict | None:
        return self.values() if self.review is not None else None

    # --- saving --------------------------------------------------------------------------------
    def request_save(self) -> None:
        """Like every dialog, wait for the keys typed before ctrl+s; then save in a worker, staying open."""
        if self.saving or self.review is None:
            return
        self.saving = True
        self._before_save = self.focused
        self.set_focus(self.query_one("#submit"), scroll_visible=False)

        def save() -> None:
            values = self.collect()
            if values is None:
                self.saving = False
                return
            self._save(values, self.review.version)

        self.after_typed_input(save)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pir-save")
    def _save(self, values: dict, version: int) -> None:
        from incidentdesk.services.pir import save_review

        action, owner, due = values["new_follow_up"]
        try:
            new = save_review(self.app.runtime.ctx, self.key, fields=values["fields"], causes=values["causes"],
                              highlights=values["highlights"], done=values["done"],
                              new_follow_up=(action, owner or "", due) if (action.strip() or owner or due.strip())
                              else None, expected_version=version)
        except Exception as exc:  # a domain refusal, or a bug: reported, the screen and its text kept
            self.post_message(ReviewFailed(exc, saving=True))
            return
        self.post_message(ReviewSaved(new))

    @on(ReviewSaved)
    def _saved(self, msg: ReviewSaved) -> None:
        notify(self.app, f"{self.key}: review saved (version {msg.version})")
        self.load()

    @on(ReviewFailed)
    def _failed(self, msg: ReviewFailed) -> None:
        self.saving = False
        exc = msg.error
        text = str(exc) if isinstance(exc, DomainError) else f"unexpected error ({type(exc).__name__}): {exc}"
        if isinstance(exc, EditConflict):
            text += " (ctrl+r reloads; copy what you need first)"
            notify(self.app, text, title="Edit conflict", severity="error", timeout=10)
        elif msg.saving:
            notify(self.app, text, title="Not saved", severity="warning", timeout=8)
        else:
            notify(self.app, text, title="Review not loaded", severity="error", timeout=8)
        field = exc.field if isinstance(exc, ValidationError) else None
        self.show_errors({field if field in FIELD_WIDGETS else "general": text})
        previous = getattr(self, "_before_save", None)
        target = self.query(FIELD_WIDGETS[field]).first() if field in FIELD_WIDGETS and self.review else previous
        if target is not None:
            self.set_focus(target, scroll_visible=True)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name in FIELD_WIDGETS:
            for widget in self.query(f"#e-{name}"):
                widget.update(literal(errors.get(name, ""), single_line=False))
                widget.display = name in errors
        general = self.query_one("#error-general", Static)
        general.update(literal(errors.get("general", ""), single_line=False))
        general.display = "general" in errors

    # --- keys ----------------------------------------------------------------------------------
    def action_save(self) -> None:
        self.request_save()

    def action_close(self) -> None:
        self.request_cancel()

    def action_reload(self) -> None:
        if self.saving:
            return
        self.load()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()


def open_review(main) -> None:
    """The post-incident review screen for the main screen's selected incident; its row re-read after."""
    row = main.table.selected()
    if row is None:
        notify(main.app, "Select an incident first.", severity="warning")
        return
    main.app.push_screen(PirScreen(row.key, row.title, main.runner.pickers.people_options()),
                         lambda _: main.refresh_incidents({row.id}))
