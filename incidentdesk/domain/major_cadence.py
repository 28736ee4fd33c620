"""The stakeholder-update cadence of a major incident: when the next update is due, and how close it is.

ITIL (and the seeds) ask for updates on a predictable cadence by severity — every 15–30 min for
SEV1, 30–60 min for SEV2. `[major] cadence` sets it (minutes per severity; default SEV1 30,
SEV2 60; a severity not listed uses the slowest listed). The next update is due one cadence
after the last update, or after the declaration before the first. The countdown a console
shows (on time, due soon — amber, `[major] due_soon_minutes`, default 5 — or overdue, red and
counting up) is derived here, like domain/sla_state.py's, so the UI only renders it. Nothing
here reads a clock: callers pass `now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from incidentdesk.domain.enums import Severity
from incidentdesk.domain.errors import ValidationError
from incidentdesk.domain.sla_state import format_duration

DEFAULT_CADENCE = {Severity.SEV1: timedelta(minutes=30), Severity.SEV2: timedelta(minutes=60)}
DEFAULT_DUE_SOON = timedelta(minutes=5)
_KEYS = ("cadence", "due_soon_minutes")


@dataclass(frozen=True)
class MajorSettings:
    cadence: dict[Severity, timedelta] = field(default_factory=lambda: dict(DEFAULT_CADENCE))
    due_soon: timedelta = DEFAULT_DUE_SOON

    def cadence_for(self, severity: Severity | str | None) -> timedelta:
        """The cadence of `severity`; one not listed gets the slowest listed (never a faster one)."""
        try:
            return self.cadence[Severity(severity)]
        except (ValueError, KeyError):
            return max(self.cadence.values())


MINUTES_ALLOWED = "use a number of minutes from 1 to 1440"


def minutes_ok(value) -> bool:
    """A cadence or threshold in minutes: 1 minute to a day."""
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return False
    return 1 <= minutes <= 24 * 60  # NaN fails too


def _minutes(value, where: str) -> float:
    if not minutes_ok(value):
        raise ValidationError(f"{where} = {value!r} under [major] in incidentdesk.toml: {MINUTES_ALLOWED}",
                              field="major")
    return float(value)


def settings_from_config(section: dict | None) -> MajorSettings:
    """`[major]` checked: unknown keys and values out of range are refused with one line."""
    section = dict(section or {})
    unknown = sorted(set(section) - set(_KEYS))
    if unknown:
        raise ValidationError(f"unknown setting {', '.join(unknown)} under [major] in incidentdesk.toml: "
                              f"the settings are {', '.join(_KEYS)}", field="major")
    cadence = dict(DEFAULT_CADENCE)
    raw = section.get("cadence", {})
    if not isinstance(raw, dict):
        raise ValidationError("[major] cadence in incidentdesk.toml must be a table of minutes per severity, "
                              "e.g. cadence = { SEV1 = 30, SEV2 = 60 }", field="major")
    for name, value in raw.items():
        try:
            severity = Severity(str(name).upper())
        except ValueError:
            raise ValidationError(f"unknown severity {name!r} in [major] cadence: use "
                                  f"{', '.join(s.value for s in Severity)}", field="major") from None
        cadence[severity] = timedelta(minutes=_minutes(value, f"cadence.{name}"))
    due_soon = timedelta(minutes=_minutes(section.get("due_soon_minutes", 5), "due_soon_minutes"))
    return MajorSettings(cadence, due_soon)


def next_due(settings: MajorSettings, severity: Severity | str | None, last_update_at: datetime | None,
             declared_at: datetime | None) -> datetime | None:
    """Last update (or the declaration, before the first) plus the severity's cadence."""
    since = last_update_at or declared_at
    return since + settings.cadence_for(severity) if since is not None else None


def rescheduled(settings: MajorSettings, severity: Severity | str | None, last_update_at: datetime | None,
                declared_at: datetime | None, current: datetime | None) -> datetime | None:
    """The next update after a severity change: sooner if the new cadence says so, never later than promised."""
    due = next_due(settings, severity, last_update_at, declared_at)
    if due is None or current is None:
        return due or current
    return min(due, current)


class UpdateState(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class UpdateCountdown:
    state: UpdateState
    seconds: float      # until due; negative once overdue
    due_at: datetime

    @property
    def text(self) -> str:
        """`12m03s` on time, `!4m10s` due soon, `+2m00s` overdue (counting up): the cue is never colour alone."""
        if self.state is UpdateState.OVERDUE:
            return "+" + format_duration(-self.seconds)
        body = format_duration(self.seconds)
        return "!" + body if self.state is UpdateState.DUE_SOON else body

    def words(self) -> str:
        """In a sentence: "next update due in 12m03s" / "update overdue by 2m00s"."""
        if self.state is UpdateState.OVERDUE:
            return f"update overdue by {format_duration(-self.seconds)}"
        return f"next update due in {format_duration(self.seconds)}"


def update_countdown(now: datetime, due_at: datetime | None, due_soon: timedelta = DEFAULT_DUE_SOON
                     ) -> UpdateCountdown | None:
    """The countdown to the next update (None: nothing due — not a major incident)."""
    if due_at is None:
        return None
    seconds = (due_at - now).total_seconds()
    if seconds <= 0:
        state = UpdateState.OVERDUE
    elif seconds <= due_soon.total_seconds():
        state = UpdateState.DUE_SOON
    else:
        state = UpdateState.ON_TIME
    return UpdateCountdown(state, seconds, due_at)


def update_overdue(item, now: datetime) -> bool:
    """Whether an open major incident (a queue row or a detail) is past its next update time."""
    due = getattr(item, "next_update_due", None)
    return bool(item.is_major and item.is_open and due is not None and now >= due)
