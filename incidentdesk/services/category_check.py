"""The check a new or recategorised incident's category passes, and the group its category routes to.

Apart from services/categories.py (the tree's own use cases) because intake runs these on every
new incident, also on the CLI's plain sqlite3 write path (store/plainwrite.py): nothing here
imports SQLAlchemy; the rows come through store/writes.categories, for either kind of session.
"""

from __future__ import annotations

from incidentdesk.domain.cmdb import unknown_category
from incidentdesk.store.writes import categories


def checked_category(s, value: str | None) -> str | None:
    """`value` if it names a live category (or no tree is defined); else the refusal with the nearest ones."""
    if not value:
        return value
    value = "/".join(p.strip() for p in value.split("/") if p.strip())
    rows = categories(s)
    if not rows:
        return value
    live = [path for path, retired, _ in rows if not retired]
    if value in live:
        return value
    raise unknown_category(value, live, [path for path, retired, _ in rows if retired])


def default_group_for(s, path: str | None) -> str | None:
    """The group incidents of `path` are routed to: its own default group, else its nearest parent's."""
    if not path:
        return None
    parts = path.split("/")
    candidates = ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]
    groups = {p: g for p, _, g in categories(s) if p in candidates and g is not None}
    return next((groups[c] for c in candidates if c in groups), None)
