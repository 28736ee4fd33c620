"""Major incidents: declare one with an incident commander, stand it down.

Each call is one transaction like those in services/incidents.py (and built from the same
pieces): the actor's role, the incident's state, one hash-chained timeline event, and the
incident's version moved by one (`expected_version` refuses with EditConflict).

The commander coordinates and never doubles as the resolver (domain/major.py): naming the
assignee as commander is refused here, making the commander the assignee is refused by
`incidents.assign`/`take`, and a commander who acknowledges does not take the incident.

The record says what is true now: `is_major`, `commander` and `major_declared_at` are set
together on declaring and cleared together on standing down, with the optional deputy and
communications lead and the update cadence (`next_update_due`, domain/major_cadence.py).
Command is handed over (`hand_command`, the reason and both commanders on the timeline) rather
than standing down and declaring again; a deputy who takes command stops being the deputy. The history is the timeline:
the `major_declared` event names the commander, and the `major_stood_down` event's `before`
keeps the commander and the declaration time. A major incident stays major when it is
resolved or closed (its review needs that); standing down is for open incidents.
"""

from __future__ import annotations

from incidentdesk.domain import lifecycle, major, major_cadence
from incidentdesk.domain.enums import EventKind, Status
from incidentdesk.domain.errors import InvalidTransition, ValidationError
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _clean, _editing, _known_user, _required
from incidentdesk.services.timeline import append_event


def declare_major(ctx: ServiceContext, key: str, *, reason: str, commander: str | None = None,
                  deputy: str | None = None, comms_lead: str | None = None,
                  expected_version: int | None = None) -> int:
    """Declare an open incident major, with a commander (default: the actor) who is not its assignee,
    optionally a deputy and a communications lead; the first stakeholder update is due one cadence on."""
    reason = _required(reason, "reason", "a reason for declaring a major incident (what is impacted, and who)")
    commander = _clean(commander) or ctx.actor.login
    deputy, comms_lead = _clean(deputy) or None, _clean(comms_lead) or None
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
        _check_roles(s, commander, deputy, comms_lead, inc.key)
        inc.is_major = True
        inc.commander = commander
        inc.major_declared_at = now
        inc.deputy, inc.comms_lead = deputy, comms_lead
        inc.last_update_at = None
        inc.next_update_due = major_cadence.next_due(ctx.config.major, inc.severity, None, now)
        roles = {k: v for k, v in (("deputy", deputy), ("comms_lead", comms_lead)) if v}
        append_event(s, inc, ctx.actor, EventKind.MAJOR_DECLARED, now, text=reason,
                     # the assignee, unchanged, is kept on both sides: who resolves vs who commands
                     before={"is_major": False, "commander": None, "assignee": inc.assignee},
                     after={"is_major": True, "commander": commander, "assignee": inc.assignee, **roles,
                            "next_update_due": _iso(inc.next_update_due)})
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
        before.update({k: v for k, v in (("deputy", inc.deputy), ("comms_lead", inc.comms_lead)) if v})
        inc.is_major = False
        inc.commander = None
        inc.major_declared_at = None
        inc.deputy = inc.comms_lead = None
        inc.last_update_at = inc.next_update_due = None
        append_event(s, inc, ctx.actor, EventKind.MAJOR_STOOD_DOWN, now, text=reason,
                     before=before, after={"is_major": False, "commander": None})
        return inc.version + 1


def hand_command(ctx: ServiceContext, key: str, *, commander: str, reason: str,
                 expected_version: int | None = None) -> int:
    """Hand a major incident's command to another person (not its resolver); the deputy may take it."""
    reason = _required(reason, "reason", "a reason for handing over command (e.g. end of shift)")
    new = _required(commander, "commander", "the person taking command")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("hand_command", Status(inc.status), inc.key)
        _require_major(inc, "hand command")
        major.require_coordinate(ctx.actor, inc.key, "hand command", inc.commander)
        _known_user(s, new, "commander")
        major.check_hand(new, inc.commander, inc.assignee, inc.key)
        before = {"commander": inc.commander, "deputy": inc.deputy}
        inc.commander = new
        if inc.deputy == new:  # the deputy stepped up: there is no deputy until one is named
            inc.deputy = None
        if inc.next_update_due is None:  # declared before the cadence existed: it starts now
            inc.next_update_due = major_cadence.next_due(ctx.config.major, inc.severity, None, now)
        append_event(s, inc, ctx.actor, EventKind.COMMAND_HANDED, now, text=reason,
                     before=before, after={"commander": new, "deputy": inc.deputy})
        return inc.version + 1


def set_major_roles(ctx: ServiceContext, key: str, *, deputy: str | None = None, comms_lead: str | None = None,
                    clear_deputy: bool = False, clear_comms_lead: bool = False,
                    expected_version: int | None = None) -> int:
    """Name (or clear) a major incident's deputy and communications lead; what is not given stays."""
    deputy, comms_lead = _clean(deputy) or None, _clean(comms_lead) or None
    if deputy is None and comms_lead is None and not clear_deputy and not clear_comms_lead:
        raise ValidationError("name a deputy or a communications lead (or clear one)", field="deputy")
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("major_roles", Status(inc.status), inc.key)
        _require_major(inc, "change the major roles")
        major.require_coordinate(ctx.actor, inc.key, "change major roles", inc.commander)
        before = {"deputy": inc.deputy, "comms_lead": inc.comms_lead}
        for name, named, clear in (("deputy", deputy, clear_deputy), ("comms_lead", comms_lead, clear_comms_lead)):
            if clear and named and named != before[name]:  # the console shows the current one: clearing it is fine
                raise ValidationError("either name a new person or clear the role, not both", field=name)
        new_deputy = None if clear_deputy else deputy or inc.deputy
        new_comms = None if clear_comms_lead else comms_lead or inc.comms_lead
        _check_roles(s, inc.commander, deputy, comms_lead, inc.key)
        major.check_roles(inc.commander, new_deputy, new_comms, inc.key)
        after = {"deputy": new_deputy, "comms_lead": new_comms}
        if after == before:
            raise ValidationError(f"{inc.key} already has these roles; nothing to change", field="deputy")
        inc.deputy, inc.comms_lead = new_deputy, new_comms
        words = [f"{label}: {before[k] or '—'} → {after[k] or '—'}"
                 for k, label in (("deputy", "deputy"), ("comms_lead", "communications lead")) if before[k] != after[k]]
        append_event(s, inc, ctx.actor, EventKind.MAJOR_ROLES, now, text="; ".join(words), before=before, after=after)
        return inc.version + 1


def _check_roles(s, commander: str | None, deputy: str | None, comms_lead: str | None, key: str) -> None:
    for login, name in ((deputy, "deputy"), (comms_lead, "comms_lead")):
        if login:
            _known_user(s, login, name)
    major.check_roles(commander, deputy, comms_lead, key)


def _require_major(inc, doing: str) -> None:
    if not inc.is_major:
        raise InvalidTransition(f"{inc.key} is not a major incident; declare it first to {doing}")


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value is not None else "at an unknown time"
