"""The main screen's actions on the selected incident: offered only when they can succeed now.

Whether an action can succeed is the domain's answer (tui/actions.why_not → domain/lifecycle),
for the key bar, the palette and a key pressed anyway (which says why not at once, without
opening a dialog). The dialog's values then go to the service in a worker thread; its
errors come back as notifications, and a dialog that failed comes back with what was typed.
Every notification is literal: messages quote logins, names and titles.
"""

from __future__ import annotations

from textual import on, work
from textual.screen import Screen

from incidentdesk.domain.errors import DomainError, EditConflict, StorageUnavailable, ValidationError
from incidentdesk.tui.actions import BY_NAME, Action, Pickers, why_not
from incidentdesk.tui.format import notify
from incidentdesk.tui.messages import ActionDone, ActionFailed, PickersLoaded, ReadFailed
from incidentdesk.tui.screens.main_queue import _queries


class ActionsPart(Screen):
    """The actions half of MainScreen (main.py), which holds the state these methods use."""

    def subject(self):
        """What the selected row's actions apply to: its detail once loaded, the row itself until then."""
        row = self.table.selected()
        if row is None:
            return None
        return self.detail if self.detail is not None and self.detail.id == row.id else row

    def blocker(self, action: Action, subject=None) -> str | None:
        """Why `action` cannot succeed on the selected incident now (None: it can)."""
        subject = subject if subject is not None else self.subject()
        if subject is None:
            return None
        runtime = self.app.runtime
        return why_not(action, subject, runtime.actor, runtime.config, self.app.clock())

    def action_incident(self, name: str) -> None:
        self.start_action(BY_NAME[name])

    def start_action(self, action: Action, values: dict | None = None, *, errors: dict | None = None,
                     notice: str = "") -> None:
        detail = self.detail
        if action.needs_incident:
            row = self.table.selected()
            if detail is None or row is None or detail.id != row.id:
                notify(self.app, "Select an incident first (the detail is still loading).", severity="warning")
                return
            reason = self.blocker(action, detail)
            if reason is not None:  # at once, before anything is typed
                notify(self.app, reason, title="Not possible now", severity="warning", timeout=8)
                return
        if action.form is None:
            self.run_action(action, detail, {})
            return
        # Dialogs need only the settings: building one never opens the database on the UI thread.
        spec = action.form(detail if action.needs_incident else None, self.pickers, self.app.runtime.config)
        spec.errors = dict(errors or {})
        spec.notice = notice

        def done(result: dict | None) -> None:
            if result is not None:
                self.run_action(action, detail if action.needs_incident else None, result)

        from incidentdesk.tui.screens.form import FormScreen  # the dialog's widgets load when one opens

        self.app.push_screen(FormScreen(spec, values), done)

    def run_action(self, action: Action, detail, values: dict) -> None:
        self.busy += 1
        self._update_status()
        self._run_action(action, detail, values)

    @work(thread=True, exclusive=False, exit_on_error=False, group="action")
    def _run_action(self, action: Action, detail, values: dict) -> None:
        # Not exclusive: a second action must not hide the first one's result.
        from incidentdesk.store.changefeed import capture

        try:
            with capture() as mine:  # this console's own changes: the feed's echo of them is not re-read
                result = action.run(self.app.runtime.ctx, detail, values)
        except DomainError as exc:
            self.post_message(ActionFailed(action, detail, values, exc))
        except Exception as exc:  # a bug: report it, keep the console alive
            self.post_message(ActionFailed(action, detail, values, exc))
        else:
            text, created = (result, None) if isinstance(result, str) else result
            self.post_message(ActionDone(action, detail, text, created, tuple(mine)))

    @on(ActionDone)
    def _action_done(self, msg: ActionDone) -> None:
        self.busy -= 1
        self.app.set_connection_state(True, None)
        notify(self.app, msg.text)
        if msg.detail is not None:
            self.app.apply_own_changes(msg.detail.id, {c for i, c in msg.changes if i == msg.detail.id})
        elif msg.created is not None:
            self.app.expect_own_changes({c for _, c in msg.changes})  # the new page read shows them
            self.show_new_incident(msg.created)
            from incidentdesk.domain.keys import parse_key

            self.app.major_prompts.check({parse_key(msg.created)})  # a new P1: declare it?
        else:
            self.generation += 1
            self.fetch_count(self.queue_filter(), self.generation)
            self.reload()
        self._update_status()

    @on(ActionFailed)
    def _action_failed(self, msg: ActionFailed) -> None:
        self.busy -= 1
        self._update_status()
        exc = msg.error
        text = str(exc)
        action, detail = msg.action, msg.detail
        if isinstance(exc, EditConflict):
            notify(self.app, text, title="Edit conflict", severity="error", timeout=10)
            if action.form is not None:
                self.pending_reopen = (action, msg.values, "Changed by someone else meanwhile; "
                                       "your text is kept — review the new state and save again.")
            if detail is not None:
                self.app.apply_changes({detail.id})
            return
        if isinstance(exc, ValidationError) and action.form is not None:
            notify(self.app, text, title="Not saved", severity="warning")
            self.start_action(action, msg.values, errors={exc.field or "general": text})
            return
        if isinstance(exc, StorageUnavailable):
            self.app.set_connection_state(False, self.app.clock())
            notify(self.app, text, title="Not saved", severity="error", timeout=10)
            if action.form is not None:
                self.start_action(action, msg.values, notice=text)
            return
        title = {"PermissionDenied": "Permission denied", "InvalidTransition": "Not allowed now",
                 "NotFound": "Not found"}.get(type(exc).__name__, "Error")
        if not isinstance(exc, DomainError):
            text = f"unexpected error ({type(exc).__name__}): {text}"
        notify(self.app, text, title=title, severity="error", timeout=8)

    @on(ReadFailed)
    def _read_failed(self, msg: ReadFailed) -> None:
        if isinstance(msg.error, StorageUnavailable):
            self.app.set_connection_state(False, self.app.clock())
            self.set_timer(5, lambda: self.reload(keep_id=getattr(self.table.selected(), "id", None)))
        else:
            notify(self.app, str(msg.error), severity="error")

    # --- directory for pickers ---------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="pickers")
    def fetch_pickers(self) -> None:
        db = self.app.runtime.db
        queries = _queries()
        try:
            pickers = Pickers(queries.list_people(db), queries.list_groups(db), queries.list_categories(db),
                              queries.list_services(db))
        except DomainError as exc:
            self.post_message(ReadFailed(exc, "directory"))
            return
        self.post_message(PickersLoaded(pickers))

    @on(PickersLoaded)
    def _pickers_loaded(self, msg: PickersLoaded) -> None:
        self.pickers = msg.pickers
