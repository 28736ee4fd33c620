"""Loading an incident for change, shared by every use case that changes one.

`_editing` opens the transaction, locks the row and refuses a stale `expected_version` (an
EditConflict naming who changed it and when); the rest clean what people type and apply the
domain's lifecycle and role rules to the incident loaded. The use cases themselves are in
services/intake.py, services/assignment.py and services/incidents.py (the lifecycle steps).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.domain import lifecycle
from incidentdesk.domain.enums import OPEN_STATUSES, Status
from incidentdesk.domain.errors import EditConflict, NotFound, ValidationError
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.text import strip_control
from incidentdesk.services.context import ServiceContext
from incidentdesk.store import writes

if TYPE_CHECKING:  # loading for change goes through store/writes: a plain sqlite3 write imports no SQLAlchemy
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Group, Incident


def _clean(text: str | None) -> str:
    return strip_control(text).strip() if text else ""


def _required(text: str | None, field: str, what: str) -> str:
    value = _clean(text)
    if not value:
        raise ValidationError(f"{what} is required", field=field)
    return value


def _group_by_name(session: Session, name: str | None) -> Group | None:
    if not name:
        return None
    group = writes.group_named(session, name)
    if group is None:
        known = ", ".join(writes.group_names(session)) or "none yet"
        raise ValidationError(f"unknown group {name!r}: known groups are {known}", field="group")
    return group


def _known_user(session: Session, login: str, field: str) -> str:
    """`login`, refused unless it is a known person's."""
    known = writes.known_login(session, login)
    if known is None:
        raise ValidationError(f"unknown person {login!r}: add them with `incidentdesk users add`", field=field)
    return known


def _situation(inc: Incident) -> lifecycle.Situation:
    return lifecycle.Situation(key=inc.key, status=inc.status, assignee=inc.assignee, reporter=inc.reporter,
                               is_major=inc.is_major, commander=inc.commander, deputy=inc.deputy,
                               comms_lead=inc.comms_lead, resolved_at=inc.resolved_at,
                               group=inc.group.name if inc.group else None,
                               acknowledged=inc.acknowledged_at is not None)


def _require_may_change(ctx: ServiceContext, inc: Incident, action: str, *, step: bool = False,
                        picking_up: bool | None = None) -> None:
    """domain/lifecycle.CHANGE_RULES (roles.py's one rule for changing an incident) applied to this one.

    `step`: check the lifecycle step first — "it is closed" says more than "it is not yours".
    """
    if step:
        lifecycle.next_status(action, Status(inc.status), inc.key)
    lifecycle.require_change(action, ctx.actor, _situation(inc), picking_up=picking_up)


def _set_status(incident: Incident, status: Status) -> None:
    incident.status = str(status)
    incident.is_open = status in OPEN_STATUSES


@contextmanager
def _editing(ctx: ServiceContext, key: str, expected_version: int | None) -> Iterator[tuple[Session, Incident, datetime]]:
    """Load one incident for change, locked, and refuse if it moved on since `expected_version`."""
    number = parse_key(key)
    try:
        with writes.transaction(ctx.db) as s:
            incident = writes.incident_for_update(s, number)
            if incident is None:
                raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
            if expected_version is not None and incident.version != expected_version:
                raise _conflict(incident)
            now = ctx.now()
            # No autoflush until commit: the incident is then written by ONE update, so its version
            # moves by exactly one per action and `inc.version + 1` is what callers see next.
            with s.no_autoflush:
                yield s, incident, now
                incident.updated_at = now
                incident.updated_by = ctx.actor.login
    except writes.StaleRow:
        fresh = writes.incident_now(ctx.db, number)
        if fresh is None:
            raise NotFound(f"{key} was deleted while you edited it") from None
        raise _conflict(fresh) from None


def _conflict(incident: Incident) -> EditConflict:
    when = incident.updated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    return EditConflict(
        f"{incident.key} was changed by {incident.updated_by} at {when}; nothing was saved — "
        "review the new state and try again",
        key=incident.key, changed_by=incident.updated_by, changed_at=incident.updated_at,
    )


def _transition(incident: Incident, action: str) -> tuple[Status, Status]:
    before = Status(incident.status)
    after = lifecycle.next_status(action, before, incident.key)
    _set_status(incident, after)
    return before, after
