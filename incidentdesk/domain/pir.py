"""The post-incident review (PIR) of a major incident, as plain values, and what makes it complete.

A review holds a summary, the impact (duration, users, services), a timeline built from the
incident's own events and stakeholder updates with some marked as highlights (each with an
optional note), what slowed the response, what information was missing, the contributing
causes and follow-up actions with owners and due dates. The services store and version it
(services/pir.py); this module says what makes it complete: a summary and at least one contributing cause
(`missing_parts`); the review itself, as values, is domain/pir_review.py (apart, so that the
incident's detail can say what its review lacks without defining the review's types). A major incident cannot be closed without a
complete review while `[pir] required` is on (`close_refusal`).

Stakeholder updates are read by their event kind's name (`stakeholder_update`), so the review
picks them up whether or not the major-incident module that writes them is installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import one_line, strip_control

STAKEHOLDER_UPDATE = "stakeholder_update"
REVIEW_EVENT = "pir"  # the review's own timeline events: recorded on the incident, left out of its timeline


def missing_parts(summary: str, causes: Iterable[str]) -> list[str]:
    parts = []
    if not (summary or "").strip():
        parts.append("a summary")
    if not any((c or "").strip() for c in causes):
        parts.append("at least one contributing cause")
    return parts


def close_refusal(key: str, exists: bool, summary: str, causes: Iterable[str]) -> str | None:
    """Why a major incident may not be closed yet for want of its review (None: it may)."""
    return refusal_for(key, exists, missing_parts(summary, causes))


def refusal_for(key: str, exists: bool, parts: Iterable[str]) -> str | None:
    """close_refusal from what the review still needs (`missing_parts`)."""
    parts = list(parts)
    if not parts:
        return None
    state = "has no post-incident review yet" if not exists else \
        f"has an incomplete post-incident review (it needs {' and '.join(parts)})"
    return (f"cannot close {key}: it is a major incident and {state}; write the review first — "
            f"`incidentdesk pir-edit {key} --summary TEXT --cause TEXT`, or P in the console "
            "(`[pir] required = false` turns this off)")


def measured_duration(start: datetime | None, end: datetime | None) -> str:
    """`2h 15m` from start to end; "" when either is unknown."""
    if start is None or end is None or end < start:
        return ""
    minutes = int((end - start).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if hours or days:
        parts.append(f"{hours}h")
    parts.append(f"{mins}m")
    return " ".join(parts)


def clean_text(value: str | None) -> str:
    """A multi-line field as stored: control characters removed, ends trimmed."""
    return strip_control(value).strip() if value else ""


def clean_causes(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Contributing causes, one per entry (a text of several lines is one cause per line), blanks dropped."""
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.splitlines()
    out = []
    for value in values:
        for line in str(value).splitlines():
            line = one_line(line)
            if line:
                out.append(line.removeprefix("- ").strip())
    return tuple(c for c in out if c)


def parse_due(text: str | date | None, field_name: str = "due") -> date | None:
    """A follow-up's due date: YYYY-MM-DD (empty: none)."""
    if text is None or isinstance(text, date):
        return text
    text = str(text).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"the due date {one_line(text, 40)!r} is not a date: use YYYY-MM-DD, "
                              "e.g. 2026-12-15", field=field_name) from None


def parse_number(text, what: str, field_name: str) -> int:
    """A positive whole number typed as text (a follow-up's number, an event's sequence number)."""
    try:
        number = int(str(text).strip().lstrip("#"))
    except (TypeError, ValueError):
        raise ValidationError(f"{what} must be a whole number, not {one_line(str(text), 40)!r}",
                              field=field_name) from None
    if number < 1:
        raise ValidationError(f"{what} must be 1 or more, not {number}", field=field_name)
    return number


# --- the timeline, from the incident's events ----------------------------------------------------

_WORDS = {"created": "logged", "held": "put on hold", "started": "work started", "stakeholder_update":
          "stakeholder update", "major_declared": "major declared", "major_stood_down": "major stood down"}
_FACTS = ("status", "priority", "assignee", "group", "commander", "reason", "code", "to_person")


def kind_words(kind: str) -> str:
    return _WORDS.get(kind, kind.replace("_", " "))


def event_summary(text: str | None, before: Mapping | None, after: Mapping | None) -> str:
    """An event in one line: its own words, else what it changed (`status: in progress → resolved`)."""
    said = one_line(text)
    if said:
        return said
    before, after = before or {}, after or {}
    parts = []
    for name in _FACTS:
        if name not in after:
            continue
        new = str(after[name] if after[name] is not None else "—").replace("_", " ")
        if name in before and before[name] != after[name]:
            old = str(before[name] if before[name] is not None else "—").replace("_", " ")
            parts.append(f"{name.replace('_', ' ')}: {old} → {new}")
        elif name not in before and after[name] not in (None, ""):
            parts.append(f"{name.replace('_', ' ')}: {new}")
    return one_line("; ".join(parts))
