"""The vocabularies the desk stores — of the incident record, and of on-call rotations (Cadence,
Weekday: the catalog offers them as choices at every start, without the rotation rules of
domain/oncall.py) — as string enums so they store and print as is."""

from enum import StrEnum


class Level(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class IncidentType(StrEnum):
    INCIDENT = "incident"
    REQUEST = "request"


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


OPEN_STATUSES = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ON_HOLD})


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class Source(StrEnum):
    MANUAL = "manual"
    ALERT = "alert"
    PHONE = "phone"
    EMAIL = "email"
    CLI = "cli"


class Role(StrEnum):
    RESPONDER = "responder"
    TRIAGE_CAPTAIN = "triage_captain"
    INCIDENT_MANAGER = "incident_manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class ResolutionCode(StrEnum):
    WORKAROUND = "workaround"
    PERMANENT_FIX = "permanent_fix"
    DUPLICATE = "duplicate"
    NOT_REPRODUCIBLE = "not_reproducible"
    USER_ERROR = "user_error"
    NO_FAULT_FOUND = "no_fault_found"
    AUTO_RESOLVED = "auto_resolved"


class EscalationKind(StrEnum):
    FUNCTIONAL = "functional"
    HIERARCHICAL = "hierarchical"


class EventKind(StrEnum):
    CREATED = "created"
    ACKNOWLEDGED = "acknowledged"
    STARTED = "started"
    ASSIGNED = "assigned"
    REPRIORITISED = "reprioritised"
    ESCALATED = "escalated"
    HELD = "held"
    RESUMED = "resumed"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"
    COMMENT = "comment"
    SLA = "sla"
    ALERT = "alert"
    MAJOR_DECLARED = "major_declared"
    MAJOR_STOOD_DOWN = "major_stood_down"
    COMMAND_HANDED = "command_handed"          # a major incident's command handed to another person
    MAJOR_ROLES = "major_roles"                # its deputy / communications lead named or cleared
    STAKEHOLDER_UPDATE = "stakeholder_update"  # an update posted (text: the rendered update)
    VENDOR = "vendor"            # vendor, ticket, status link or status set or cleared (services/vendor.py)
    KNOWLEDGE = "knowledge"      # "this fixed it": a knowledge-base article linked (services/kb.py)
    PIR = "pir"                  # the post-incident review edited (services/pir.py; domain/pir.REVIEW_EVENT)
    REQUEST_STEP = "request_step"  # a service request's fulfilment step ticked or unticked (services/requests.py)
    APPROVAL = "approval"          # a service request's approval asked for, given or refused
    CATEGORISED = "categorised"  # category and/or CI set (services/cmdb.recategorise)
    CAUSED_BY_CHANGE = "caused_by_change"  # linked to (or unlinked from) the change that caused it (services/cmdb.py)
    PROBLEM = "problem"          # linked to / unlinked from a problem (services/problems.py)
    LINKED = "linked"            # folded under a parent or an original, or unfolded (services/links.py)


def parse_enum(enum_cls, value: str, what: str):
    """Parse user text into an enum member, with an error listing what is accepted."""
    from incidentdesk.domain.errors import ValidationError

    text = str(value).strip()
    for member in enum_cls:
        if text.lower() in (member.value.lower(), member.name.lower(), member.value.replace("_", " ").lower(),
                            member.value.replace("_", "-").lower()):
            return member
    allowed = ", ".join(m.value for m in enum_cls)
    raise ValidationError(f"unknown {what} {text!r}: use one of {allowed}", field=what)


class Cadence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"

    @property
    def days(self) -> int:
        return 1 if self is Cadence.DAILY else 7


class Weekday(StrEnum):
    """A weekly rotation's handoff day, as the catalog offers it (Monday is index 0)."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"
