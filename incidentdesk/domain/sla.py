"""SLA targets per priority and the due times they give.

For now every target runs on a plain 24x7 clock from the incident's start; business-hours
calendars and pauses on hold build on `due_at`.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SlaTarget:
    response: timedelta
    resolution: timedelta


DEFAULT_TARGETS: dict[int, SlaTarget] = {
    1: SlaTarget(timedelta(minutes=15), timedelta(hours=4)),
    2: SlaTarget(timedelta(minutes=30), timedelta(hours=8)),
    3: SlaTarget(timedelta(hours=4), timedelta(days=3)),
    4: SlaTarget(timedelta(days=1), timedelta(days=5)),
}


def targets_from_config(table: Mapping[str, Mapping[str, float]] | None) -> dict[int, SlaTarget]:
    """`[sla.P1] response_minutes = 15, resolution_minutes = 240`; missing values keep defaults."""
    targets = dict(DEFAULT_TARGETS)
    for name, row in (table or {}).items():
        prio = int(str(name).upper().removeprefix("P"))
        base = targets.get(prio, DEFAULT_TARGETS[4])
        targets[prio] = SlaTarget(
            timedelta(minutes=float(row.get("response_minutes", base.response.total_seconds() / 60))),
            timedelta(minutes=float(row.get("resolution_minutes", base.resolution.total_seconds() / 60))),
        )
    return targets


def due_at(start: datetime, target: timedelta) -> datetime:
    return start + target


def due_times(start: datetime, priority: int, targets: Mapping[int, SlaTarget]) -> tuple[datetime, datetime]:
    target = targets[priority]
    return due_at(start, target.response), due_at(start, target.resolution)


def next_due(acknowledged: bool, response_due: datetime, resolution_due: datetime) -> datetime:
    """The deadline the queue sorts by: response until acknowledged, resolution after."""
    return resolution_due if acknowledged else response_due
