"""Running an action on the selected incident: start, the worker, done, failed, the dialog back.

Whether an action can succeed is the domain's answer (tui/actions.why_not → domain/lifecycle),
for the key bar, the palette and a key pressed anyway (which says why not at once, without
opening a dialog). The dialog's values then go to the service in a worker thread; its result
comes back as a message to the main screen, which hands it here. Errors become notifications
titled by the exception's type (ERROR_TITLES, looked up along its class's MRO), and a dialog
whose save failed comes back with what was typed. Every notification is literal: messages
quote logins, names and titles.
"""

from __future__ import annotations

from incidentdesk.domain.errors import (
    DomainError, EditConflict, InvalidTransition, NotFound, PermissionDenied, StorageUnavailable, ValidationError,
)
from incidentdesk.tui.actions import Action, Pickers, why_not
from incidentdesk.tui.format import notify
from incidentdesk.tui.messages import ActionDone, ActionFailed, PickersLoaded, ReadFailed

# A refused action's toast title, by the exception's class (a subclass takes its nearest base's).
ERROR_TITLES: dict[type[BaseException], str] = {
    PermissionDenied: "Permission denied",
    InvalidTransition: "Not allowed now",
    NotFound: "Not found",
    EditConflict: "Edit conflict",
    StorageUnavailable: "Not saved",
}
NOT_SAVED = "Not saved"  # a dialog's values refused: the dialog comes back with them
DEFAULT_TITLE = "Error"
CONFLICT_NOTICE = "Changed by someone else meanwhile; your text is kept — review the new state and save again."


def error_title(exc: BaseException) -> str:
    """The title for `exc`: its own class's, else the nearest base class's, else "Error"."""
    for cls in type(exc).__mro__:
        if cls in ERROR_TITLES:
            return ERROR_TITLES[cls]
    return DEFAULT_TITLE


class ActionRunner:
    """Runs the main screen's actions. `screen` is the MainScreen: its selection, detail, pager and banner."""

    def __init__(self, screen) -> None:
        self.screen = screen
        self.pickers = Pickers()
        self.pending_reopen: tuple[Action, dict, str] | None = None  # a dialog to reopen once the detail is re-read
        self.busy = 0

    @property
    def app(self):
        return self.screen.app

    def blocker(self, action: Action, subject=None) -> str | None:
        """Why `action` cannot succeed on the selected incident now (None: it can)."""
        subject = subject if subject is not None else self.screen.subject()
        if subject is None:
            return None
        runtime = self.app.runtime
        return why_not(action, subject, runtime.actor, runtime.config, self.app.clock())

    def start(self, action: Action, values: dict | None = None, *, errors: dict | None = None,
              notice: str = "") -> None:
        screen = self.screen
        detail = screen.detail
        if action.needs_incident:
            row = screen.table.selected()
            if detail is None or row is None or detail.id != row.id:
                notify(self.app, "Select an incident first (the detail is still loading).", severity="warning")
                return
            reason = self.blocker(action, detail)
            if reason is not None:  # at once, before anything is typed
                notify(self.app, reason, title="Not possible now", severity="warning", timeout=8)
                return
        if action.form is None:
            self.run(action, detail, {})
            return
        # Dialogs need only the settings: building one never opens the database on the UI thread.
        spec = action.form(detail if action.needs_incident else None, self.pickers, self.app.runtime.config)
        spec.errors = dict(errors or {})
        spec.notice = notice

        def done(result: dict | None) -> None:
            if result is not None:
                self.run(action, detail if action.needs_incident else None, result)

        from incidentdesk.tui.screens.form import FormScreen  # the dialog's widgets load when one opens

        self.app.push_screen(FormScreen(spec, values), done)

    def run(self, action: Action, detail, values: dict) -> None:
        self._set_busy(+1)
        runtime = self.app.runtime
        post = self.screen.post_message

        def work() -> None:
            from incidentdesk.store.changefeed import capture

            try:
                with capture() as mine:  # this console's own changes: the feed's echo of them is not re-read
                    result = action.run(runtime.ctx, detail, values)
            except Exception as exc:  # a DomainError, or a bug: reported, the console stays alive
                post(ActionFailed(action, detail, values, exc))
            else:
                text, created = (result, None) if isinstance(result, str) else result
                post(ActionDone(action, detail, text, created, tuple(mine)))

        # Not exclusive: a second action must not hide the first one's result.
        self.screen.run_worker(work, thread=True, exclusive=False, exit_on_error=False, group="action")

    def _set_busy(self, step: int) -> None:
        self.busy += step
        pager = self.screen.pager
        pager.busy = self.busy
        pager.update_status()

    def done(self, msg: ActionDone) -> None:
        self._set_busy(-1)
        screen = self.screen
        screen.set_connection(True, None)
        notify(self.app, msg.text)
        if msg.detail is not None:
            screen.apply_own_changes(msg.detail.id, {c for i, c in msg.changes if i == msg.detail.id})
        elif msg.created is not None:
            screen.own_changes.expect({c for _, c in msg.changes})  # the new page read shows them
            screen.pager.show_new_incident(msg.created)
            from incidentdesk.domain.keys import parse_key

            self.app.major_prompts.check({parse_key(msg.created)})  # a new P1: declare it?
        else:
            screen.pager.recount()
            screen.pager.reload()

    def failed(self, msg: ActionFailed) -> None:
        self._set_busy(-1)
        screen = self.screen
        exc = msg.error
        text, title = str(exc), error_title(exc)
        action, detail = msg.action, msg.detail
        if isinstance(exc, EditConflict):
            notify(self.app, text, title=title, severity="error", timeout=10)
            if action.form is not None:
                self.pending_reopen = (action, msg.values, CONFLICT_NOTICE)
            if detail is not None:
                screen.refresh_incidents({detail.id})
            return
        if isinstance(exc, ValidationError) and action.form is not None:
            notify(self.app, text, title=NOT_SAVED, severity="warning")
            self.start(action, msg.values, errors={exc.field or "general": text})
            return
        if isinstance(exc, StorageUnavailable):
            screen.set_connection(False, self.app.clock())
            notify(self.app, text, title=title, severity="error", timeout=10)
            if action.form is not None:
                self.start(action, msg.values, notice=text)
            return
        if not isinstance(exc, DomainError):
            text = f"unexpected error ({type(exc).__name__}): {text}"
        notify(self.app, text, title=title, severity="error", timeout=8)

    # --- the directory, for the dialogs' pickers ----------------------------------------------
    def fetch_pickers(self) -> None:
        runtime, post = self.app.runtime, self.screen.post_message

        def work() -> None:
            from incidentdesk.tui.reads import queries

            q = queries()
            try:
                db = runtime.db
                pickers = Pickers(q.list_people(db), q.list_groups(db), q.list_categories(db), q.list_services(db))
            except DomainError as exc:
                post(ReadFailed(exc, "directory"))
                return
            post(PickersLoaded(pickers))

        self.screen.run_worker(work, thread=True, exclusive=True, exit_on_error=False, group="pickers")

    def detail_arrived(self, detail) -> None:
        """The open incident was re-read: reopen a dialog refused by an edit conflict, on the new state."""
        if self.pending_reopen is not None and self.pending_reopen[0].needs_incident:
            action, values, notice = self.pending_reopen
            self.pending_reopen = None
            self.start(action, values, notice=notice)
