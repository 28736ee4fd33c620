"""What a queue view is: its scope, its sort, its filters — the rules, with no query and no screen.

The console's `f` and `S` cycle through SCOPES and SORTS, the filter dialog offers them, the
palette lists them; the store turns a view's criteria into SQL and keyset cursors. Each of
those used to hold its own copy (the console's main screen and its filter dialog imported each
other for them); the names, their order and what each scope means live here once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from incidentdesk.domain.roles import Actor

SCOPES: tuple[str, ...] = ("all", "mine", "my groups", "unassigned", "at risk", "major")

# sort name -> (queue row fields that make its keyset cursor, descending). The store's SQL
# orders by the same columns (store/queries.SORTS, held to this by a test).
SORT_KEYS: dict[str, tuple[tuple[str, ...], bool]] = {
    "priority": (("priority", "sla_due_at", "id"), False),
    "newest": (("created_at", "id"), True),
    "updated": (("updated_at", "id"), True),
    "due": (("sla_due_at", "id"), False),
}
SORTS: tuple[str, ...] = tuple(SORT_KEYS)
DEFAULT_SORT = "priority"


def following(options: tuple[str, ...], current: str) -> str:
    """The option after `current`, wrapping round (an unknown one starts again at the first)."""
    if current not in options:
        return options[0]
    return options[(options.index(current) + 1) % len(options)]


@dataclass(frozen=True)
class QueueView:
    """What one console's queue shows: a scope, text, status, priority, closed too, and a sort."""

    scope: str = "all"
    sort: str = DEFAULT_SORT
    text: str = ""
    status: str | None = None
    priority: int | None = None
    include_closed: bool = False
    waiting_vendor: bool = False  # on hold waiting for a vendor only (domain/vendor.py)
    type: str | None = None       # "incident" or "request" (service requests) only; None: both

    def changed(self, **changes) -> QueueView:
        """This view with some settings changed (unknown names are a TypeError, as for the dataclass)."""
        return replace(self, **changes)

    def next_scope(self) -> QueueView:
        return replace(self, scope=following(SCOPES, self.scope))

    def next_sort(self) -> QueueView:
        return replace(self, sort=following(SORTS, self.sort))

    def criteria(self, actor: Actor, now: datetime) -> dict:
        """The queue filter's fields for this view, as seen by `actor` at `now` (the scope resolved)."""
        return dict(
            open_only=not self.include_closed,
            status=self.status,
            priority=self.priority,
            assignee=actor.login if self.scope == "mine" else None,
            groups=tuple(sorted(actor.groups)) if self.scope == "my groups" else (),
            unassigned=self.scope == "unassigned",
            at_risk_at=now if self.scope == "at risk" else None,
            major=self.scope == "major",
            waiting_vendor=self.waiting_vendor,
            type=self.type,
            text=self.text,
            sort=self.sort,
        )

    def words(self) -> str:
        """The view in words, for a message saying what it leaves out: "scope mine, P1"."""
        words = [f"scope {self.scope}"] if self.scope != "all" else []
        if self.status:
            words.append(f"status {self.status.replace('_', ' ')}")
        if self.priority:
            words.append(f"P{self.priority}")
        if self.waiting_vendor:
            words.append("waiting for vendor")
        if self.type:
            words.append("service requests" if self.type == "request" else "incidents only")
        if self.text:
            words.append(f"text “{self.text}”")
        return ", ".join(words) or "open incidents"


CLEARED = QueueView()
