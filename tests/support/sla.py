"""SLA figures computed the plain way, to check the clock's answers against."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from incidentdesk.domain.calendars import Calendar
from incidentdesk.domain.sla import DEFAULT_CALENDARS, TWENTY_FOUR_SEVEN, SlaTarget, span_on


def due_times(start: datetime, priority: int, targets: Mapping[int, SlaTarget],
              calendars: Mapping[str, Calendar] | None = None) -> tuple[datetime, datetime]:
    """Response and resolution due times from `start`, on the target's calendar (no pauses)."""
    target = targets[priority]
    calendar = (calendars or DEFAULT_CALENDARS).get(target.calendar, TWENTY_FOUR_SEVEN)
    return (calendar.add(start, span_on(target.response, calendar)),
            calendar.add(start, span_on(target.resolution, calendar)))
