"""Working-time calendars for SLA clocks: 24x7, or business hours in a time zone with holidays.

SLA targets count working time, not wall time: "4 business hours" logged at 16:00 on a Friday
is due at 11:00 on Monday. Everything here works on aware datetimes and returns UTC. Working
hours are wall-clock hours in the calendar's IANA time zone, so a daylight-saving change
moves them in UTC (09:00 London is 09:00Z in winter and 08:00Z in summer) while a working day
keeps its length; a 00:00-24:00 day on a DST change really is 23 or 25 hours long.

The built-in "business" calendar (Mon-Fri 09:00-17:00) and any configured calendar without a
`time_zone` run in the site time zone (`[general] time_zone`, see incidentdesk/config/), not in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from incidentdesk.domain.errors import ValidationError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
MINUTES_PER_DAY = 24 * 60
# A calendar whose working time is exhausted for this long has none left (e.g. every day a holiday).
MAX_SEARCH_DAYS = 3660


@dataclass(frozen=True)
class Calendar:
    """When the SLA clock runs. The default instance is 24x7 in UTC."""

    name: str = "24x7"
    time_zone: str = "UTC"
    days: frozenset[int] = EVERY_DAY          # 0 = Monday ... 6 = Sunday
    start_minute: int = 0                     # working hours, minutes after local midnight
    end_minute: int = MINUTES_PER_DAY         # exclusive; 1440 means midnight at the end of the day
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.days:
            raise ValidationError(f"calendar {self.name!r} has no working days", field="days")
        if not 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY:
            raise ValidationError(
                f"calendar {self.name!r}: working hours must start before they end, within one day "
                f"(e.g. hours = \"09:00-17:00\")", field="hours")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(
                f"calendar {self.name!r}: unknown time zone {self.time_zone!r}; use an IANA name such as "
                "Europe/London or UTC", field="time_zone") from exc
        # Calendars key the caches below, several lookups per countdown: hash the fields once.
        object.__setattr__(self, "_hash", hash((self.name, self.time_zone, self.days, self.start_minute,
                                                 self.end_minute, self.holidays)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def is_24x7(self) -> bool:
        return (self.days == EVERY_DAY and self.start_minute == 0 and self.end_minute == MINUTES_PER_DAY
                and not self.holidays)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def working_day(self) -> timedelta:
        """The length of one working day: what "1 business day" means on this calendar."""
        return timedelta(minutes=self.end_minute - self.start_minute)

    # -- the two operations SLA clocks need ---------------------------------------------

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which `amount` of working time has passed since `start`."""
        _aware(start)
        if amount <= timedelta(0):
            return start.astimezone(UTC)
        if self.is_24x7:
            return start.astimezone(UTC) + amount
        remaining = amount
        for begin, end in self._intervals(start):
            begin = max(begin, start)
            if begin >= end:
                continue
            available = end - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        raise ValidationError(f"calendar {self.name!r} has no working time left after {start:%Y-%m-%d}")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants (zero if `end` is not after `start`)."""
        _aware(start)
        _aware(end)
        if end <= start:
            return timedelta(0)
        if self.is_24x7:
            return end - start
        total = timedelta(0)
        for begin, stop in self._intervals(start):
            if begin >= end:
                break
            lo, hi = max(begin, start), min(stop, end)
            if hi > lo:
                total += hi - lo
        return total

    def working_left(self, now: datetime, due: datetime) -> timedelta:
        """Working time from `now` until `due`; negative once `due` has passed (working time overdue).

        What a countdown on this calendar shows: 4 business hours left on a Friday at 15:00 is
        "4h", not the 66 wall-clock hours to Monday 11:00. The console asks this of every row every
        second, so each (calendar, due) keeps a straight line valid until the next edge of a
        working interval: inside working hours it moves one second per second, outside them it
        stands still, and between edges no calendar arithmetic is done at all.
        """
        if self.is_24x7:
            return due - now
        key = (self, due)
        line = _LEFT_LINES.get(key)
        if line is None or not line[0] <= now < line[1]:
            line = self._left_line(now, due)
            if len(_LEFT_LINES) >= _LEFT_LINES_MAX:
                _LEFT_LINES.clear()
            _LEFT_LINES[key] = line
        _, _, base, runs_from, overdue = line
        moved = now - runs_from if now > runs_from else timedelta(0)
        return -(base + moved) if overdue else base - moved

    def _left_line(self, now: datetime, due: datetime) -> tuple:
        """(valid from, valid until, value at `runs_from`, runs_from, overdue) for working_left."""
        _aware(now)
        _aware(due)
        begin, end = next(((b, e) for b, e in self._intervals(now) if e > now), (None, None))
        if now < due:
            if begin is None or begin >= due:   # no working time left before the due instant
                return now, due, timedelta(0), due, False
            stop = min(end, due)
            runs_from = max(begin, now)
            return now, stop, (stop - runs_from) + self.elapsed(stop, due), runs_from, False
        if begin is None:
            return now, datetime.max.replace(tzinfo=UTC), self.elapsed(due, now), now, True
        runs_from = max(begin, now)
        return now, end, self.elapsed(due, now), runs_from, True

    def is_working(self, instant: datetime) -> bool:
        _aware(instant)
        local = instant.astimezone(self.zone)
        if not self._is_working_day(local.date()):
            return False
        begin, end = self._interval_on(local.date())
        return begin <= instant < end

    # -- internals ------------------------------------------------------------------------

    def _is_working_day(self, day: date) -> bool:
        return day.weekday() in self.days and day not in self.holidays

    def _local(self, day: date, minute: int) -> datetime:
        if minute >= MINUTES_PER_DAY:
            day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
        wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.zone)
        # A wall time that does not exist (inside a spring-forward gap) is read with the offset in
        # force before the change (01:30 in a 01:00->02:00 gap is 02:30 after it); one that
        # exists twice (autumn) is its first occurrence.
        return wall.astimezone(UTC)

    def _interval_on(self, day: date) -> tuple[datetime, datetime]:
        """A day's working hours in UTC, remembered: time-zone arithmetic is the dear part of add/elapsed."""
        key = (self, day)
        interval = _INTERVALS.get(key)
        if interval is None:
            if len(_INTERVALS) >= _INTERVALS_MAX:
                _INTERVALS.clear()
            interval = _INTERVALS[key] = (self._local(day, self.start_minute), self._local(day, self.end_minute))
        return interval

    def _intervals(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals in UTC, in order, from the local day containing `start` on."""
        day = start.astimezone(self.zone).date()
        for offset in range(MAX_SEARCH_DAYS):
            current = day + timedelta(days=offset)
            if self._is_working_day(current):
                yield self._interval_on(current)


# working_left's straight lines, by (calendar, due instant); a page of rows needs ~100.
_LEFT_LINES: dict[tuple, tuple] = {}
_LEFT_LINES_MAX = 4096
# Working intervals by (calendar, local date): a few years of days for a few calendars.
_INTERVALS: dict[tuple, tuple[datetime, datetime]] = {}
_INTERVALS_MAX = 16384


def _aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise ValueError("calendar arithmetic needs aware datetimes")


TWENTY_FOUR_SEVEN = Calendar()
DEFAULT_BUSINESS = Calendar(name="business", days=WEEKDAYS, start_minute=9 * 60, end_minute=17 * 60)


def business_calendar(time_zone: str = "UTC") -> Calendar:
    """The built-in "business" calendar, Mon-Fri 09:00-17:00, in the site time zone."""
    if time_zone == DEFAULT_BUSINESS.time_zone:
        return DEFAULT_BUSINESS
    return Calendar(name="business", time_zone=time_zone, days=WEEKDAYS, start_minute=9 * 60, end_minute=17 * 60)


# -- parsing (from the [sla.calendars.NAME] tables of incidentdesk.toml) -------------------

def parse_clock_time(text: str, what: str) -> int:
    """"09:00" -> 540; "24:00" is allowed as the end of the day."""
    try:
        hours, minutes = str(text).strip().split(":")
        value = int(hours) * 60 + int(minutes)
    except ValueError:
        raise ValidationError(f"{what} must look like 09:00, not {text!r}", field=what) from None
    if not 0 <= value <= MINUTES_PER_DAY or int(minutes) >= 60:
        raise ValidationError(f"{what} {text!r} is not a time of day", field=what)
    return value


def parse_days(values: Iterable[str] | str) -> frozenset[int]:
    """["mon", "tue", ...] or "mon-fri"."""
    if isinstance(values, str):
        text = values.strip().lower()
        if "-" in text:
            first, last = (part.strip()[:3] for part in text.split("-", 1))
            if first not in DAY_NAMES or last not in DAY_NAMES:
                raise ValidationError(f"days {values!r}: use e.g. \"mon-fri\"", field="days")
            a, b = DAY_NAMES.index(first), DAY_NAMES.index(last)
            return frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))
        values = [v for v in text.replace(",", " ").split()]
    days = set()
    for value in values:
        name = str(value).strip().lower()[:3]
        if name not in DAY_NAMES:
            raise ValidationError(f"unknown day {value!r}: use {', '.join(DAY_NAMES)}", field="days")
        days.add(DAY_NAMES.index(name))
    return frozenset(days)


def parse_calendar(name: str, table: Mapping, default_zone: str = "UTC") -> Calendar:
    """A calendar from its TOML table; missing keys fall back to Mon-Fri 09:00-17:00 in `default_zone`
    (the site time zone).

    `type = "24x7"` gives a calendar that always runs.
    """
    if str(table.get("type", "")).lower() in ("24x7", "always"):
        return Calendar(name=name)
    hours = table.get("hours")
    if hours is not None:
        try:
            start_text, end_text = str(hours).split("-")
        except ValueError:
            raise ValidationError(f"calendar {name!r}: hours must look like \"09:00-17:00\"", field="hours") from None
    else:
        start_text, end_text = table.get("start", "09:00"), table.get("end", "17:00")
    holidays = set()
    for value in table.get("holidays", []):
        try:
            holidays.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            raise ValidationError(f"calendar {name!r}: holiday {value!r} is not a date like 2026-12-25",
                                  field="holidays") from None
    return Calendar(
        name=name,
        time_zone=str(table.get("time_zone", table.get("timezone", default_zone))),
        days=parse_days(table.get("days", ["mon", "tue", "wed", "thu", "fri"])),
        start_minute=parse_clock_time(start_text, "start"),
        end_minute=parse_clock_time(end_text, "end"),
        holidays=frozenset(holidays),
    )
