"""Reading problems: the list, one problem with its linked incidents, and the known errors matching
an incident (domain/problems.matches, in SQL). Plain values out, never ORM objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incidentdesk.domain.enums import OPEN_STATUSES
from incidentdesk.domain.errors import NotFound
from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.problems import ProblemStatus, format_problem_key, parse_problem_key
from incidentdesk.store.engine import Database
from incidentdesk.store.problem_sql import links_of
from incidentdesk.store.models import Incident
from incidentdesk.store.problem_models import Problem, ProblemIncident


@dataclass(frozen=True)
class LinkedIncident:
    key: str
    title: str
    status: str
    priority: int
    ci: str | None
    category: str | None


@dataclass(frozen=True)
class ProblemView:
    key: str
    title: str
    statement: str
    status: str
    root_cause: str
    workaround: str
    owner: str | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    resolved_at: datetime | None
    closed_at: datetime | None
    from_follow_up: str | None
    version: int
    linked_count: int = 0
    open_count: int = 0
    incidents: tuple[LinkedIncident, ...] = ()

    def to_json(self) -> dict:
        data = asdict(self)
        for name in ("created_at", "updated_at", "resolved_at", "closed_at"):
            data[name] = data[name].isoformat() if data[name] else None
        data["incidents"] = [asdict(i) for i in self.incidents]
        return data


def _view(p: Problem, linked: int = 0, open_: int = 0, incidents=()) -> ProblemView:
    return ProblemView(format_problem_key(p.id), p.title, p.statement, p.status, p.root_cause, p.workaround,
                       p.owner, p.created_at, p.created_by, p.updated_at, p.updated_by, p.resolved_at, p.closed_at,
                       p.from_follow_up, p.version, linked, open_, tuple(incidents))


def linked_incidents(s: Session, problem_id: int) -> list[LinkedIncident]:
    rows = s.execute(select(Incident.key, Incident.title, Incident.status, Incident.priority, Incident.ci,
                            Incident.category)
                     .join(ProblemIncident, ProblemIncident.incident_id == Incident.id)
                     .where(ProblemIncident.problem_id == problem_id).order_by(Incident.id))
    return [LinkedIncident(*r) for r in rows]


def load_problem(db: Database, key: str) -> ProblemView:
    number = parse_problem_key(key)
    with db.read() as s:
        p = s.get(Problem, number)
        if p is None:
            raise NotFound(f"no problem {key}: incidentdesk problem list shows them")
        incidents = linked_incidents(s, p.id)
        open_ = sum(1 for i in incidents if i.status in OPEN_STATUSES)
        return _view(p, len(incidents), open_, incidents)


def list_problems(db: Database, status: str | None = None, *, include_closed: bool = False,
                  limit: int = 500) -> list[ProblemView]:
    """Problems newest first, with how many incidents each has linked and how many are open."""
    linked = (select(func.count()).select_from(ProblemIncident)
              .where(ProblemIncident.problem_id == Problem.id).scalar_subquery())
    open_ = (select(func.count()).select_from(ProblemIncident)
             .join(Incident, Incident.id == ProblemIncident.incident_id)
             .where(ProblemIncident.problem_id == Problem.id, Incident.is_open.is_(True)).scalar_subquery())
    stmt = select(Problem, linked, open_).order_by(Problem.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(Problem.status == ProblemStatus(status).value)
    elif not include_closed:
        stmt = stmt.where(Problem.status != ProblemStatus.CLOSED.value)
    with db.read() as s:
        return [_view(p, n, o) for p, n, o in s.execute(stmt)]


@dataclass(frozen=True)
class KnownError:
    """A known error's workaround as shown on an incident, and why it is shown there."""

    key: str
    title: str
    workaround: str
    linked: bool   # linked to this incident (else: matching it by CI or category)


def known_errors_for(db: Database, key: str) -> list[KnownError]:
    """The known errors whose workaround shows on incident `key`: linked ones first, then matching ones
    (the detail's own reading, store/problem_sql.py)."""
    number = parse_key(key)
    with db.read() as s:
        inc = s.execute(select(Incident.id, Incident.parent_id, Incident.ci, Incident.category)
                        .where(Incident.id == number)).first()
        if inc is None:
            return []
        linked = links_of(lambda sql, params: s.execute(text(sql), params).all(), *inc)
    return [KnownError(*k) for k in linked["known_errors"]]


def problem_of_incident(db: Database, key: str) -> ProblemView:
    """The newest problem incident `key` is linked to (what `problem-from KEY --json` prints)."""
    number = parse_key(key)
    with db.read() as s:
        pid = s.scalar(select(func.max(ProblemIncident.problem_id)).where(ProblemIncident.incident_id == number))
    if pid is None:
        raise NotFound(f"{key} is linked to no problem")
    return load_problem(db, format_problem_key(pid))
