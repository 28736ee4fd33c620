"""The console's service-request keys: Q raise one (type picker, then that type's fields), l tick a step,
A approve / reject / ask again, F fulfil.

Each builds an Action (tui/actions.py) around the catalog's use case (services/catalog/
requests.py) and hands it to the main screen's ActionRunner, so the dialog, the refusal that
brings it back with the values kept, the worker thread and the notification are the ones every
incident action has. What is special here is only what the catalog cannot say ahead: the form
of a type's own fields, and the steps of the selected request (read in a worker first).
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from incidentdesk.services.catalog import BY_NAME
from incidentdesk.services.catalog.spec import invoke
from incidentdesk.tui.actions import Action, build_form, raw_values
from incidentdesk.tui.format import literal, notify
from incidentdesk.tui.formspec import FormField, FormSpec

VALUE = "v_"   # the dialog's field for a type's field NAME is "v_NAME" (never a catalog parameter's name)


class TypesRead(Message):
    def __init__(self, types: list | None, error: str | None = None) -> None:
        super().__init__()
        self.types, self.error = types, error


class TypePicker(ModalScreen):
    """Pick a request type (enter), or esc; dismissed with its RequestTypeView or None."""

    CSS_PATH = "dialog.tcss"  # read when first opened, not at start-up

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="request-type.cancel")]

    def __init__(self) -> None:
        super().__init__(classes="form-screen")
        self.types: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Text("New service request: pick its type", style="bold"), id="dialog-title")
            yield OptionList(id="request-types")
            yield Label(Text("enter: choose · esc: cancel", style="dim"), id="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="request-types")
    def load(self) -> None:
        from incidentdesk.domain.errors import DomainError
        from incidentdesk.store.requests import list_types

        try:
            self.post_message(TypesRead(list_types(self.app.runtime.db)))
        except DomainError as exc:
            self.post_message(TypesRead(None, str(exc)))

    @on(TypesRead)
    def _read(self, msg: TypesRead) -> None:
        options = self.query_one(OptionList)
        if msg.error or not msg.types:
            notify(self.app, msg.error or "No request types yet: an admin adds them with "
                   "`incidentdesk request type-add`.", severity="warning")
            self.dismiss(None)
            return
        self.types = msg.types
        options.add_options([Option(Text.assemble(literal(t.label, "bold"), Text(f"  {t.name}", style="dim"),
                                                  Text("  needs approval" if t.approval != "none" else "",
                                                       style="dim")), id=t.name) for t in msg.types])
        options.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(next(t for t in self.types if t.name == event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


def new_request_action(t) -> Action:
    """The dialog and run for raising a request of type `t`: its own fields, then title and description."""
    uc = BY_NAME["raise_request"]

    def form(d, pickers, config) -> FormSpec:
        fields = [FormField(VALUE + f.name, f.label, "select" if f.choices else "text",
                            [(literal(c), c) for c in f.choices], required=f.required,
                            placeholder="—" if f.choices else "") for f in t.fields]
        fields += [FormField("title", "Title", placeholder=f"default: {t.label} and its first field"),
                   FormField("description", "Description", "area")]
        about = [f"routed to {t.group}"] if t.group else []
        if t.approval != "none":
            about.append("needs approval before it is worked")
        # the subject line (the runner sets the notice): where it goes and whether it waits for approval
        return FormSpec(f"New request: {t.label}", fields, submit_label=uc.submit, subject=" · ".join(about))

    def run(ctx, d, values: dict):
        pairs = [f"{name[len(VALUE):]}={value}" for name, value in values.items()
                 if name.startswith(VALUE) and value not in (None, "")]
        raw = {"type": t.name, "field": pairs, "title": values.get("title"), "description": values.get("description")}
        outcome = invoke(uc, ctx, raw)
        return outcome.text(uc.done), outcome.key

    return Action("raise_request", "Q", uc.title, uc.summary, form=form, run=run, needs_incident=False,
                  use_cases=(uc,))


def _on_request(uc, form=None, choose=None) -> Action:
    """An action on the selected request: the catalog's dialog unless `form`; `choose` picks the use case run."""
    def run(ctx, d, values: dict):
        case = choose(values) if choose else uc
        raw = raw_values(case, values)
        outcome = invoke(case, ctx, raw, key=d.key, expected_version=d.version if case.conflicts else None)
        return outcome.text(case.done)

    return Action(uc.name, "", uc.title, uc.summary, form=form or (lambda d, p, c: build_form(uc, d, p, c)),
                  run=run, use_cases=(uc,))


def step_action(view) -> Action:
    """Tick (or untick) one step of `view`: the first open one is offered first."""
    uc = BY_NAME["request_step"]
    done = {st.number: st.done_at is not None for st in view.steps}

    def form(d, pickers, config) -> FormSpec:
        options = [(Text.assemble("[X] " if st.done_at else "[ ] ", f"{st.number}. ", literal(st.title)),
                    str(st.number)) for st in view.steps]
        first = next((str(st.number) for st in view.steps if st.done_at is None), options[0][1])
        return FormSpec("Fulfilment step", [FormField("number", "Step (a done one is unticked)", "select", options,
                                                      required=True, value=first)],
                        subject=f"{d.key}  {d.title}", submit_label="Tick / untick")

    def run(ctx, d, values: dict):
        number = int(values["number"])
        outcome = invoke(uc, ctx, {"number": number, "undo": done.get(number, False)}, key=d.key)
        return outcome.text(f"{d.key}: step {number} " + ("not done" if done.get(number) else "done"))

    return Action(uc.name, "", uc.title, uc.summary, form=form, run=run, use_cases=(uc,))


def approval_action() -> Action:
    """Approve, reject (reason required) or ask again: one dialog, the decision picked first."""
    decide = {"approve": BY_NAME["approve_request"], "reject": BY_NAME["reject_request"],
              "ask": BY_NAME["request_approval"]}

    def form(d, pickers, config) -> FormSpec:
        return FormSpec("Approval", [
            FormField("decision", "Decision", "select", [("approve", "approve"), ("reject", "reject"),
                                                         ("ask for approval again", "ask")], required=True,
                      value="approve"),
            FormField("note", "Comment (a reason, to reject)", "area"),
        ], subject=f"{d.key}  {d.title}", submit_label="Save decision")

    def pick(values: dict):
        values["comment"] = values["reason"] = values.get("note")
        return decide[values.get("decision") or "approve"]

    return _on_request(decide["approve"], form, pick)


def fulfil_action() -> Action:
    return _on_request(BY_NAME["fulfil"])


def _selected_request(main):
    d = main.subject()
    if d is None:
        notify(main.app, "Select a service request first.", severity="warning")
        return None
    if getattr(d, "type", None) != "request":
        notify(main.app, f"{d.key} is an incident, not a service request (Q raises one).", severity="warning")
        return None
    return d


def open_new(main) -> None:
    def chosen(t) -> None:
        if t is not None:
            main.runner.start(new_request_action(t))

    main.app.push_screen(TypePicker(), chosen)


def open_step(main) -> None:
    d = _selected_request(main)
    if d is None:
        return
    app, db = main.app, main.app.runtime.db

    def read() -> None:
        from incidentdesk.domain.errors import DomainError
        from incidentdesk.store.requests import request_view

        try:
            view = request_view(db, d.key)
        except DomainError as exc:
            app.call_from_thread(notify, app, str(exc), severity="error")
            return
        if view is None or not view.steps:
            app.call_from_thread(notify, app, f"{d.key} has no fulfilment steps.", severity="warning")
            return
        if view.approval in ("pending", "rejected"):   # said at once, as the service would after the dialog
            why = (f"it waits for approval by {view.approver} (A approves)" if view.approval == "pending"
                   else f"its approval was rejected by {view.decided_by} (A asks again)")
            app.call_from_thread(notify, app, f"cannot work on {d.key}: {why}", title="Not possible now",
                                 severity="warning")
            return
        app.call_from_thread(main.runner.start, step_action(view))

    main.run_worker(read, thread=True, exclusive=True, exit_on_error=False, group="request-steps")


def open_approval(main) -> None:
    if _selected_request(main) is not None:
        main.runner.start(approval_action())


def open_fulfil(main) -> None:
    if _selected_request(main) is not None:
        main.runner.start(fulfil_action())
