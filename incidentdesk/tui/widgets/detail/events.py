"""Timeline events in words a person reads: "Priority: P3 → P1", "Assignee: marco → —".

Events store what changed as `before` / `after` dicts keyed by field name (the audit chain
seals them as written); this is the one place those names and values become labels.
Values from people or the directory (logins, group names, reasons) are shown literally.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from incidentdesk.tui.format import literal, short_time

KINDS = {
    "created": "logged", "started": "work started", "held": "put on hold", "comment": "comment",
    "sla": "SLA", "major_declared": "major declared", "major_stood_down": "major stood down",
    "command_handed": "command handed", "major_roles": "major roles", "stakeholder_update": "stakeholder update",
    "pir": "review", "vendor": "vendor", "request_step": "fulfilment step", "approval": "approval",
}

FIELDS = {
    "assignee": "Assignee", "group": "Group", "tier": "Tier", "status": "Status", "priority": "Priority",
    "impact": "Impact", "urgency": "Urgency", "severity": "Severity", "type": "Type", "source": "Source",
    "kind": "Kind", "to_person": "To", "automatic": "Automatic", "reason": "Reason", "code": "Resolution code",
    "fcr": "First-contact resolution", "user_confirmed": "User confirmed", "csat": "CSAT",
    "reopen_count": "Times reopened", "response_sla": "Response SLA", "resolution_sla": "Resolution SLA",
    "sla_paused": "SLA clock", "is_major": "Major incident", "commander": "Commander", "declared_at": "Declared",
    "alert_count": "Alerts", "target": "Target", "state": "State", "due_at": "Due", "since": "Since",
    "breached_at": "Breached at", "deputy": "Deputy", "comms_lead": "Comms lead",
    "next_update_due": "Next update due", "last_update_at": "Last update",
    "breached_at": "Breached at", "vendor_url": "Vendor status link", "review_version": "Review version",
}

_TIMES = ("due_at", "since", "breached_at", "declared_at", "next_update_due", "last_update_at", "next_update_at")
_WORDS = ("status", "code", "state", "response_sla", "resolution_sla")  # stored as snake_case words


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind.replace("_", " "))


def field_label(name: str) -> str:
    return FIELDS.get(name, name.replace("_", " ").capitalize())


def value_text(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "sla_paused":
        return "paused" if value else "running"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name in _TIMES:
        try:
            return short_time(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if name in _WORDS:
        return str(value).replace("_", " ")
    return str(value)


# Facts an event's own text already states (an SLA event's text names the target and due time).
_SAID = {"sla": {"target", "due_at", "since", "breached_at"}, "major_roles": {"deputy", "comms_lead"},
         # a stakeholder update's text is the whole rendered update: its fields say nothing more
         "stakeholder_update": {"impacted", "who", "current_status", "workaround", "next_update_at", "follow", "number",
                                "last_update_at"}}


def changes(before: dict | None, after: dict | None, kind: str = "") -> list[str]:
    """One line per field: `Label: old → new` for a change, `Label: value` for a fact the event adds."""
    before, after = before or {}, after or {}
    said = _SAID.get(kind, set())
    lines = []
    for name, value in after.items():
        if name in said:
            continue
        if name in before:
            if before[name] != value:
                lines.append(f"{field_label(name)}: {value_text(name, before[name])} → {value_text(name, value)}")
        elif value not in (None, False, ""):
            lines.append(f"{field_label(name)}: {value_text(name, value)}")
    return lines


def event_text(e) -> Text:
    """The event's own words, then what it changed (dim), each shown literally."""
    text = literal(e.text, single_line=False) if e.text else Text("")
    lines = changes(e.before, e.after, e.kind)
    if lines:
        if text.plain:
            text.append("\n")
        text.append_text(literal("; ".join(lines), "dim", single_line=False))
    return text
