"""Read side of the CMDB: categories, CIs (with dependencies, incidents, changes), changes, exports.

Plain frozen dataclasses out, never ORM objects. "Recent changes" of a CI are the changes on it
or on anything it depends on, directly or not (walked with a visited set: cycles are allowed),
whose window — actual if known, else planned — reaches into the last `hours` hours and has
started by now; cancelled changes never happened and are left out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from incidentdesk.domain.cmdb import parse_change_key
from incidentdesk.domain.errors import NotFound
from incidentdesk.store.cmdb_models import CIDependency, Change, ChangeCI, ConfigurationItem
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Category, Incident

RECENT_INCIDENTS = 10
RECENT_CHANGES = 20


@dataclass(frozen=True)
class CategoryView:
    path: str
    default_group: str | None
    retired: bool
    incidents: int


@dataclass(frozen=True)
class ChangeView:
    key: str
    ref: str | None
    title: str
    status: str
    risk: str
    implementer: str | None
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None
    description: str
    cis: tuple[str, ...]
    updated_at: datetime
    updated_by: str
    incidents: tuple[str, ...] = ()   # incidents linked as caused by it (change show)

    def to_json(self) -> dict:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, datetime):
                out[k] = v.isoformat()
            elif isinstance(v, tuple):
                out[k] = list(v)
        return out


@dataclass(frozen=True)
class IncidentLine:
    key: str
    title: str
    status: str
    priority: int
    created_at: datetime


@dataclass(frozen=True)
class CIView:
    name: str
    type: str
    service: str | None
    owner: str | None
    location: str | None
    criticality: str
    description: str
    updated_at: datetime
    updated_by: str
    depends_on: tuple[str, ...] = ()
    depended_on_by: tuple[str, ...] = ()
    incidents: tuple[IncidentLine, ...] = ()
    changes: tuple[ChangeView, ...] = ()          # recent ones, on it or its dependencies, newest first
    recent_hours: int = 72
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {k: getattr(self, k) for k in ("name", "type", "service", "owner", "location", "criticality",
                                             "description", "updated_by")}
        out["updated_at"] = self.updated_at.isoformat()
        out["depends_on"], out["depended_on_by"] = list(self.depends_on), list(self.depended_on_by)
        out["recent_incidents"] = [{"key": i.key, "title": i.title, "status": i.status, "priority": i.priority,
                                    "created_at": i.created_at.isoformat()} for i in self.incidents]
        out["recent_changes"] = [c.to_json() for c in self.changes]
        out["recent_hours"] = self.recent_hours
        return out


def list_categories(db: Database, *, include_retired: bool = True) -> list[CategoryView]:
    with db.read() as s:
        counts = dict(s.execute(select(Incident.category, func.count()).where(Incident.category.is_not(None))
                                .group_by(Incident.category)).all())
        stmt = select(Category).order_by(Category.path)
        if not include_retired:
            stmt = stmt.where(Category.retired.is_(False))
        return [CategoryView(c.path, c.default_group, bool(c.retired), counts.get(c.path, 0)) for c in s.scalars(stmt)]


def live_category_paths(db: Database) -> list[str]:
    """The categories new incidents may pick (the console's picker)."""
    with db.read() as s:
        return list(s.scalars(select(Category.path).where(Category.retired.is_(False)).order_by(Category.path)))


def _changes(s, stmt) -> list[ChangeView]:
    rows = list(s.scalars(stmt))
    ids = [c.id for c in rows]
    names: dict[int, list[str]] = {}
    if ids:
        for change_id, name in s.execute(select(ChangeCI.change_id, ConfigurationItem.name)
                                         .join(ConfigurationItem, ConfigurationItem.id == ChangeCI.ci_id)
                                         .where(ChangeCI.change_id.in_(ids)).order_by(ConfigurationItem.name)):
            names.setdefault(change_id, []).append(name)
    return [ChangeView(c.key, c.ref, c.title, c.status, c.risk, c.implementer, c.planned_start, c.planned_end,
                       c.actual_start, c.actual_end, c.description, tuple(names.get(c.id, ())), c.updated_at,
                       c.updated_by) for c in rows]


def list_changes(db: Database, *, ci: str | None = None, status: str | None = None, limit: int = 200) -> list[ChangeView]:
    with db.read() as s:
        stmt = select(Change).order_by(Change.id.desc()).limit(limit)
        if status:
            stmt = stmt.where(Change.status == status)
        if ci:
            stmt = stmt.join(ChangeCI, ChangeCI.change_id == Change.id).join(
                ConfigurationItem, ConfigurationItem.id == ChangeCI.ci_id).where(ConfigurationItem.name == ci)
        return _changes(s, stmt)


def change_detail(db: Database, key: str) -> ChangeView:
    with db.read() as s:
        [change] = _changes(s, select(Change).where(Change.id == parse_change_key(key))) or [None]
        if change is None:
            raise NotFound(f"no change {key}: `incidentdesk change list` shows them")
        incidents = tuple(s.scalars(select(Incident.key).where(Incident.caused_by_change == change.key)
                                    .order_by(Incident.id)))
        return ChangeView(**{**asdict(change), "cis": change.cis, "incidents": incidents})


def list_cis(db: Database, *, limit: int | None = None) -> list[CIView]:
    with db.read() as s:
        stmt = select(ConfigurationItem).order_by(ConfigurationItem.name)
        if limit:
            stmt = stmt.limit(limit)
        return [_ci(c) for c in s.scalars(stmt)]


def _ci(c: ConfigurationItem, **more) -> CIView:
    return CIView(c.name, c.type, c.service, c.owner, c.location, c.criticality, c.description or "", c.updated_at,
                  c.updated_by, **more)


def ci_detail(db: Database, name: str, *, now: datetime, hours: int = 72) -> CIView | None:
    """One CI with its neighbours, recent incidents and recent changes; None when no CI has that name."""
    with db.read() as s:
        c = s.scalar(select(ConfigurationItem).where(ConfigurationItem.name == name))
        if c is None:
            return None
        depends = tuple(s.scalars(select(ConfigurationItem.name).join(
            CIDependency, CIDependency.depends_on_id == ConfigurationItem.id)
            .where(CIDependency.ci_id == c.id).order_by(ConfigurationItem.name)))
        depended = tuple(s.scalars(select(ConfigurationItem.name).join(
            CIDependency, CIDependency.ci_id == ConfigurationItem.id)
            .where(CIDependency.depends_on_id == c.id).order_by(ConfigurationItem.name)))
        incidents = tuple(IncidentLine(i.key, i.title, i.status, i.priority, i.created_at) for i in s.execute(
            select(Incident.key, Incident.title, Incident.status, Incident.priority, Incident.created_at)
            .where(Incident.ci == name).order_by(Incident.created_at.desc(), Incident.id.desc())
            .limit(RECENT_INCIDENTS)))
        scope = _dependency_closure(s, c.id)
        return _ci(c, depends_on=depends, depended_on_by=depended, incidents=incidents,
                   changes=tuple(_recent_changes(s, scope, now, hours)), recent_hours=hours)


def _dependency_closure(s, ci_id: int) -> set[int]:
    """The CI and everything it depends on, directly or not: one query per level; a cycle ends the walk."""
    seen, frontier = {ci_id}, {ci_id}
    while frontier and len(seen) < 1000:
        reached = set(s.scalars(select(CIDependency.depends_on_id).where(CIDependency.ci_id.in_(sorted(frontier)))))
        frontier = reached - seen
        seen |= frontier
    return seen


def _recent_changes(s, ci_ids: set[int], now: datetime, hours: int) -> list[ChangeView]:
    since = now - timedelta(hours=hours)
    start = func.coalesce(Change.actual_start, Change.planned_start)
    end = func.coalesce(Change.actual_end, Change.planned_end, Change.actual_start, Change.planned_start)
    ids = select(ChangeCI.change_id).where(ChangeCI.ci_id.in_(sorted(ci_ids)))
    stmt = (select(Change).where(Change.id.in_(ids), Change.status != "cancelled", start <= now, end >= since)
            .order_by(start.desc(), Change.id.desc()).limit(RECENT_CHANGES))
    return _changes(s, stmt)


def known_ci(s, names: list[str]) -> str | None:
    """The first of `names` that is a CI (in the order given), inside the caller's session (alert intake)."""
    if not names:
        return None
    found = set(s.scalars(select(ConfigurationItem.name).where(ConfigurationItem.name.in_(names))))
    return next((n for n in names if n in found), None)


def export_cis(db: Database) -> list[dict]:
    """Every CI as an import row (depends_on as a list): `ci export` writes these, `ci import` reads them back."""
    with db.read() as s:
        names = dict(s.execute(select(ConfigurationItem.id, ConfigurationItem.name)).all())
        deps: dict[int, list[str]] = {}
        for a, b in s.execute(select(CIDependency.ci_id, CIDependency.depends_on_id)):
            deps.setdefault(a, []).append(names[b])
        return [{"name": c.name, "type": c.type, "service": c.service, "owner": c.owner, "location": c.location,
                 "criticality": c.criticality, "description": c.description or "",
                 "depends_on": sorted(deps.get(c.id, []))}
                for c in s.scalars(select(ConfigurationItem).order_by(ConfigurationItem.name))]


def caused_by(db: Database, incident_key: str) -> ChangeView | None:
    """The change an incident is linked to as its cause, if any."""
    from incidentdesk.domain.keys import parse_key

    with db.read() as s:
        key = s.scalar(select(Incident.caused_by_change).where(Incident.id == parse_key(incident_key)))
        if not key:
            return None
        found = _changes(s, select(Change).where(Change.key == key))
        return found[0] if found else None


def search_cis(db: Database, text: str = "", *, limit: int = 200) -> list[CIView]:
    """CIs whose name, service, owner or location contains `text` (any case), by name; at most `limit`."""
    with db.read() as s:
        stmt = select(ConfigurationItem).order_by(ConfigurationItem.name).limit(limit)
        if text.strip():
            pattern = f"%{text.strip()}%"
            stmt = stmt.where(or_(*(c.ilike(pattern, escape="\\") for c in (
                ConfigurationItem.name, ConfigurationItem.service, ConfigurationItem.owner,
                ConfigurationItem.location))))
        return [_ci(c) for c in s.scalars(stmt)]
