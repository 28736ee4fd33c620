"""`incidentdesk oncall`: who is on call now and next for every group; `oncall show GROUP`; `oncall ical GROUP`.

Changing rotations is done by the generated commands (oncall rotation-set, members, override,
swap, override-remove: services/catalog/oncall.py); this only reads. Times print in the site
time zone ([general] time_zone) with the zone named; --json prints ISO 8601 instants.

The iCal feed (icalendar, imported when it runs) has one event per shift; each event's UID is the
rotation's group and the shift's scheduled handoff (plus the start of a piece an override cuts
out of it), so a calendar that refreshes the feed updates the events it has instead of adding copies.
"""

from __future__ import annotations

import hashlib
import sys
from datetime import datetime, timedelta

from incidentdesk.cli.common import config_of, print_json, runtime
from incidentdesk.domain.text import printable


def _zone(args):
    from zoneinfo import ZoneInfo

    return ZoneInfo(config_of(args).time_zone)


def _when(at: datetime, zone) -> str:
    return at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def cmd_oncall(args) -> int:
    from incidentdesk.domain.oncall import describe, rotation_json
    from incidentdesk.store import oncall

    rt = runtime(args)
    now = rt.now()
    rotations = oncall.rotations(rt.db, since=now)
    if args.json:
        print_json([rotation_json(r, now) for r in rotations])
        return 0
    if not rotations:
        print("no on-call rotations yet: set one with `incidentdesk oncall rotation-set GROUP --member LOGIN ...`")
        return 0
    zone = _zone(args)
    print(f"{'GROUP':<20} {'ON CALL NOW':<16} {'UNTIL':<21} {'NEXT':<16} HANDOFF")
    for r in rotations:
        current, following = r.now_and_next(now)
        who = (current.person or "nobody") + (" *" if current.covered else "")
        print(f"{printable(r.group)[:20]:<20} {printable(who)[:16]:<16} {_when(current.end, zone):<21} "
              f"{printable(following.person or 'nobody')[:16] if following else '—':<16} {describe(r)}")
    print(f"(times in {zone.key}; * covering by override or swap)")
    return 0


def cmd_show(args) -> int:
    from incidentdesk.domain.oncall import describe, rotation_json, shift_json
    from incidentdesk.store import oncall

    rt = runtime(args)
    now = rt.now()
    rotation = oncall.rotation(rt.db, args.group, since=now)
    shifts = rotation.shifts(now, now + timedelta(days=args.days))
    listed = oncall.overrides(rt.db, args.group, since=now)
    if args.json:
        print_json({**rotation_json(rotation, now), "shifts": [shift_json(s) for s in shifts],
                    "overrides": [o.to_json() for o in listed]})
        return 0
    zone = _zone(args)
    print(f"{printable(rotation.group)}: {describe(rotation)}, from {rotation.start.isoformat()}")
    print("members: " + (", ".join(printable(m) for m in rotation.members) or "none yet"))
    print(f"\nshifts, next {args.days} days ({zone.key}):")
    for s in shifts:
        note = f"  (override #{s.override_id} {s.kind}, for {printable(s.scheduled or 'nobody')})" if s.covered else ""
        print(f"  {_when(s.start, zone)} → {_when(s.end, zone)}  {printable(s.person or 'nobody')}{note}")
    if listed:
        print("\noverrides in force or to come:")
        for o in listed:
            pair = f", pair of #{o.pair_id}" if o.pair_id else ""
            print(f"  #{o.id} {o.kind}{pair}: {printable(o.person)} {_when(o.start, zone)} → {_when(o.end, zone)}"
                  f" — {printable(o.reason) or 'no reason given'} (by {printable(o.created_by)})")
    return 0


def ical_feed(rotation, start: datetime, end: datetime, stamp: datetime, site: str = "incidentdesk") -> bytes:
    """The rotation's shifts over [start, end) as an iCalendar document (one VEVENT per shift)."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//incidentdesk//on-call//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"On call: {rotation.group}")
    cal.add("x-wr-timezone", rotation.zone)
    group_id = hashlib.sha256(rotation.group.encode()).hexdigest()[:12]
    for s in rotation.shifts(start, end):
        event = Event()
        slot = s.slot or s.start
        piece = "" if s.start == slot or s.start == start else f"-{s.start:%Y%m%dT%H%M%SZ}"
        event.add("uid", f"oncall-{group_id}-{slot:%Y%m%dT%H%M%SZ}{piece}@{site}")
        event.add("dtstamp", stamp)
        event.add("dtstart", s.start)
        event.add("dtend", s.end)
        who = s.person or "nobody"
        event.add("summary", f"On call: {who} ({rotation.group})")
        lines = [f"{who} is on call for {rotation.group}."]
        if s.covered:
            lines.append(f"{s.kind} #{s.override_id}, covering for {s.scheduled or 'nobody'}.")
        event.add("description", "\n".join(lines))
        event.add("categories", ["on-call"])
        cal.add_component(event)
    return cal.to_ical()


def cmd_ical(args) -> int:
    from incidentdesk.domain.errors import ValidationError
    from incidentdesk.store import oncall

    if not 1 <= args.days <= 730:
        raise ValidationError(f"--days must be 1 to 730, not {args.days}")
    rt = runtime(args)
    now = rt.now()
    rotation = oncall.rotation(rt.db, args.group, since=now - timedelta(days=7))
    # From the start of the shift in force: the current event keeps its UID from refresh to refresh.
    start = rotation.handoff(rotation.shift_index(now))
    sys.stdout.buffer.write(ical_feed(rotation, start, now + timedelta(days=args.days), now))
    sys.stdout.flush()
    return 0


def register(commands) -> None:
    p = commands.add("oncall", help="on call now and next for every group; rotations, overrides, swaps, iCal",
                     description="Who is on call now, until when, and who is next, for every group with a "
                                 "rotation. Read one with `oncall show GROUP` or `oncall ical GROUP > file.ics`; "
                                 "change them with `oncall rotation-set`, `oncall members`, `oncall override`, "
                                 "`oncall swap`, `oncall override-remove` (each has --help).")
    p.add_argument("--json", action="store_true", help="every rotation, with now and next, as JSON")
    p.set_defaults(handler=cmd_oncall)
    p = commands.add(("oncall", "show"), help="a group's rotation, its shifts and overrides",
                     description="A group's rotation: how it hands over, its members, the shifts over the "
                                 "next days (overrides and swaps marked) and the overrides to come.")
    p.add_argument("group", metavar="GROUP")
    p.add_argument("--days", type=int, default=14, help="how many days of shifts (default 14)")
    p.add_argument("--json", action="store_true", help="the rotation, shifts and overrides as JSON")
    p.set_defaults(handler=cmd_show)
    p = commands.add(("oncall", "ical"), help="a group's rotation as an iCalendar feed (> file.ics)",
                     description="Print the rotation's shifts as an iCalendar (.ics) feed, from the shift in "
                                 "force to --days ahead, for a calendar to subscribe to. Event UIDs are "
                                 "stable: a refreshed feed updates events rather than adding copies.")
    p.add_argument("group", metavar="GROUP")
    p.add_argument("--days", type=int, default=60, help="how many days ahead (default 60, at most 730)")
    p.set_defaults(handler=cmd_ical)
