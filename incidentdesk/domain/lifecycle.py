"""The incident lifecycle: which action may move an incident from which status to which.

new -> acknowledged -> in progress <-> on hold -> resolved -> closed; resolved -> reopened
(back to in progress, within a window); any open status -> cancelled. Actions that do not
move the status (assign, comment, escalate, reprioritise, declaring or standing down a major
incident) are allowed on open incidents only.

The first response is recorded when it happens, whatever the status: an incident put on hold
before anyone acknowledged it can be acknowledged on hold (it stays on hold).

`check` / `why_not` answer "would this action succeed now?" before anyone fills in a dialog:
the same status rule, reopen window and role checks the services apply, so the console
offers only what can succeed and says why not at once for a key pressed anyway.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from incidentdesk.domain import major
from incidentdesk.domain.enums import OPEN_STATUSES, Status
from incidentdesk.domain.errors import DomainError, InvalidTransition
from incidentdesk.domain.roles import Actor, require_may_change

S = Status

# action -> {from status: to status}
TRANSITIONS: dict[str, dict[Status, Status]] = {
    "acknowledge": {S.NEW: S.ACKNOWLEDGED, S.ON_HOLD: S.ON_HOLD},   # on hold: only if not yet acknowledged
    "start": {S.NEW: S.IN_PROGRESS, S.ACKNOWLEDGED: S.IN_PROGRESS},
    "hold": {S.NEW: S.ON_HOLD, S.ACKNOWLEDGED: S.ON_HOLD, S.IN_PROGRESS: S.ON_HOLD},
    "resume": {S.ON_HOLD: S.IN_PROGRESS},
    "resolve": {S.NEW: S.RESOLVED, S.ACKNOWLEDGED: S.RESOLVED, S.IN_PROGRESS: S.RESOLVED, S.ON_HOLD: S.RESOLVED},
    "close": {S.RESOLVED: S.CLOSED},
    "reopen": {S.RESOLVED: S.IN_PROGRESS},
    "cancel": {S.NEW: S.CANCELLED, S.ACKNOWLEDGED: S.CANCELLED, S.IN_PROGRESS: S.CANCELLED, S.ON_HOLD: S.CANCELLED},
}

# Actions that leave the status alone but need a live incident.
OPEN_ONLY_ACTIONS = ("assign", "take", "escalate", "reprioritise", "declare_major", "stand_down_major",
                     "hand_command", "major_roles")
# Folding an incident under another (services/links.py): live incidents only; not listed in messages.
LINK_ACTIONS = ("duplicate", "link_parent")
# Actions on a major incident that stay possible once it is resolved: stakeholders hear "resolved".
MAJOR_ACTIONS = ("hand_command", "major_roles", "post_update")
UPDATE_STATUSES = OPEN_STATUSES | {S.RESOLVED}
# A service request's own steps (services/requests.py): on open requests only, and not listed among
# an incident's possible actions. Fulfilling a request moves its status as resolving does.
REQUEST_ACTIONS = ("request_step", "approve_request", "reject_request", "request_approval")

ACTION_WORDS = {
    "acknowledge": "acknowledge", "start": "start work", "hold": "put on hold", "resume": "resume",
    "resolve": "resolve", "close": "close", "reopen": "reopen", "cancel": "cancel",
    "assign": "assign", "take": "take", "escalate": "escalate", "reprioritise": "reprioritise",
    "declare_major": "declare major", "stand_down_major": "stand down", "comment": "comment",
    "hand_command": "hand command", "major_roles": "change major roles", "post_update": "post a stakeholder update",
    "vendor": "record the vendor of", "clear_vendor": "clear the vendor of", "pir_edit": "edit the review of",
    "pir_follow_up": "add a follow-up to", "pir_complete": "complete a follow-up of",
    "pir_highlight": "mark a highlight of", "fulfil": "fulfil", "request_step": "tick a step of",
    "approve_request": "approve", "reject_request": "reject", "request_approval": "ask for approval of",
    "recategorise": "recategorise", "link_change": "link a change to",
    "problem_from_incident": "open a problem from", "pir_follow_up_problem": "open a problem from a follow-up of",
    "duplicate": "mark as a duplicate", "link_parent": "link to a parent", "unlink_incident": "unlink",
    "kb_fixed": "record the article that fixed",
}

# Actions possible in every status, like comments (not listed in "from here you can ..."): a vendor
# closes their ticket after ours is resolved, and a review is written around the incident's end.
# Categories and the causing change are corrected after the fact too (reports read them); problems and
# unlinking likewise.
ANY_STATUS_ACTIONS = ("vendor", "clear_vendor", "pir_edit", "pir_follow_up", "pir_complete", "pir_highlight",
                      "recategorise", "link_change", "problem_from_incident", "pir_follow_up_problem",
                      "unlink_incident", "kb_fixed")


def allowed_actions(status: Status, acknowledged: bool | None = None) -> list[str]:
    """Every action possible from this status, in a stable order (for menus and messages).

    On hold, "acknowledge" is offered only when told the incident was not acknowledged yet.
    """
    status = Status(status)
    actions = [a for a, moves in TRANSITIONS.items() if status in moves
               and not (a == "acknowledge" and status is S.ON_HOLD and acknowledged is not False)]
    if status in OPEN_STATUSES:
        actions += list(OPEN_ONLY_ACTIONS)
    if status in UPDATE_STATUSES:
        actions.append("post_update")
    actions.append("comment")
    return actions


def next_status(action: str, status: Status, key: str = "the incident") -> Status:
    """Return the status after `action`, or raise with what is allowed from here."""
    status = Status(status)
    if action in TRANSITIONS or action == "fulfil":
        target = TRANSITIONS.get(action, TRANSITIONS["resolve"]).get(status)
        if target is not None:
            return target
    elif (action in OPEN_ONLY_ACTIONS or action in REQUEST_ACTIONS or action in LINK_ACTIONS) \
            and status in OPEN_STATUSES:
        return status
    elif action == "comment" or action in ANY_STATUS_ACTIONS or (action == "post_update" and status in UPDATE_STATUSES):
        return status
    possible = ", ".join(ACTION_WORDS[a] for a in allowed_actions(status))
    raise InvalidTransition(
        f"cannot {ACTION_WORDS.get(action, action)} {key}: it is {status.label}; from here you can {possible}"
    )


def acknowledge_status(status: Status, acknowledged: bool, key: str = "the incident") -> Status:
    """The status after acknowledging: new -> acknowledged; on hold stays on hold, once only."""
    status = Status(status)
    if status is S.ON_HOLD and acknowledged:
        possible = ", ".join(ACTION_WORDS[a] for a in allowed_actions(status, acknowledged=True))
        raise InvalidTransition(f"cannot acknowledge {key}: it is on hold and was acknowledged already; "
                                f"from here you can {possible}")
    return next_status("acknowledge", status, key)


def check_reopen_window(resolved_at: datetime | None, now: datetime, window: timedelta, key: str) -> None:
    if resolved_at is not None and now - resolved_at > window:
        hours = window.total_seconds() / 3600
        raise InvalidTransition(
            f"cannot reopen {key}: it was resolved more than {hours:g} h ago (the reopen window); log a new incident"
        )


def is_open(status: Status) -> bool:
    return Status(status) in OPEN_STATUSES


@dataclass(frozen=True)
class Situation:
    """What decides whether an action can succeed on one incident now (from a queue row or a detail)."""

    key: str
    status: Status | str
    assignee: str | None = None
    reporter: str | None = None
    is_major: bool = False
    commander: str | None = None
    deputy: str | None = None
    comms_lead: str | None = None
    resolved_at: datetime | None = None
    group: str | None = None
    acknowledged: bool | None = None  # None: not known (then "acknowledge" on hold is offered)


# The one table of who may run an action on someone else's incident (domain/roles.require_may_change):
# action -> (the words for a refusal, whether it picks up unassigned work, which any responder may).
# The services and `check` both read it. A functional escalation ("hand over") depends on the
# dialog's kind, so `check` leaves it to the service; a hierarchical one anyone may make.
CHANGE_RULES: dict[str, tuple[str, bool]] = {
    "acknowledge": ("acknowledge", True), "take": ("reassign", True), "start": ("start work on", False),
    "assign": ("reassign", False), "reprioritise": ("reprioritise", False), "hold": ("put on hold", False),
    "resume": ("resume", False), "resolve": ("resolve", False), "cancel": ("cancel", False),
    "escalate": ("hand over", False), "fulfil": ("fulfil", False), "request_step": ("tick a step of", False),
}
_DEPENDS_ON_VALUES = ("escalate",)


def require_change(action: str, actor: Actor, it: Situation, *, picking_up: bool | None = None) -> None:
    """Refuse `action` on `it` unless `actor` may change it (CHANGE_RULES); `picking_up` overrides the table."""
    doing, picks_up = CHANGE_RULES[action]
    require_may_change(actor, it.assignee, it.reporter, it.group, doing, it.key,
                       picking_up=picks_up if picking_up is None else picking_up)


def check(action: str, it: Situation, actor: Actor | None = None, *, now: datetime | None = None,
          reopen_window: timedelta | None = None) -> None:
    """Raise the error the service would raise for `action` on `it`, before any value is typed.

    Only what does not depend on the dialog's values: the lifecycle, the reopen window, and the
    actor's role / ownership. A check that needs the values (an unknown group, a commander who is
    the assignee) is still the service's, when the dialog is submitted.
    """
    status = Status(it.status)
    if action == "acknowledge" and it.acknowledged is not None:
        acknowledge_status(status, it.acknowledged, it.key)
    else:
        next_status(action, status, it.key)
    if action == "reopen" and now is not None and reopen_window is not None:
        check_reopen_window(it.resolved_at, now, reopen_window, it.key)
    if actor is None:
        return
    if action in CHANGE_RULES and action not in _DEPENDS_ON_VALUES:
        # assign: anyone may assign an unassigned incident to themselves, so it is offered; the service
        # decides with the values (another person, another group) whether it is a reassignment.
        require_change(action, actor, it, picking_up=True if action == "assign" else None)
    if action == "take":
        major.check_assignee(actor.login, it.commander, it.is_major, it.key)
    elif action == "declare_major":
        major.require_declare(actor, it.key)
        if it.is_major:
            raise InvalidTransition(f"{it.key} is already a major incident; nothing to declare")
    elif action == "stand_down_major":
        major.require_stand_down(actor, it.key)
        if not it.is_major:
            raise InvalidTransition(f"{it.key} is not a major incident; nothing to stand down")
    elif action in MAJOR_ACTIONS:
        if not it.is_major:
            raise InvalidTransition(f"{it.key} is not a major incident; declare it first to {ACTION_WORDS[action]}")
        named = (it.commander, it.deputy, it.comms_lead) if action == "post_update" else (it.commander,)
        major.require_coordinate(actor, it.key, ACTION_WORDS[action], *named)


def why_not(action: str, it: Situation, actor: Actor | None = None, *, now: datetime | None = None,
            reopen_window: timedelta | None = None) -> str | None:
    """None if `action` can succeed on `it` now, else the one line saying why not (as the service would)."""
    try:
        check(action, it, actor, now=now, reopen_window=reopen_window)
    except DomainError as exc:
        return str(exc)
    return None
