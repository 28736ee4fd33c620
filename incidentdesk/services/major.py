"""Major incidents: declare one with an incident commander, stand it down.

Each call is one transaction like those in services/incidents.py (and built from the same
pieces): the actor's role, the incident's state, one hash-chained timeline event, and the
incident's version moved by one (`expected_version` refuses with EditConflict).

The commander coordinates and never doubles as the resolver (domain/major.py): naming the
assignee as commander is refused here, making the commander the assignee is refused by
`incidents.assign`/`take`, and a commander who acknowledges does not take the incident.

The record says what is true now: `is_major`, `commander` and `major_declared_at` are set
together on declaring and cleared together on standing down. The history is the timeline:
the `major_declared` event names the commander, and the `major_stood_down` event's `before`
keeps the commander and the declaration time. A major incident stays major when it is
resolved or closed (its review needs that); standing down is for open incidents.
"""

from __future__ import annotations

from incidentdesk.domain import lifecycle, major
from incidentdesk.domain.enums import EventKind, Status
from incidentdesk.domain.errors import InvalidTransition
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _clean, _editing, _known_user, _required
from incidentdesk.services.timeline import append_event


def declare_major(ctx: ServiceContext, key: str, *, reason: str, commander: str | None = None,
                  expected_version: int | None = None) -> int:
    """Declare an open incident major, with a commander (default: the actor) who is not its assignee."""
    reason = _required(reason, "reason", "a reason for declaring a major incident (what is impacted, and who)")
    commander = _clean(commander) or ctx.actor.login
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("declare_major", Status(inc.status), inc.key)
        major.require_declare(ctx.actor, inc.key)
        if inc.is_major:
            raise InvalidTransition(
                f"{inc.key} is already a major incident (commander {inc.commander or '-'}, declared "
                f"{_when(inc.major_declared_at)}); nothing to declare"
            )
        _known_user(s, commander, "commander")
        major.check_commander(commander, inc.assignee, inc.key)
        inc.is_major = True
        inc.commander = commander
        inc.major_declared_at = now
        append_event(s, inc, ctx.actor, EventKind.MAJOR_DECLARED, now, text=reason,
                     # the assignee, unchanged, is kept on both sides: who resolves vs who commands
                     before={"is_major": False, "commander": None, "assignee": inc.assignee},
                     after={"is_major": True, "commander": commander, "assignee": inc.assignee})
        return inc.version + 1


def stand_down_major(ctx: ServiceContext, key: str, *, reason: str, expected_version: int | None = None) -> int:
    """Stand a major incident down: it goes back to being an ordinary incident (the timeline keeps the rest)."""
    reason = _required(reason, "reason", "a reason for standing the major incident down")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("stand_down_major", Status(inc.status), inc.key)
        major.require_stand_down(ctx.actor, inc.key)
        if not inc.is_major:
            raise InvalidTransition(f"{inc.key} is not a major incident; nothing to stand down")
        before = {"is_major": True, "commander": inc.commander, "declared_at": _iso(inc.major_declared_at)}
        inc.is_major = False
        inc.commander = None
        inc.major_declared_at = None
        append_event(s, inc, ctx.actor, EventKind.MAJOR_STOOD_DOWN, now, text=reason,
                     before=before, after={"is_major": False, "commander": None})
        return inc.version + 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "at an unknown time"
