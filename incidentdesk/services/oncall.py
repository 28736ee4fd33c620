"""On-call use cases: set a group's rotation and its members, add and remove overrides, swap shifts.

Triage captains, incident managers and admins manage rotations; a member may swap their own
shift with another member (both halves of a swap are recorded as overrides sharing a pair id).
Each use case is one transaction, recorded in the directory trail like group changes
(services/directory.py): `audit verify` holds every rotation and override to its record, so a
rotation edited in the database shows. Overrides are stamped removed, never deleted.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidentdesk.domain.enums import Role, Weekday, parse_enum
from incidentdesk.domain.errors import NotFound, PermissionDenied, ValidationError
from incidentdesk.domain.names import check_login, check_name
from incidentdesk.domain.oncall import (
    Cadence, OverrideKind, check_members, check_override, check_zone, parse_handoff_time, parse_weekday,
    swap_overrides,
)
from incidentdesk.domain.roles import at_least, require
from incidentdesk.services.context import ServiceContext
from incidentdesk.services.directory import _record
from incidentdesk.store import audit as trail
from incidentdesk.store import oncall as reads
from incidentdesk.store.models import Group, User
from incidentdesk.store.oncall_models import OncallMember, OncallOverride, OncallRotation

MANAGE = "manage on-call rotations"


def _group(s: Session, name: str) -> Group:
    group = s.scalar(select(Group).where(Group.name == check_name(name, "group")))
    if group is None:
        raise NotFound(f"no group {name!r}: add it first with `incidentdesk groups add`")
    return group


def _rotation(s: Session, group: str) -> OncallRotation:
    row = reads.rotation_row(s, group)
    if row is None:
        reads.load_rotation(s, group)  # raises the NotFound that says what to do
    return row


def _login(value: str | None, field: str) -> str:
    """A login checked as one (length, characters), the error naming the use case's parameter."""
    try:
        return check_login(value, "login")
    except ValidationError as exc:
        raise ValidationError(str(exc), field=field) from None


def _known(s: Session, login: str, field: str) -> str:
    login = _login(login, field)
    if s.scalar(select(User.id).where(User.login == login)) is None:
        raise ValidationError(f"unknown person {login!r}: add them with `incidentdesk users add`", field=field)
    return login


def _reason(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > 500:
        raise ValidationError(f"a reason is at most 500 characters (this one is {len(text)})", field="reason")
    return text


def _start_date(text: str | None, default: date) -> date:
    if not (text or "").strip():
        return default
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"start must be a date YYYY-MM-DD, not {text!r}", field="start") from None


def set_rotation(ctx: ServiceContext, group: str, *, cadence: Cadence | str | None = None,
                 handoff_day: Weekday | str | None = None, handoff_time: str | None = None,
                 time_zone: str | None = None, start: str | None = None,
                 members: list[str] | tuple[str, ...] = ()) -> str:
    """Create or change a group's rotation; what is not given keeps its value (new: weekly, Monday 09:00, site zone).

    `members` (when given) replaces the order. `start`: the anchor date; the first handoff on or
    after it is the first member's.
    """
    cadence = parse_enum(Cadence, cadence, "cadence") if cadence else None
    weekday = parse_weekday(str(handoff_day)) if handoff_day else None
    if handoff_time:
        parse_handoff_time(handoff_time)
    zone = str(check_zone(time_zone)) if time_zone else None
    members = check_members(members or ())
    with ctx.db.write() as s:
        require(ctx.actor, Role.TRIAGE_CAPTAIN, MANAGE)
        trail.lock(s, trail.DIRECTORY_LOCK)
        g = _group(s, group)
        row = reads.rotation_row(s, g.name)
        before = reads.rotation_state(row) if row is not None else None
        now = ctx.now()
        if row is None:
            site = str(check_zone(ctx.config.time_zone))
            row = OncallRotation(group_id=g.id, cadence=str(Cadence.WEEKLY), handoff_weekday=0, handoff_time="09:00",
                                 time_zone=zone or site, start_date=now.astimezone(check_zone(zone or site)).date(),
                                 updated_at=now, updated_by=ctx.actor.login)
            s.add(row)
        if cadence is not None:
            row.cadence = str(cadence)
        if weekday is not None:
            row.handoff_weekday = weekday
        if handoff_time:
            row.handoff_time = parse_handoff_time(handoff_time).strftime("%H:%M")
        if zone:
            row.time_zone = zone
        row.start_date = _start_date(start, row.start_date)
        if members:
            _replace_members(s, row, members)
        after = reads.rotation_state(row)
        if before == after:
            raise ValidationError(f"the {g.name} rotation already has these values; nothing to change", field="cadence")
        row.updated_at, row.updated_by = now, ctx.actor.login
        _record(ctx, s, "rotation_set" if before else "rotation_added", "rotation", g.name, before, after)
        return g.name


def set_members(ctx: ServiceContext, group: str, *, members: list[str] | tuple[str, ...]) -> str:
    """Replace the rotation's members, in the order given (the first is on call from the anchor)."""
    members = check_members(members or ())
    if not members:
        raise ValidationError("name the members in order (--member LOGIN, repeated)", field="members")
    with ctx.db.write() as s:
        require(ctx.actor, Role.TRIAGE_CAPTAIN, MANAGE)
        trail.lock(s, trail.DIRECTORY_LOCK)
        row = _rotation(s, _group(s, group).name)
        before = reads.rotation_state(row)
        _replace_members(s, row, members)
        row.updated_at, row.updated_by = ctx.now(), ctx.actor.login
        _record(ctx, s, "rotation_set", "rotation", group, before, reads.rotation_state(row))
        return group


def _replace_members(s: Session, row: OncallRotation, members: tuple[str, ...]) -> None:
    for login in members:
        _known(s, login, "members")
    row.members.clear()
    s.flush()  # the old positions go before the new ones take them (a unique constraint)
    row.members.extend(OncallMember(position=i, login=login) for i, login in enumerate(members))


def add_override(ctx: ServiceContext, group: str, *, person: str, start: datetime | None, end: datetime | None,
                 reason: str = "") -> str:
    """`person` covers [start, end) instead of whoever is scheduled; returns the override's number."""
    start, end = check_override(person, start, end)
    reason = _reason(reason)
    with ctx.db.write() as s:
        require(ctx.actor, Role.TRIAGE_CAPTAIN, MANAGE)
        trail.lock(s, trail.DIRECTORY_LOCK)
        row = _rotation(s, _group(s, group).name)
        person = _known(s, person, "person")
        return str(_add(ctx, s, row, group, person, start, end, OverrideKind.OVERRIDE, reason).id)


def swap(ctx: ServiceContext, group: str, *, shift: datetime | None, with_person: str,
         back: datetime | None = None, person: str | None = None, reason: str = "") -> str:
    """"Take my Tuesday": `with_person` covers `person`'s shift at `shift`; `person` covers one of theirs.

    `person` defaults to the caller; `back` is an instant in the shift taken in exchange (default:
    with_person's next shift after the one given away). A member may swap their own shift (not
    take someone else's without them); anyone else needs the triage captain role. Returns the first override's number (the pair are consecutive).
    """
    if shift is None:
        raise ValidationError("name the shift to give away (any time inside it)", field="shift")
    person = _login(person, "person") if person else ctx.actor.login
    with_person = _login(with_person, "with_person")
    reason = _reason(reason)
    with ctx.db.write() as s:
        trail.lock(s, trail.DIRECTORY_LOCK)
        row = _rotation(s, _group(s, group).name)
        rotation = reads.to_domain(s, row, group)
        if ctx.actor.login != person and not at_least(ctx.actor, Role.TRIAGE_CAPTAIN):
            raise PermissionDenied(f"{ctx.actor.login} may not swap other people's shifts "
                                   "(the shift's own member, or a triage captain, may)")
        if person not in rotation.members and not at_least(ctx.actor, Role.TRIAGE_CAPTAIN):
            raise PermissionDenied(f"{person} is not a member of the {group} rotation")
        (p1, s1, e1), (p2, s2, e2) = swap_overrides(rotation, person, shift, with_person, back)
        why = reason or f"swap: {with_person} takes {person}'s shift"
        first = _add(ctx, s, row, group, p1, s1, e1, OverrideKind.SWAP, why)
        _add(ctx, s, row, group, p2, s2, e2, OverrideKind.SWAP, why, pair=first)
        return str(first.id)


def _add(ctx: ServiceContext, s: Session, row: OncallRotation, group: str, person: str, start: datetime,
         end: datetime, kind: OverrideKind, reason: str, pair: OncallOverride | None = None) -> OncallOverride:
    o = OncallOverride(rotation_id=row.id, person=person, starts_at=start, ends_at=end, kind=str(kind), reason=reason,
                       pair_id=pair.id if pair is not None else None, created_at=ctx.now(), created_by=ctx.actor.login)
    s.add(o)
    s.flush()
    if pair is not None:
        before = reads.override_state(pair, group)
        pair.pair_id = o.id
        _record(ctx, s, "swap_paired", "oncall_override", str(pair.id), before, reads.override_state(pair, group))
    _record(ctx, s, f"{kind}_added", "oncall_override", str(o.id), None, reads.override_state(o, group))
    return o


def remove_override(ctx: ServiceContext, group: str, *, number: int) -> str:
    """Remove an override (a swap's other half goes with it); the row stays, stamped removed.

    Triage captains may remove any; others only one they added.
    """
    with ctx.db.write() as s:
        trail.lock(s, trail.DIRECTORY_LOCK)
        row = _rotation(s, _group(s, group).name)
        o = s.get(OncallOverride, number)
        if o is None or o.rotation_id != row.id:
            raise NotFound(f"no override #{number} on the {group} rotation (see `incidentdesk oncall show {group}`)")
        if o.removed_at is not None:
            raise ValidationError(f"override #{number} was removed already", field="number")
        if o.created_by != ctx.actor.login and not at_least(ctx.actor, Role.TRIAGE_CAPTAIN):
            raise PermissionDenied(f"{ctx.actor.login} may not remove an override {o.created_by} added")
        pair = s.get(OncallOverride, o.pair_id) if o.pair_id else None
        for item in (o, pair):
            if item is None or item.removed_at is not None:
                continue
            before = reads.override_state(item, group)
            item.removed_at, item.removed_by = ctx.now(), ctx.actor.login
            _record(ctx, s, "override_removed", "oncall_override", str(item.id), before,
                    reads.override_state(item, group))
        return str(number)
