"""The incident use cases, declared once: logging one, and every step of its lifecycle.

Choices come from the domain's enums, availability from the domain's lifecycle (each use case's
name is its lifecycle action) and roles from the domain's rules, so the CLI, the console's
dialogs and the palette offer exactly what the services accept. Order matters: it is the
console's order of keys (help screen, palette) and the CLI's order of commands.
"""

from __future__ import annotations

from incidentdesk.domain import major
from incidentdesk.domain.enums import EscalationKind, IncidentType, Level, ResolutionCode, Severity, Status
from incidentdesk.services.catalog.pir import hold_vendor_params, vendor_params
from incidentdesk.services.catalog.spec import Kind, Param, Subject, UseCase


def _incidents():
    from incidentdesk.services import incidents  # the lifecycle steps

    return incidents


def _intake():
    from incidentdesk.services import intake

    return intake


def _assignment():
    from incidentdesk.services import assignment

    return assignment


def _major():
    from incidentdesk.services import major as major_service

    return major_service


def incident_record(db, key: str) -> dict:
    """The incident as `incidentdesk show --json` prints it."""
    from incidentdesk.store import queries

    return queries.incident_detail(db, key).to_json()


def _on_hold(it) -> bool:
    return it.status == Status.ON_HOLD


def _is_major(it) -> bool:
    return bool(it.is_major)


def _reason(help_: str, kind: Kind = Kind.AREA, **extra) -> Param:
    return Param("reason", "Reason", kind, help=help_, required=True, **extra)


def _level(name: str, label: str, **extra) -> Param:
    return Param(name, label, Kind.CHOICE, enum=Level, **extra)


def _severity(**extra) -> Param:
    return Param("severity", "Severity", Kind.CHOICE, enum=Severity, **extra)


_COMMENT = Param("comment", "Comment")
_ON_INCIDENT = {"record": incident_record}

USE_CASES: tuple[UseCase, ...] = (
    UseCase(
        "new", "New incident", "log a new incident with the structured intake form",
        lambda: _intake().log_incident_fields, subject=Subject.NONE, command=("new",), printed="{key}",
        key="n", short="New", rank=4, submit="Log incident", done="logged {key}: {title}", origin="source",
        record=incident_record, params=(
            Param("title", "Title", required=True, placeholder="what is broken, for whom"),
            Param("type", "Type", Kind.CHOICE, enum=IncidentType, default="incident"),
            _level("impact", "Impact", required=True, suggest="medium"),
            _level("urgency", "Urgency", required=True, suggest="medium"),
            _severity(placeholder="from priority"),
            Param("affected_service", "Affected service", Kind.SERVICE, flag="--service"),
            Param("category", "Category", Kind.CATEGORY),
            Param("ci", "CI (asset)", placeholder="e.g. pay-gw-prod"),
            Param("description", "Description", Kind.AREA),
            Param("symptoms", "Symptoms", Kind.AREA),
            Param("started_at", "Started at", Kind.TIME),
            Param("impacted", "Who / how many impacted", placeholder="e.g. all remote staff"),
            Param("steps_to_reproduce", "Steps to reproduce", Kind.AREA),
            Param("device_user", "Device / user", placeholder="e.g. laptop LT-2231, user j.doe"),
            Param("recent_changes", "Recent changes", placeholder="e.g. CHG-1182 config push 09:10"),
            Param("group", "Group", Kind.GROUP),
            *vendor_params(),
        ),
    ),
    UseCase(
        "acknowledge", "Acknowledge", "acknowledge (stops the response clock), optional comment",
        lambda: _incidents().acknowledge, command=("ack",), key="a", short="Ack", rank=1, submit="Acknowledge",
        done="{key} acknowledged", params=(Param("comment", "Comment (optional)"),), **_ON_INCIDENT,
    ),
    UseCase(
        "take", "Take", "take ownership (you become the assignee)",
        lambda: _assignment().take, command=("take",), key="t", rank=5, done="you took {key}", **_ON_INCIDENT,
    ),
    UseCase(
        "assign", "Assign", "assign to a person and/or group",
        lambda: _assignment().assign, command=("assign",), key="s", rank=10, submit="Assign", done="{key} assigned",
        one_of=("user", "group"), params=(
            Param("user", "Person", Kind.PERSON, initial="assignee"),
            Param("group", "Group", Kind.GROUP, initial="group"),
            _COMMENT,
        ), **_ON_INCIDENT,
    ),
    UseCase(
        "reprioritise", "Reprioritise", "change impact/urgency/severity with a reason",
        lambda: _assignment().reprioritise, command=("reprioritise",), key="p", short="Priority", rank=12,
        submit="Reprioritise", done="{key} reprioritised", params=(
            _level("impact", "Impact", initial="impact"),
            _level("urgency", "Urgency", initial="urgency"),
            _severity(initial="severity"),
            Param("reason", "Reason", Kind.AREA, required=True),
        ), **_ON_INCIDENT,
    ),
    UseCase(
        "escalate", "Escalate", "functional or hierarchical escalation with a hand-off summary",
        lambda: _assignment().escalate, command=("escalate",), key="e", rank=3, submit="Escalate",
        done="{key} escalated", params=(
            Param("kind", "Kind", Kind.CHOICE, enum=EscalationKind, required=True, suggest="functional",
                  help="functional: to another group/tier · hierarchical: to management"),
            Param("to_group", "To group", Kind.GROUP, flag="--to", exclude="group"),
            Param("to_person", "To person (hierarchical)", Kind.PERSON),
            Param("reason", "Reason"),
            Param("summary", "Hand-off summary", Kind.AREA, required=True,
                  help="what was tried, device/user details, logs"),
        ), **_ON_INCIDENT,
    ),
    UseCase(
        "start", "Start work", "move an acknowledged incident to in progress",
        lambda: _incidents().start_work, command=("start",), key="w", short="Start", rank=9,
        done="{key} in progress", **_ON_INCIDENT,
    ),
    UseCase(
        "hold", "Hold", "put on hold with a reason (a pausing reason stops the SLA clock)",
        lambda: _incidents().hold, command=("hold",), key="h", binding="hold", when=lambda it: not _on_hold(it),
        rank=6, dialog_title="Put on hold", submit="Hold", done="{key} on hold",
        params=(_reason("a pausing reason ([sla] pausing_reasons) stops the SLA clock", Kind.TEXT,
                        presets="pausing_reasons"), *hold_vendor_params()), **_ON_INCIDENT,
    ),
    UseCase(
        "resume", "Resume", "resume an incident on hold, optional comment",
        lambda: _incidents().resume, command=("resume",), key="h", binding="hold", when=_on_hold, rank=6,
        submit="Resume", done="{key} resumed", params=(_COMMENT,), **_ON_INCIDENT,
    ),
    UseCase(
        "comment", "Comment", "add a note to the timeline",
        lambda: _incidents().comment, command=("comment",), key="m", rank=11, submit="Add comment",
        done="comment added to {key}", conflicts=False,
        params=(Param("text", "Comment", Kind.AREA, required=True, positional=True),), **_ON_INCIDENT,
    ),
    UseCase(
        "resolve", "Resolve", "resolve with a code and notes",
        lambda: _incidents().resolve, command=("resolve",), key="r", rank=2, submit="Resolve",
        done="{key} resolved", params=(
            Param("code", "Resolution code", Kind.CHOICE, enum=ResolutionCode, required=True,
                  suggest="permanent_fix"),
            Param("notes", "Resolution notes", Kind.AREA, required=True, help="what fixed it, or the workaround"),
        ), **_ON_INCIDENT,
    ),
    UseCase(
        "close", "Close", "close after user confirmation, with CSAT",
        lambda: _incidents().close, command=("close",), key="x", rank=7, submit="Close", done="{key} closed",
        params=(
            Param("confirmed", "User confirmed the fix", Kind.FLAG, default=False),
            Param("csat", "CSAT (1-5)", Kind.INT, minimum=1, maximum=5, choices=("5", "4", "3", "2", "1"),
                  placeholder="not given"),
            _COMMENT,
        ), **_ON_INCIDENT,
    ),
    UseCase(
        "declare_major", "Major incident",
        "declare a major incident, with a commander who is not its assignee (default: you)",
        lambda: _major().declare_major, command=("major",), key="M", binding="major", when=lambda it: not _is_major(it),
        role=major.DECLARE_ROLE, short="Major", rank=13, dialog_title="Declare major incident",
        submit="Declare major", done="{key} declared a major incident", params=(
            Param("commander", "Incident commander", Kind.PERSON, exclude="assignee", placeholder="me",
                  help="coordinates the response; not the person fixing it (the assignee)"),
            Param("deputy", "Deputy commander (optional)", Kind.PERSON, exclude="assignee"),
            Param("comms_lead", "Communications lead (optional)", Kind.PERSON,
                  help="writes the stakeholder updates ([major] cadence by severity)"),
            _reason("the business impact that makes it major"),
        ), **_ON_INCIDENT,
    ),
    UseCase(
        "stand_down_major", "Stand down", "stand a major incident down (it stays an ordinary incident)",
        lambda: _major().stand_down_major, command=("stand-down",), key="M", binding="major", when=_is_major,
        role=major.STAND_DOWN_ROLE, rank=13, dialog_title="Stand down major incident", submit="Stand down",
        done="{key} stood down: no longer a major incident",
        params=(_reason("why normal handling is enough now"),), **_ON_INCIDENT,
    ),
    UseCase(
        "reopen", "Reopen", "reopen a resolved incident with a reason",
        lambda: _incidents().reopen, command=("reopen",), key="o", rank=8, submit="Reopen", done="{key} reopened",
        params=(Param("reason", "Reason", Kind.AREA, required=True),), **_ON_INCIDENT,
    ),
    UseCase(
        "cancel", "Cancel", "cancel an open incident (e.g. logged by mistake) with a reason",
        lambda: _incidents().cancel, command=("cancel",), key="c", rank=14, dialog_title="Cancel incident",
        submit="Cancel incident", done="{key} cancelled",
        params=(Param("reason", "Reason", Kind.AREA, required=True),), **_ON_INCIDENT,
    ),
)
