"""Vendor incidents: record (or clear) the vendor an incident waits on, their ticket, status link and status.

One transaction each, through the incident's usual edit path (locked, version-checked, a
`vendor` event on the timeline naming what changed). The status link must be an http(s) URL
(domain/vendor.check_url); every value has its limit (domain/limits.py). `apply_vendor` is also
used inside another use case's transaction: intake (`new --vendor ...`) and a hold "waiting for
vendor" that names the vendor and ticket.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from incidentdesk.domain import limits
from incidentdesk.domain.enums import EventKind
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.text import one_line
from incidentdesk.domain.vendor import FIELDS, check_url, is_vendor_hold, ticket_ref, vendor_line
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.timeline import append_event

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from incidentdesk.store.models import Incident

def checked(values: dict[str, str | None]) -> dict[str, str | None]:
    """The given vendor fields (None: not given), each on one line, within its limit; the link an http(s) URL."""
    out: dict[str, str | None] = {}
    for name in FIELDS:
        if name not in values or values[name] is None:
            continue
        if name == "vendor_url":
            out[name] = check_url(values[name])
        else:
            out[name] = limits.check(name, one_line(values[name]) or None, parameter=name)
    return out


def apply_vendor(inc: Incident, values: dict[str, str | None]) -> tuple[dict, dict]:
    """Set the checked vendor fields on `inc` (caller's transaction); returns (before, after) of those changed."""
    before, after = {}, {}
    for name, value in checked(values).items():
        if getattr(inc, name) != value:
            before[name], after[name] = getattr(inc, name), value
            setattr(inc, name, value)
    return before, after


def set_vendor(ctx: ServiceContext, key: str, *, vendor: str | None = None, vendor_ticket: str | None = None,
               vendor_url: str | None = None, vendor_status: str | None = None,
               expected_version: int | None = None) -> int:
    """Record the vendor, ticket, status link and/or status (what is not given stays as it is)."""
    from incidentdesk.services.incident_edit import _editing

    given = dict(vendor=vendor, vendor_ticket=vendor_ticket, vendor_url=vendor_url, vendor_status=vendor_status)
    if all(v is None or not str(v).strip() for v in given.values()):
        raise ValidationError("give the vendor, their ticket, a status link or their status "
                              "(to remove them: vendor-clear)", field="vendor")
    values = checked(given)
    with _editing(ctx, key, expected_version) as (s, inc, now):
        before, after = apply_vendor(inc, values)
        if not after:
            raise ValidationError(f"{inc.key} already has these vendor details; nothing to change", field="vendor")
        if not (inc.vendor or inc.vendor_ticket):
            raise ValidationError("name the vendor or their ticket too, not only a status or link", field="vendor")
        record(s, ctx, inc, now, before, after)
        return inc.version + 1


def clear_vendor(ctx: ServiceContext, key: str, *, expected_version: int | None = None) -> int:
    """Remove the vendor details (the incident no longer involves a vendor; the timeline keeps them)."""
    from incidentdesk.services.incident_edit import _editing

    with _editing(ctx, key, expected_version) as (s, inc, now):
        before = {name: getattr(inc, name) for name in FIELDS if getattr(inc, name) is not None}
        if not before:
            raise ValidationError(f"{inc.key} has no vendor details to clear", field="vendor")
        for name in FIELDS:
            setattr(inc, name, None)
        record(s, ctx, inc, now, before, {name: None for name in before}, text="vendor details cleared")
        return inc.version + 1


def record(s: Session, ctx: ServiceContext, inc: Incident, now: datetime, before: dict, after: dict,
           text: str | None = None) -> None:
    """The timeline event for a change of vendor details, naming the vendor ticket."""
    if text is None:
        line = vendor_line(inc.vendor, inc.vendor_ticket, inc.vendor_status, None) or ""
        text = line.removeprefix("Vendor: ")
    append_event(s, inc, ctx.actor, EventKind.VENDOR, now, text=text, before=before, after=after)


def hold_vendor(inc: Incident, reason: str, vendor: str | None, vendor_ticket: str | None) -> dict:
    """A hold's link to the vendor (inside hold's transaction): what its event says and records.

    The vendor and ticket given with the hold are recorded on the incident. A hold "waiting for
    vendor" then names the vendor ticket in its event (`waiting for vendor — Acme Cloud ticket
    4471`); without one it is still put on hold (nobody is kept from pausing the clock for want of
    a ticket number), and the event says the vendor is not named yet. Returns {} when no vendor
    is involved.
    """
    before, after = apply_vendor(inc, dict(vendor=vendor, vendor_ticket=vendor_ticket))
    waiting = is_vendor_hold(reason)
    if not waiting and not after:
        return {}
    ref = ticket_ref(inc.vendor, inc.vendor_ticket)
    text = f"{reason} — {ref or 'vendor and ticket not named yet'}"
    return {"text": text, "before": before,
            "after": {**after, "vendor": inc.vendor, "vendor_ticket": inc.vendor_ticket}}
