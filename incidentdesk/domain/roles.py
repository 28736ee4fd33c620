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


def require_owner_or_captain(actor: Actor, assignee: str | None, reporter: str | None, doing: str, key: str) -> None:
    if can_manage_others(actor) or actor.login in (assignee, reporter) or assignee is None and reporter is None:
        return
    owner = assignee or reporter
    raise PermissionDenied(
        f"{actor.login} may not {doing} {key}: it belongs to {owner}; ask a triage captain or incident manager"
    )
