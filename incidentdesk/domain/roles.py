"""Who may do what. The services call these; the UI may use them only to grey out keys."""

from dataclasses import dataclass, field

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import PermissionDenied

RANK = {Role.RESPONDER: 0, Role.TRIAGE_CAPTAIN: 1, Role.INCIDENT_MANAGER: 2, Role.ADMIN: 3}


@dataclass(frozen=True)
class Actor:
    """The person acting: `login` is who they act as, `real_login` the OS login behind it."""

    login: str
    role: Role = Role.RESPONDER
    real_login: str = ""
    groups: frozenset[str] = field(default_factory=frozenset)
    known: bool = True

    @property
    def effective_real_login(self) -> str:
        return self.real_login or self.login


def at_least(actor: Actor, role: Role) -> bool:
    return RANK[actor.role] >= RANK[role]


def require(actor: Actor, role: Role, doing: str) -> None:
    if not at_least(actor, role):
        raise PermissionDenied(
            f"{actor.login} ({actor.role.label}) may not {doing}: it needs the {role.label} role or higher; ask an admin"
        )


def can_manage_others(actor: Actor) -> bool:
    """Triage captains and incident managers move other people's work around."""
    return at_least(actor, Role.TRIAGE_CAPTAIN)


def may_change(actor: Actor, assignee: str | None, reporter: str | None, group: str | None = None, *,
               picking_up: bool = False) -> bool:
    """The one rule for changing an incident (see require_may_change)."""
    if can_manage_others(actor):
        return True
    if assignee is not None:
        return assignee == actor.login
    if picking_up or reporter is None and group is None:
        return True
    return actor.login == reporter or (group is not None and group in actor.groups)


def require_may_change(actor: Actor, assignee: str | None, reporter: str | None, group: str | None, doing: str,
                       key: str, *, picking_up: bool = False) -> None:
    """Who may change an incident: triage captains and incident managers (and admins) always; else
    an assigned incident only its assignee, and an unassigned one whoever logged it or a member of
    its group (it sits in their queue).

    Every use case that changes the work on an incident — its state, priority, group or assignee
    — calls this: assign, take, acknowledge, start, hold, resume, functional escalation,
    reprioritise, resolve, cancel (and declaring or standing down a major incident need a
    captain or manager anyway). What changes nothing another person is working on does not:
    comment, hierarchical escalation (it asks management to look and moves nothing), and on a
    resolved incident close and reopen — the work is done, and they record the user's verdict
    (confirmed, or it is back), which whoever takes the user's call enters. `picking_up`: the action makes the actor the
    assignee of an unassigned incident (take, acknowledge), which any responder may do — it is how
    work is picked up from a queue; an assigned incident is then the assignee's.
    """
    if may_change(actor, assignee, reporter, group, picking_up=picking_up):
        return
    if assignee is not None:
        raise PermissionDenied(
            f"{actor.login} may not {doing} {key}: it belongs to {assignee}; ask a triage captain or "
            f"incident manager (or {assignee}, to hand it over)"
        )
    queue = f" and the {group} group" if group else ""
    raise PermissionDenied(
        f"{actor.login} may not {doing} {key}: it belongs to {reporter} (who logged it){queue} until someone "
        "takes it; take it first, or ask a triage captain or incident manager"
    )
