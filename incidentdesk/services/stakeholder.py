"""Posting a stakeholder update on a major incident: one transaction, one timeline event.

The update (domain/stakeholder.py) is checked, rendered as the text people will read, and
recorded as a `stakeholder_update` event — the rendered text as the event's text, the fields
in its `after` — so the notification rules (which react to timeline events) send exactly what
the log shows. Posting resets the cadence: the next update is due at the time the update
promised, or one cadence (domain/major_cadence.py) from now when it names none.

Who may post: the major incident's commander, deputy or communications lead, or an incident
manager (domain/major.require_coordinate). Possible while the incident is open and once it is
resolved (the "resolved" update); not after it is closed or stood down.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from incidentdesk.domain import lifecycle, major, stakeholder
from incidentdesk.domain.enums import EventKind, Status
from incidentdesk.domain.errors import InvalidTransition
from incidentdesk.domain.vendor import vendor_line
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.incident_edit import _editing
from incidentdesk.services.timeline import append_event
from incidentdesk.store import writes


def post_update(ctx: ServiceContext, key: str, *, impacted: str, who: str, status: str, workaround: str = "",
                next_update: datetime | None = None, follow: str = "", expected_version: int | None = None) -> int:
    """Post a stakeholder update; returns the incident's new version."""
    with _editing(ctx, key, expected_version) as (s, inc, now):
        lifecycle.next_status("post_update", Status(inc.status), inc.key)
        if not inc.is_major:
            raise InvalidTransition(f"{inc.key} is not a major incident; declare it first to post stakeholder updates")
        major.require_coordinate(ctx.actor, inc.key, "post a stakeholder update", inc.commander, inc.deputy,
                                 inc.comms_lead)
        due = next_update or now + ctx.config.major.cadence_for(inc.severity)
        update = stakeholder.make_update(impacted=impacted, who=who, status=status, workaround=workaround,
                                         follow=follow, next_update_at=due, now=now)
        number = writes.events_of_kind(s, inc.id, str(EventKind.STAKEHOLDER_UPDATE)) + 1
        vendor = vendor_line(inc.vendor, inc.vendor_ticket, inc.vendor_status, inc.vendor_url)
        extra = [("Vendor", vendor.removeprefix("Vendor: "))] if vendor else []  # the supplier it waits on
        text = stakeholder.render(update, key=inc.key, title=inc.title, severity=inc.severity, number=number,
                                  posted_at=now, posted_by=ctx.actor.login, zone=ZoneInfo(ctx.config.time_zone),
                                  extra=extra)
        before = {"next_update_due": _iso(inc.next_update_due), "last_update_at": _iso(inc.last_update_at)}
        inc.last_update_at = now
        inc.next_update_due = due
        append_event(s, inc, ctx.actor, EventKind.STAKEHOLDER_UPDATE, now, text=text, before=before,
                     after={**update.to_fields(), "number": number})
        return inc.version + 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
