"""The metrics, defined once: what each figure counts, from which instant to which, and what it leaves out.

The store (store/metrics.py) turns these definitions into SQL aggregates; the CLI, the reports
screen and the README all repeat the table below, so a person can check any figure by hand.

| figure | incidents it counts | start -> end / formula |
| --- | --- | --- |
| logged | created in the period, every type and status | count, by type and by source |
| backlog | open now (not in the period: the queue as it stands) | count; age = now - created_at |
| MTTA | created in the period, acknowledged | created_at -> acknowledged_at |
| MTTR | resolved in the period | created_at -> resolved_at (gross); minus on-hold time (net) |
| time to restore | resolved in the period with resolution code `workaround` | created_at -> resolved_at, net |
| time to resolve | resolved in the period with resolution code `permanent_fix` | created_at -> resolved_at, net |
| FCR rate | resolved in the period | share with first_contact_resolution set |
| reopen rate | resolved in the period | share with reopen_count > 0 |
| escalation rate | created in the period | share with at least one escalation record |
| response met % | created in the period whose response target has a verdict | met / (met + breached) |
| resolution met % | created in the period whose resolution target has a verdict | met / (met + breached) |
| MTBF | created in the period, per service / per CI with 2+ incidents | (last start - first start) / (n - 1) |
| CSAT | resolved in the period with a rating | average rating (1-5) and number of responses |

Definitions:
- Every duration is in whole seconds: each instant is truncated to its second, then subtracted
  (the same integer on SQLite and PostgreSQL). Mean, median (p50) and p90 are given for each.
- Percentiles are linear interpolation between the closest ranks (PostgreSQL's percentile_cont):
  for n sorted values v1..vn, position = 1 + p * (n - 1); the value at its floor plus the
  fraction of the way to the next one. p50 of 10, 20, 30, 40 is 25; p90 is 37.
- **On-hold time** is `sla_paused_seconds` as the SLA clock recorded it: the working time (on the
  incident's SLA calendar, so business hours where the policy uses them) spent on hold for a
  pausing reason, plus the time spent resolved before a reopen. "Net" durations subtract it
  (never below 0); "gross" ones are wall-clock. Both are reported for MTTR; restore/resolve are net.
- **First contact**: resolved at tier 1, never escalated (no escalation record) and never reopened
  (the `first_contact_resolution` flag the resolve use case records; a reopen clears it).
- **Reopened**: reopened at least once (reopen_count > 0), counted against the incident's last resolution.
- **Met / breached** come from the recorded SLA states: a target counts as breached if its current
  state is breached or any target it replaced (sla_target_history) was; as met if its state is met
  and nothing it replaced was breached; still running (on track, at risk) has no verdict yet.
- **MTBF** uses the incident's start (started_at, else created_at); the mean of the gaps between
  consecutive starts equals (last - first) / (n - 1).
- **Excluded** from every figure but "logged": service requests (type request), cancelled
  incidents and duplicates (resolution code duplicate, or linked as a duplicate of another incident).
- Breakdowns: priority always (every table has a row per priority and an "all" row); `--by`
  groups by one more dimension: group, assignee, category, service (affected service) or ci.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from incidentdesk.domain.errors import ValidationError

BREAKDOWNS = ("priority", "group", "assignee", "category", "service", "ci")
FORMATS = ("table", "json", "csv")
PERCENTILES = (0.5, 0.9)

# The resolution codes that split MTTR into restore (a workaround) and resolve (a permanent fix).
RESTORE_CODE = "workaround"
RESOLVE_CODE = "permanent_fix"
DUPLICATE_CODE = "duplicate"
DUPLICATE_LINK = "duplicate"  # incidents.link_kind of one linked as a duplicate (domain/links.LinkKind)
EXCLUDED_TYPES = ("request",)
EXCLUDED_STATUSES = ("cancelled",)

# The duration figures: name -> (label, unit note). The order is the report's.
DURATIONS = {
    "mtta": "MTTA (created -> acknowledged)",
    "mttr_gross": "MTTR gross (created -> resolved)",
    "mttr_net": "MTTR net of on-hold time",
    "restore": "time to restore (workaround, net)",
    "resolve": "time to resolve (permanent fix, net)",
}

_RELATIVE = re.compile(r"^\s*(\d{1,5})\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class Period:
    """[since, until): the instants incidents are counted between (UTC)."""

    since: datetime
    until: datetime

    @property
    def label(self) -> str:
        return f"{self.since:%Y-%m-%d %H:%M} - {self.until:%Y-%m-%d %H:%M} UTC"


def parse_instant(text: str, now: datetime, what: str, *, end: bool = False) -> datetime:
    """`30d`, `12w`, `48h` (that long before now), an ISO date (its midnight UTC; `end`: the next
    midnight, so `--until 2026-11-30` includes that day) or an ISO date-time (naive means UTC)."""
    value = (text or "").strip()
    match = _RELATIVE.match(value)
    if match:
        return now - int(match.group(1)) * _UNITS[match.group(2).lower()]
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return start + timedelta(days=1) if end else start
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{what} {text!r} is not a period: use e.g. 30d, 12w, 48h, 2026-11-01 or "
                              "2026-11-01T09:00", field=what) from None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def parse_period(since: str, until: str | None, now: datetime) -> Period:
    """The report's period; until defaults to now. An empty or reversed period is an error."""
    start = parse_instant(since, now, "--since")
    stop = parse_instant(until, now, "--until", end=True) if until else now
    if stop <= start:
        raise ValidationError(f"--until ({stop:%Y-%m-%d %H:%M}) must be after --since ({start:%Y-%m-%d %H:%M})",
                              field="--until")
    return Period(start, stop)


def parse_breakdown(text: str) -> str:
    value = (text or "").strip().lower()
    if value not in BREAKDOWNS:
        raise ValidationError(f"unknown breakdown {text!r}: use one of {', '.join(BREAKDOWNS)}", field="--by")
    return value


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks: the reference the SQL of both backends must equal."""
    if not sorted_values:
        return None
    position = p * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (position - low) * (sorted_values[high] - sorted_values[low])


def rate(part: int, whole: int) -> float | None:
    """A share in percent, or None when nothing was counted (not 0%: there was nothing to judge)."""
    return None if not whole else round(100.0 * part / whole, 2)


def weeks(period: Period) -> list[datetime]:
    """The Monday 00:00 UTC starts of the weeks the period touches (the trends' x axis)."""
    first = (period.since - timedelta(days=period.since.weekday())).replace(hour=0, minute=0, second=0,
                                                                            microsecond=0)
    out = []
    while first < period.until:
        out.append(first)
        first += timedelta(weeks=1)
    return out


def human_duration(seconds: float | None) -> str:
    """Short form for tables: 45s, 12m, 3.5h, 2.1d."""
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
