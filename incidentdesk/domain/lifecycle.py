"""The incident lifecycle: which action may move an incident from which status to which.

new -> acknowledged -> in progress <-> on hold -> resolved -> closed; resolved -> reopened
(back to in progress, within a window); any open status -> cancelled. Actions that do not
move the status (assign, comment, escalate, reprioritise, declaring or standing down a major
incident) are allowed on open incidents only.

The first response is recorded when it happens, whatever the status: an incident put on hold
before anyone acknowledged it can be acknowledged on hold (it stays on hold).
"""

from datetime import datetime, timedelta

from incidentdesk.domain.enums import OPEN_STATUSES, Status
from incidentdesk.domain.errors import InvalidTransition

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
OPEN_ONLY_ACTIONS = ("assign", "take", "escalate", "reprioritise", "declare_major", "stand_down_major")

ACTION_WORDS = {
    "acknowledge": "acknowledge", "start": "start work", "hold": "put on hold", "resume": "resume",
    "resolve": "resolve", "close": "close", "reopen": "reopen", "cancel": "cancel",
    "assign": "assign", "take": "take", "escalate": "escalate", "reprioritise": "reprioritise",
    "declare_major": "declare major", "stand_down_major": "stand down", "comment": "comment",
}


def allowed_actions(status: Status, acknowledged: bool | None = None) -> list[str]:
    """Every action possible from this status, in a stable order (for menus and messages).

    On hold, "acknowledge" is offered only when told the incident was not acknowledged yet.
    """
    status = Status(status)
    actions = [a for a, moves in TRANSITIONS.items() if status in moves
               and not (a == "acknowledge" and status is S.ON_HOLD and acknowledged is not False)]
    if status in OPEN_STATUSES:
        actions += list(OPEN_ONLY_ACTIONS)
    actions.append("comment")
    return actions


def next_status(action: str, status: Status, key: str = "the incident") -> Status:
    """Return the status after `action`, or raise with what is allowed from here."""
    status = Status(status)
    if action in TRANSITIONS:
        target = TRANSITIONS[action].get(status)
        if target is not None:
            return target
    elif action in OPEN_ONLY_ACTIONS and status in OPEN_STATUSES:
        return status
    elif action == "comment":
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
