"""What the receiver's GET /metrics exposes, read from the database at scrape time.

Derived from the rows, not counted in a process, so every receiver over the same database
answers the same and a restart loses nothing. Two aggregate statements: the open incidents
(through the queue index, is_open first) and the all-time counters (one pass over the table).
The same exclusion as the report (store/metrics_sql.excluded): no requests, cancelled or duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, text

from incidentdesk.store.engine import Database
from incidentdesk.store.metrics_sql import epoch, excluded
from incidentdesk.store.types import UTCDateTime


def open_sql(backend: str) -> str:
    breached = "(i.response_sla_state = 'breached' OR i.resolution_sla_state = 'breached')"
    at_risk = f"((i.response_sla_state = 'at_risk' OR i.resolution_sla_state = 'at_risk') AND NOT {breached})"
    return (f"SELECT i.priority AS p, i.status AS status, count(*) AS n, "
            f"sum(CASE WHEN i.acknowledged_at IS NULL THEN 1 ELSE 0 END) AS unacknowledged, "
            f"sum(CASE WHEN {at_risk} THEN 1 ELSE 0 END) AS at_risk, "
            f"sum(CASE WHEN {breached} THEN 1 ELSE 0 END) AS breached, "
            f"sum(CASE WHEN i.is_major THEN 1 ELSE 0 END) AS majors, "
            f"sum(CASE WHEN i.is_major AND i.next_update_due <= :now THEN 1 ELSE 0 END) AS overdue, "
            f"min({epoch(backend, 'i.created_at')}) AS oldest "
            f"FROM incidents i WHERE i.is_open = TRUE AND NOT {excluded()} GROUP BY i.priority, i.status")


def totals_sql() -> str:
    return (f"SELECT i.priority AS p, count(*) AS created, count(i.resolved_at) AS resolved, "
            f"count(i.response_breached_at) AS response_breaches, count(i.resolution_breached_at) AS resolution_breaches "
            f"FROM incidents i WHERE NOT {excluded()} GROUP BY i.priority")


def replaced_sql() -> str:
    """Breaches of targets a reprioritisation replaced (sla_target_history): they stay counted."""
    return (f"SELECT h.priority AS p, h.target AS target, count(*) AS n FROM sla_target_history h "
            f"JOIN incidents i ON i.id = h.incident_id WHERE h.state = 'breached' AND NOT {excluded()} "
            f"GROUP BY h.priority, h.target")


@dataclass(frozen=True)
class Live:
    """open[(priority, status)] = count; per-priority dicts for the rest; oldest open age in seconds."""

    open: dict[tuple[int, str], int]
    unacknowledged: dict[int, int]
    at_risk: dict[int, int]
    breached: dict[int, int]
    majors: int
    overdue_updates: int
    oldest_age: float | None
    created: dict[int, int]
    resolved: dict[int, int]
    breaches: dict[tuple[int, str], int]


def live(db: Database, now: datetime) -> Live:
    opened: dict[tuple[int, str], int] = {}
    unack: dict[int, int] = {}
    risk: dict[int, int] = {}
    breached: dict[int, int] = {}
    majors = overdue = 0
    oldest = None
    created: dict[int, int] = {}
    resolved: dict[int, int] = {}
    breaches: dict[tuple[int, str], int] = {}
    with db.read() as s:
        for r in s.execute(text(open_sql(db.backend)).bindparams(bindparam("now", type_=UTCDateTime())), {"now": now}):
            p = int(r.p)
            opened[(p, r.status)] = int(r.n)
            for target, value in ((unack, r.unacknowledged), (risk, r.at_risk), (breached, r.breached)):
                target[p] = target.get(p, 0) + int(value or 0)
            majors += int(r.majors or 0)
            overdue += int(r.overdue or 0)
            oldest = r.oldest if oldest is None or (r.oldest is not None and r.oldest < oldest) else oldest
        for r in s.execute(text(totals_sql())):
            p = int(r.p)
            created[p], resolved[p] = int(r.created), int(r.resolved)
            breaches[(p, "response")] = int(r.response_breaches)
            breaches[(p, "resolution")] = int(r.resolution_breaches)
        for r in s.execute(text(replaced_sql())):
            key = (int(r.p), r.target)
            breaches[key] = breaches.get(key, 0) + int(r.n)
    age = None if oldest is None else max(0.0, float(int(now.timestamp()) - int(oldest)))
    return Live(opened, unack, risk, breached, majors, overdue, age, created, resolved, breaches)
