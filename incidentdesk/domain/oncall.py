"""On-call rotations: who is on call at an instant, the next handoff, the shifts over a range.

Pure rules over plain data (store/oncall.py loads it, services/oncall.py changes it). A rotation
hands over at a local wall-clock time in its own IANA zone — every day, or once a week on a
weekday — so a 09:00 handoff stays 09:00 across a DST change (the shift that spans the change is
an hour shorter or longer, as the people working it expect). Shift n starts at the n-th handoff
counted from the rotation's anchor (the first handoff on or after its start date) and belongs to
member n modulo the number of members, so the rotation extends backwards and forwards forever.

Overrides ("X covers [start, end) instead of whoever is scheduled") win over the schedule; where
two overlap, the one added later wins (the newest decision). A swap ("take my Tuesday") is a pair
of overrides that share a pair id: each person covers one shift of the other's.

A handoff time that does not exist on a DST-change day (02:30 when clocks jump 02:00→03:00) is
read as zoneinfo reads it (fold 0: the offset in force before the change, so an hour later in
wall time); one that occurs twice is the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidentdesk.domain.enums import Cadence
from incidentdesk.domain.errors import ValidationError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_MEMBERS = 100
MAX_SHIFTS = 5000          # a schedule asked for is cut here (an iCal feed of a daily rotation over years)


class OverrideKind(StrEnum):
    OVERRIDE = "override"
    SWAP = "swap"


def check_zone(name: str) -> ZoneInfo:
    """The IANA zone named `name`, or one clear error."""
    text = (name or "").strip()
    try:
        if not text or text.startswith(("/", ".")) or ".." in text:
            raise ValueError(text)
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)",
                              field="time_zone") from None


def parse_handoff_time(text: str) -> time:
    """"09:00" -> 09:00; refuses anything that is not HH:MM."""
    try:
        hh, mm = (text or "").strip().split(":")
        if len(mm) != 2:
            raise ValueError(text)
        return time(int(hh), int(mm))
    except ValueError:
        raise ValidationError(f"handoff time must be HH:MM (24-hour), not {text!r}", field="handoff_time") from None


def parse_weekday(text: str | int) -> int:
    """"tuesday" / "tue" / 1 -> 1 (Monday is 0)."""
    if isinstance(text, int):
        if 0 <= text <= 6:
            return text
    else:
        word = (text or "").strip().casefold()
        for index, name in enumerate(WEEKDAYS):
            if word and len(word) >= 3 and name.startswith(word):
                return index
    raise ValidationError(f"handoff day must be a weekday (monday..sunday), not {text!r}", field="handoff_day")


@dataclass(frozen=True)
class Override:
    """`person` covers [start, end) instead of whoever is scheduled; `id` orders them (newest wins)."""

    id: int
    person: str
    start: datetime
    end: datetime
    kind: OverrideKind = OverrideKind.OVERRIDE
    reason: str = ""
    pair_id: int | None = None  # a swap's other half

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Rotation:
    group: str
    members: tuple[str, ...]
    cadence: Cadence = Cadence.WEEKLY
    handoff_weekday: int = 0          # weekly: Monday is 0
    handoff_time: time = time(9, 0)
    zone: str = "UTC"
    start: date = date(2026, 1, 1)    # the anchor: the first handoff on or after this date is member 0's
    overrides: tuple[Override, ...] = field(default_factory=tuple)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    @property
    def anchor(self) -> date:
        if self.cadence is Cadence.DAILY:
            return self.start
        return self.start + timedelta(days=(self.handoff_weekday - self.start.weekday()) % 7)

    def handoff(self, n: int) -> datetime:
        """The instant (UTC) shift n starts: the n-th handoff from the anchor, at local wall time."""
        day = self.anchor + timedelta(days=n * self.cadence.days)
        return datetime.combine(day, self.handoff_time, tzinfo=self.tz).astimezone(UTC)

    def shift_index(self, at: datetime) -> int:
        """n such that handoff(n) <= at < handoff(n + 1)."""
        local = _aware(at).astimezone(self.tz)
        n = (local.date() - self.anchor).days // self.cadence.days
        while self.handoff(n) > at:
            n -= 1
        while self.handoff(n + 1) <= at:
            n += 1
        return n

    def scheduled(self, at: datetime) -> str | None:
        """Who the rotation itself puts on call at `at` (overrides aside); None without members."""
        if not self.members:
            return None
        return self.members[self.shift_index(_aware(at)) % len(self.members)]

    def override_at(self, at: datetime) -> Override | None:
        """The override in force at `at`: of those covering it, the newest."""
        covering = [o for o in self.overrides if o.covers(at)]
        return max(covering, key=lambda o: o.id) if covering else None

    def on_call(self, at: datetime) -> str | None:
        """Who is on call at `at`: an override's person, else the scheduled member."""
        at = _aware(at)
        found = self.override_at(at)
        return found.person if found is not None else self.scheduled(at)

    def next_handoff(self, at: datetime) -> datetime:
        """The next scheduled handoff strictly after `at`."""
        return self.handoff(self.shift_index(_aware(at)) + 1)

    def shifts(self, start: datetime, end: datetime) -> list[Shift]:
        """Who is on call over [start, end), as consecutive shifts (cut at handoffs and override edges).

        Adjacent pieces with the same person and the same cause are one shift; at most MAX_SHIFTS.
        """
        start, end = _aware(start), _aware(end)
        if end <= start:
            return []
        cuts = {start, end}
        n = self.shift_index(start) + 1
        while (at := self.handoff(n)) < end and len(cuts) < MAX_SHIFTS * 2:
            cuts.add(at)
            n += 1
        for o in self.overrides:
            for edge in (o.start, o.end):
                if start < edge < end:
                    cuts.add(edge)
        edges = sorted(cuts)
        result: list[Shift] = []
        for a, b in zip(edges, edges[1:]):
            found = self.override_at(a)
            scheduled = self.scheduled(a)
            person = found.person if found is not None else scheduled
            piece = Shift(a, b, person, scheduled, found.id if found else None,
                          found.kind if found else None, self.handoff(self.shift_index(a)))
            last = result[-1] if result else None
            if last is not None and last.person == piece.person and last.override_id == piece.override_id \
                    and (piece.override_id is not None or last.slot == piece.slot):
                result[-1] = Shift(last.start, b, last.person, last.scheduled, last.override_id, last.kind, last.slot)
            else:
                result.append(piece)
            if len(result) >= MAX_SHIFTS:
                break
        return result

    def now_and_next(self, at: datetime, horizon_days: int = 90) -> tuple[Shift | None, Shift | None]:
        """The shift in force at `at` and the next one with another person (None past the horizon)."""
        at = _aware(at)
        window = self.shifts(at, at + timedelta(days=horizon_days))
        if not window:
            return None, None
        current = window[0]
        following = next((s for s in window[1:] if s.person != current.person), None)
        if following is not None:  # the current shift runs until the person changes
            current = Shift(current.start, following.start, current.person, current.scheduled,
                            current.override_id, current.kind, current.slot)
        return current, following

    def shift_of(self, person: str, at: datetime) -> Shift:
        """The scheduled shift containing `at` (for a swap: the one given away), refusing if it is not theirs."""
        at = _aware(at)
        n = self.shift_index(at)
        owner = self.scheduled(at)
        if owner != person:
            raise ValidationError(f"the shift at {at:%Y-%m-%d %H:%M} UTC is {owner or 'nobody'}'s, not {person}'s",
                                  field="shift")
        return Shift(self.handoff(n), self.handoff(n + 1), person, self.scheduled(at), None, None, self.handoff(n))

    def next_shift_of(self, person: str, after: datetime, horizon_days: int = 366) -> Shift:
        """`person`'s next scheduled shift starting at or after `after` (a swap's shift taken back)."""
        if person not in self.members:
            raise ValidationError(f"{person} is not a member of the {self.group} rotation", field="with_person")
        n = self.shift_index(_aware(after))
        if self.handoff(n) < after:
            n += 1
        limit = n + horizon_days // self.cadence.days + 1
        while n <= limit:
            if self.members[n % len(self.members)] == person:
                return Shift(self.handoff(n), self.handoff(n + 1), person, person, None, None, self.handoff(n))
            n += 1
        raise ValidationError(f"{person} has no shift in the next {horizon_days} days", field="with_person")


@dataclass(frozen=True)
class Shift:
    start: datetime
    end: datetime
    person: str | None
    scheduled: str | None            # who the rotation put there (differs from person under an override)
    override_id: int | None = None
    kind: OverrideKind | None = None
    slot: datetime | None = None     # the scheduled handoff this piece belongs to (its calendar identity)

    @property
    def covered(self) -> bool:
        return self.override_id is not None


def swap_overrides(rotation: Rotation, person: str, at: datetime, other: str,
                   back: datetime | None = None) -> tuple[tuple[str, datetime, datetime], tuple[str, datetime, datetime]]:
    """A swap as two overrides: `other` covers `person`'s shift at `at`; `person` covers one of `other`'s.

    `back`: an instant in the shift of `other`'s taken in exchange (default: their next shift after
    the one given away). Returned as (person, start, end) pairs, the given-away shift first.
    """
    if other == person:
        raise ValidationError("a swap needs two different people", field="with_person")
    if other not in rotation.members:
        raise ValidationError(f"{other} is not a member of the {rotation.group} rotation", field="with_person")
    mine = rotation.shift_of(person, at)
    theirs = rotation.shift_of(other, back) if back is not None else rotation.next_shift_of(other, mine.end)
    if theirs.start < mine.end and mine.start < theirs.end:
        raise ValidationError("the two shifts of a swap overlap", field="back")
    return (other, mine.start, mine.end), (person, theirs.start, theirs.end)


def check_override(person: str, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    if start is None or end is None:
        raise ValidationError("an override needs a start and an end", field="start" if start is None else "end")
    start, end = _aware(start), _aware(end)
    if end <= start:
        raise ValidationError("an override's end must be after its start", field="end")
    if end - start > timedelta(days=366):
        raise ValidationError("an override is at most a year long", field="end")
    return start, end


def check_members(members: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(m.strip() for m in members if m and m.strip())
    if len(cleaned) > MAX_MEMBERS:
        raise ValidationError(f"a rotation has at most {MAX_MEMBERS} members", field="members")
    return cleaned


def describe(rotation: Rotation) -> str:
    """"weekly, Monday 09:00 Europe/Berlin" — how the rotation hands over, in words."""
    when = rotation.handoff_time.strftime("%H:%M")
    if rotation.cadence is Cadence.DAILY:
        return f"daily at {when} {rotation.zone}"
    return f"weekly, {WEEKDAYS[rotation.handoff_weekday].capitalize()} {when} {rotation.zone}"


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("on-call instants must be time-zone aware")
    return at.astimezone(UTC)


def shift_json(shift: Shift | None) -> dict | None:
    if shift is None:
        return None
    return {"person": shift.person, "start": shift.start.isoformat(), "end": shift.end.isoformat(),
            "scheduled": shift.scheduled, "override": shift.override_id, "kind": str(shift.kind) if shift.kind else None}


def rotation_json(rotation: Rotation, now: datetime) -> dict:
    """The rotation as `oncall show --json` prints it: its settings, who is on call now and next."""
    current, following = rotation.now_and_next(now)
    return {"group": rotation.group, "cadence": str(rotation.cadence),
            "handoff_day": WEEKDAYS[rotation.handoff_weekday] if rotation.cadence is Cadence.WEEKLY else None,
            "handoff_time": rotation.handoff_time.strftime("%H:%M"), "time_zone": rotation.zone,
            "start": rotation.start.isoformat(), "members": list(rotation.members), "describe": describe(rotation),
            "now": shift_json(current), "next": shift_json(following),
            "next_handoff": rotation.next_handoff(now).isoformat()}
