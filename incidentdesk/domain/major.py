"""Major incidents: who may declare and stand one down, and the commander who is never the resolver.

ITIL: a major incident is declared explicitly, and its incident commander coordinates (people,
stakeholder updates, decisions) while someone else fixes it. So the commander may not be the
incident's assignee, neither when it is declared, nor when command is handed over, nor by a later
assignment. Once declared, the people running it — the commander, an optional deputy (who may
take command) and communications lead — or an incident manager coordinate it (require_coordinate);
a P1 that is not major prompts a triage captain to declare it (should_prompt).
"""

from __future__ import annotations

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import PermissionDenied, ValidationError
from incidentdesk.domain.roles import Actor, at_least, require

DECLARE_ROLE = Role.TRIAGE_CAPTAIN      # whoever keeps the queue moving can call a major incident
STAND_DOWN_ROLE = Role.INCIDENT_MANAGER  # calling it off is a management decision

_NOT_RESOLVER = "the commander coordinates and never doubles as the resolver"


def require_declare(actor: Actor, key: str) -> None:
    require(actor, DECLARE_ROLE, f"declare {key} a major incident")


def require_stand_down(actor: Actor, key: str) -> None:
    require(actor, STAND_DOWN_ROLE, f"stand down major incident {key}")


def check_commander(commander: str, assignee: str | None, key: str) -> None:
    """A new commander must not be the person the incident is assigned to."""
    if assignee is not None and commander == assignee:
        raise ValidationError(
            f"{commander} is assigned {key}, and {_NOT_RESOLVER}: name another commander or reassign {key} first",
            field="commander",
        )


def check_assignee(assignee: str | None, commander: str | None, is_major: bool, key: str) -> None:
    """On a major incident, the commander may not become the assignee."""
    if is_major and assignee is not None and assignee == commander:
        raise ValidationError(
            f"{assignee} is the commander of major incident {key}, and {_NOT_RESOLVER}: "
            "assign someone else (or stand the major incident down first)",
            field="assignee",
        )


def is_commander(login: str, commander: str | None, is_major: bool) -> bool:
    return is_major and commander is not None and login == commander


# -- the roles of a major incident after it is declared ------------------------------------
# Handing command, naming the deputy / comms lead and posting stakeholder updates belong to the
# people running the major incident: its commander (and, for updates, its deputy and comms lead),
# or anyone with this role. Declared in the catalog as the least role; the named people pass too.
COORDINATE_ROLE = Role.INCIDENT_MANAGER


def require_coordinate(actor: Actor, key: str, doing: str, *named: str | None) -> None:
    """Refuse unless `actor` is one of `named` (the commander, ...) or holds COORDINATE_ROLE."""
    if actor.login in {n for n in named if n}:
        return
    if at_least(actor, COORDINATE_ROLE):
        return
    who = "its commander" if len(named) == 1 else "its commander, deputy or communications lead"
    raise PermissionDenied(
        f"{actor.login} ({actor.role.label}) may not {doing} on major incident {key}: it needs the "
        f"{COORDINATE_ROLE.label} role or higher, or to be {who}"
    )


def check_hand(new_commander: str, current: str | None, assignee: str | None, key: str) -> None:
    """Command goes to someone else, who is not the resolver."""
    if new_commander == current:
        raise ValidationError(f"{new_commander} already commands {key}; name the person taking over",
                              field="commander")
    check_commander(new_commander, assignee, key)


def check_roles(commander: str | None, deputy: str | None, comms_lead: str | None, key: str) -> None:
    """The deputy stands in for the commander, so it is someone else; the comms lead may be anyone."""
    if deputy is not None and deputy == commander:
        raise ValidationError(f"{deputy} commands {key}; the deputy is someone else who can take over",
                              field="deputy")


# -- prompting the triage captain: a P1 that is not (yet) a major incident ------------------
PROMPT_ROLE = DECLARE_ROLE
PROMPT_WINDOW_SECONDS = 15 * 60   # a P1 raised longer ago than this is old news, not a prompt


def raised_to_p1(kind: str, before: dict | None, after: dict | None) -> bool:
    """Whether a timeline event made the incident P1: logged as P1, or reprioritised from another priority."""
    became = (after or {}).get("priority") == "P1"
    if kind == "created":
        return became
    return kind == "reprioritised" and became and (before or {}).get("priority") != "P1"


def should_prompt(actor: Actor, *, type_: str, priority: int, is_major: bool, is_open: bool, kind: str,
                  before: dict | None, after: dict | None, seconds_ago: float) -> bool:
    """Prompt `actor` to declare: they may declare, and an open, non-major incident just became P1."""
    return (at_least(actor, PROMPT_ROLE) and type_ == "incident" and priority == 1 and not is_major and is_open
            and raised_to_p1(kind, before, after) and 0 <= seconds_ago <= PROMPT_WINDOW_SECONDS)
