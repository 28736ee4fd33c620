"""Read side: the keyset-paged queue, one incident's detail and pickers (the audit walk: store/audit.py).

Results are plain frozen dataclasses so the UI never holds ORM objects or sessions. The
queue is read one page at a time through an index; nothing here loads every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, func, or_, select, tuple_

from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Alert, Category, Escalation, Group, Incident, Service, TimelineEvent, User
from incidentdesk.store.audit import verify_audit  # noqa: F401  (re-exported: the audit walk lives there)
from incidentdesk.store.rows import PAGE_SIZE, Page, QueueFilter, QueueRow  # noqa: F401  (re-exported)
from incidentdesk.store.views import (  # noqa: F401  (re-exported)
    ALERTS_SHOWN, DETAIL_FIELDS, AlertView, EscalationView, EventView, IncidentDetail)

_AT_RISK_STATES = ("at_risk", "breached")

SORTS = {
    # name: (columns, descending)
    "priority": ((Incident.priority, Incident.sla_due_at, Incident.id), False),
    "newest": ((Incident.created_at, Incident.id), True),
    "updated": ((Incident.updated_at, Incident.id), True),
    "due": ((Incident.sla_due_at, Incident.id), False),
}

_ROW_COLUMNS = (
    Incident.id, Incident.key, Incident.type, Incident.priority, Incident.impact, Incident.urgency, Incident.severity, Incident.status, Incident.title,
    Incident.assignee, Group.name, Incident.tier, Incident.created_at, Incident.updated_at,
    Incident.acknowledged_at, Incident.response_due_at, Incident.resolution_due_at, Incident.sla_due_at,
    Incident.version, Incident.response_sla_state, Incident.resolution_sla_state, Incident.sla_paused_at,
    Incident.next_sla_check_at, Incident.is_open, Incident.is_major, Incident.category,
)


def _filtered(db_session, flt: QueueFilter) -> Select:
    """The filtered queue statement; `db_session=None` leaves group names to a subquery (no lookup)."""
    stmt = select(*_ROW_COLUMNS).select_from(Incident).outerjoin(Group, Incident.group_id == Group.id)
    conds = []
    if flt.open_only and not flt.status:
        conds.append(Incident.is_open.is_(True))
    if flt.major:  # `IS true` as the partial index ix_incidents_major_queue is defined (store/models.py)
        conds.append(Incident.is_major.is_(True))
    if flt.status:
        conds.append(Incident.status == flt.status)
    if flt.priority:
        conds.append(Incident.priority == flt.priority)
    if flt.type:
        conds.append(Incident.type == flt.type)
    group_names = tuple(g for g in ((flt.group,) if flt.group else ()) + tuple(flt.groups))
    if group_names and db_session is None:
        if len(group_names) == 1:
            conds.append(Incident.group_id == select(Group.id).where(Group.name == group_names[0]).scalar_subquery())
        else:
            conds.append(Incident.group_id.in_(select(Group.id).where(Group.name.in_(group_names))))
    elif group_names:
        ids = db_session.scalars(select(Group.id).where(Group.name.in_(group_names))).all()
        if flt.group and not ids:
            raise ValidationError(f"unknown group {flt.group!r}", field="group")
        conds.append(Incident.group_id.in_(ids) if len(ids) != 1 else Incident.group_id == ids[0])
    if flt.assignee:
        conds.append(Incident.assignee == flt.assignee)
    if flt.unassigned:
        conds.append(Incident.assignee.is_(None))
    if flt.at_risk_before is not None:
        conds.append(Incident.sla_due_at <= flt.at_risk_before)
    if flt.at_risk_at is not None:
        # Recorded by the sweeper, or due to be (its next check has passed).
        conds.append(or_(
            Incident.next_sla_check_at <= flt.at_risk_at,
            and_(Incident.acknowledged_at.is_(None), Incident.response_sla_state.in_(_AT_RISK_STATES)),
            Incident.resolution_sla_state.in_(_AT_RISK_STATES),
        ))
    text = flt.text.strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = "%" + escaped + "%"
        conds.append(or_(Incident.title.ilike(like, escape="\\"), Incident.key.ilike(like, escape="\\")))
    return stmt.where(and_(*conds)) if conds else stmt


@lru_cache(maxsize=256)
def _page_statement(flt: QueueFilter, direction: str, limit: int) -> Select:
    """The page query for one filter and direction, built once: the cursor goes in as bind parameters.

    Building a Select costs about as much as running it on SQLite, and the console asks for the
    same few shapes again and again.
    """
    cols, desc = SORTS[flt.sort]
    stmt = _filtered(None, flt)
    if direction != "first":
        cursor = tuple_(*[bindparam(f"cursor_{i}", type_=c.type) for i, c in enumerate(cols)])
        later = direction == "after"
        stmt = stmt.where(tuple_(*cols) < cursor if desc == later else tuple_(*cols) > cursor)
    forward_desc = desc != (direction == "before")
    return stmt.order_by(*[c.desc() if forward_desc else c.asc() for c in cols]).limit(limit + 1)


def queue_page(db: Database, flt: QueueFilter = QueueFilter(), *, after: tuple | None = None,
               before: tuple | None = None, limit: int = PAGE_SIZE) -> Page:
    """One page of the queue after (or before) a cursor, in the filter's sort order."""
    if flt.sort not in SORTS:
        raise ValidationError(f"unknown sort {flt.sort!r}: use one of {', '.join(SORTS)}", field="sort")
    backwards = before is not None
    cursor = after if after is not None else before
    direction = "after" if after is not None else "before" if backwards else "first"
    params = {f"cursor_{i}": v for i, v in enumerate(cursor)} if cursor is not None else {}
    with db.read() as s:
        # Core execution (not Session.execute): plain column rows need none of the ORM's loading machinery,
        # which otherwise costs more than the query itself on a 100-row page.
        rows = [QueueRow(*r) for r in s.connection().execute(_page_statement(flt, direction, limit), params).all()]
        if not rows and (flt.group or flt.groups):
            _filtered(s, flt)  # says which group is unknown, if one is
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    return Page(rows, has_more)


def queue_last_page(db: Database, flt: QueueFilter = QueueFilter(), *, limit: int = PAGE_SIZE) -> Page:
    """The last page of the queue (for jumping to the end): a reverse index scan, not a full read."""
    if flt.sort not in SORTS:
        raise ValidationError(f"unknown sort {flt.sort!r}: use one of {', '.join(SORTS)}", field="sort")
    cols, desc = SORTS[flt.sort]
    with db.read() as s:
        stmt = _filtered(s, flt).order_by(*[c.asc() if desc else c.desc() for c in cols]).limit(limit + 1)
        rows = [QueueRow(*r) for r in s.execute(stmt).all()]
    has_more = len(rows) > limit
    rows = rows[:limit]
    rows.reverse()
    return Page(rows, has_more)


def queue_offset_cursor(db: Database, flt: QueueFilter, offset: int) -> tuple | None:
    """The cursor just before row `offset` (for jumping to a page by number); None at the start."""
    if offset <= 0:
        return None
    cols, desc = SORTS[flt.sort]
    with db.read() as s:
        stmt = _filtered(s, flt).with_only_columns(*cols)
        stmt = stmt.order_by(*[c.desc() if desc else c.asc() for c in cols]).offset(offset - 1).limit(1)
        row = s.execute(stmt).first()
    return tuple(row) if row else None


def queue_count(db: Database, flt: QueueFilter = QueueFilter()) -> int:
    with db.read() as s:
        stmt = _filtered(s, flt).with_only_columns(func.count()).order_by(None)
        return int(s.scalar(stmt) or 0)


def incident_detail(db: Database, key: str, *, timeline_limit: int | None = None) -> IncidentDetail:
    """One incident with its timeline (newest first) and escalation history."""
    number = parse_key(key)
    with db.read() as s:
        inc = s.get(Incident, number)
        if inc is None:
            raise NotFound(f"no incident {key}: check the key (incidentdesk list shows them)")
        ev_stmt = select(TimelineEvent).where(TimelineEvent.incident_id == inc.id).order_by(TimelineEvent.seq.desc())
        if timeline_limit:
            ev_stmt = ev_stmt.limit(timeline_limit)
        events = [EventView(e.seq, e.at, e.actor, e.real_actor, e.kind, e.text, e.before, e.after)
                  for e in s.scalars(ev_stmt)]
        escalations = [
            EscalationView(e.at, e.actor, e.kind, e.from_group, e.from_tier, e.to_group, e.to_tier, e.to_person,
                           e.reason, e.summary, e.automatic)
            for e in s.scalars(select(Escalation).where(Escalation.incident_id == inc.id).order_by(Escalation.id))
        ]
        alerts = [
            AlertView(a.source, a.fingerprint, a.status, a.summary, a.labels, a.annotations, a.generator_url,
                      a.starts_at, a.ends_at, a.first_seen_at, a.last_seen_at, a.occurrences)
            for a in s.scalars(select(Alert).where(Alert.incident_id == inc.id)
                               .order_by(Alert.last_seen_at.desc(), Alert.id.desc()).limit(ALERTS_SHOWN))
        ] if inc.alert_count else []
        values = {f: getattr(inc, f) for f in DETAIL_FIELDS}
        return IncidentDetail(**values, group=inc.group.name if inc.group else None, timeline=events,
                              escalations=escalations, alerts=alerts)


@dataclass(frozen=True)
class PersonView:
    login: str
    name: str
    role: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class GroupView:
    name: str
    tier: int
    manager: str | None
    members: tuple[str, ...]


def list_people(db: Database) -> list[PersonView]:
    with db.read() as s:
        return [PersonView(u.login, u.name, u.role, tuple(sorted(g.name for g in u.groups)))
                for u in s.scalars(select(User).order_by(User.login))]


def list_groups(db: Database) -> list[GroupView]:
    with db.read() as s:
        return [GroupView(g.name, g.tier, g.manager, tuple(sorted(m.login for m in g.members)))
                for g in s.scalars(select(Group).order_by(Group.tier, Group.name))]


def list_categories(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Category.path).order_by(Category.path)))


def list_services(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Service.name).order_by(Service.name)))


def count_incidents(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Incident)) or 0)


def row_to_json(row: QueueRow) -> dict:
    return {
        "key": row.key, "title": row.title, "type": row.type, "status": row.status, "priority": f"P{row.priority}",
        "impact": row.impact, "urgency": row.urgency, "severity": row.severity, "assignee": row.assignee, "group": row.group, "tier": row.tier,
        "created_at": row.created_at.isoformat(), "sla_due_at": row.sla_due_at.isoformat(), "version": row.version,
        "is_major": row.is_major,
    }


def rows_for_keys(db: Database, keys: Sequence[str]) -> list[QueueRow]:
    ids = [parse_key(k) for k in keys]
    with db.read() as s:
        return [QueueRow(*r) for r in s.execute(_filtered(s, QueueFilter(open_only=False)).where(Incident.id.in_(ids)))]


def rows_for_ids(db: Database, ids: Sequence[int]) -> list[QueueRow]:
    """Fresh queue rows for these incidents (the console repaints only what changed)."""
    if not ids:
        return []
    with db.read() as s:
        stmt = _filtered(s, QueueFilter(open_only=False)).where(Incident.id.in_(list(ids)))
        return [QueueRow(*r) for r in s.execute(stmt)]
