"""The notice that asks a triage captain to declare a P1 a major incident (a toast, never a block).

When incidents change (the change feed, or this console's own action), a worker reads the
open, non-major P1s among them and the event that made them P1 (store/major_reads.py); the
domain (domain/major.should_prompt) decides whether this console's user is to be asked. Each
incident is announced once per console; the toast names the key that declares it.
"""

from __future__ import annotations

from incidentdesk.domain import major
from incidentdesk.domain.errors import DomainError
from incidentdesk.domain.roles import at_least
from incidentdesk.tui.format import notify

TIMEOUT = 20


class MajorPrompts:
    def __init__(self, app) -> None:
        self.app = app
        self.prompted: set[int] = set()

    def check(self, ids: set[int]) -> None:
        """Called on the UI thread with incidents that just changed; the read runs in a worker."""
        if not at_least(self.app.runtime.actor, major.PROMPT_ROLE):
            return
        ids = set(ids) - self.prompted
        if ids:
            self.app.run_worker(lambda: self._read(ids), thread=True, group="major-prompt", name="major prompt",
                                exit_on_error=False)

    def _read(self, ids: set[int]) -> None:
        from incidentdesk.store.major_reads import p1_changes

        try:
            changes = p1_changes(self.app.runtime.db, ids)
        except DomainError:
            return  # the database is away: the banner says so; the next change asks again
        now = self.app.clock()
        actor = self.app.runtime.actor
        due = [c for c in changes if major.should_prompt(
            actor, type_=c.type, priority=c.priority, is_major=c.is_major, is_open=c.is_open, kind=c.kind,
            before=c.before, after=c.after, seconds_ago=(now - c.at).total_seconds())]
        if due:
            try:
                self.app.call_from_thread(self._show, due)
            except RuntimeError:
                pass  # the app is closing

    def _show(self, due) -> None:
        key = self.app.key_for("incident.major", "M")
        for c in due:
            if c.id in self.prompted:
                continue
            self.prompted.add(c.id)
            notify(self.app, f"{c.key} “{c.title}” is P1 and not a major incident. Select it and press {key} "
                   "to declare it (commander, reason).", title="Declare a major incident?", severity="warning",
                   timeout=TIMEOUT)
