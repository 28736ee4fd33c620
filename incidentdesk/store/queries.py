"""Read side: the keyset-paged queue, one incident's detail and pickers (the audit walk: store/audit.py).

Results are plain frozen dataclasses so the UI never holds ORM objects or sessions. The
queue is read one page at a time through an index; nothing here loads every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import msgspec
from sqlalchemy import Select, and_, bindparam, func, or_, select, text, tuple_

from incidentdesk.domain.keys import parse_key
from incidentdesk.domain.pir import missing_parts
from incidentdesk.domain.vendor import VENDOR_HOLD
from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Alert, Category, Escalation, Group, Incident, PirReview, Service, TimelineEvent, User
from incidentdesk.store.audit import verify_audit  # noqa: F401  (re-exported: the audit walk lives there)
from incidentdesk.store.views import (  # noqa: F401  (re-exported: the detail's value types)
    DETAIL_FIELDS, ALERTS_SHOWN, AlertView, EscalationView, EventView, IncidentDetail,
)
from incidentdesk.store.problem_sql import links_of
from incidentdesk.store.queue_marks import FOLDED, Recurring
from incidentdesk.store.rows import PAGE_SIZE, QUEUE_ROW_FIELDS, Page, QueueFilter, QueueRow, queue_rows, row_to_json  # noqa: F401  (re-exported)

_AT_RISK_STATES = ("at_risk", "breached")

SORTS = {
    # name: (columns, descending)
    "priority": ((Incident.priority, Incident.sla_due_at, Incident.id), False),
    "newest": ((Incident.created_at, Incident.id), True),
    "updated": ((Incident.updated_at, Incident.id), True),
    "due": ((Incident.sla_due_at, Incident.id), False),
}

# QueueRow field -> the column it is read from; selected as `column AS field` (labelled), so a row
# is built by name (rows.queue_rows) and the order here carries no meaning.
_ROW_SOURCES = {
    "id": Incident.id, "key": Incident.key, "type": Incident.type, "priority": Incident.priority,
    "impact": Incident.impact, "urgency": Incident.urgency, "severity": Incident.severity,
    "status": Incident.status, "title": Incident.title, "assignee": Incident.assignee, "group": Group.name,
    "tier": Incident.tier, "created_at": Incident.created_at, "updated_at": Incident.updated_at,
    "acknowledged_at": Incident.acknowledged_at, "response_due_at": Incident.response_due_at,
    "resolution_due_at": Incident.resolution_due_at, "sla_due_at": Incident.sla_due_at,
    "version": Incident.version, "response_sla_state": Incident.response_sla_state,
    "resolution_sla_state": Incident.resolution_sla_state, "sla_paused_at": Incident.sla_paused_at,
    "next_sla_check_at": Incident.next_sla_check_at, "is_open": Incident.is_open,
    "is_major": Incident.is_major, "category": Incident.category, "next_update_due": Incident.next_update_due,
    "recurring": None, "folded": FOLDED, "parent_id": Incident.parent_id,   # recurring: per filter (_row_columns)
}
assert tuple(_ROW_SOURCES) == QUEUE_ROW_FIELDS, "store/rows.QueueRow and _ROW_SOURCES name the same fields"


@lru_cache(maxsize=16)
def _row_columns(count: int, days: int, by_category: bool = True) -> tuple:
    sources = {**_ROW_SOURCES, "recurring": Recurring(count, days, by_category)}
    return tuple(sources[name].label(name) for name in QUEUE_ROW_FIELDS)


_ROW_COLUMNS = _row_columns(3, 7)   # the row with [problems]' default recurring rule


def _rows(result) -> list[QueueRow]:
    """Rows built by the labels of the result's columns (store/rows.queue_rows)."""
    return queue_rows(result.keys(), result.all())


def _filtered(db_session, flt: QueueFilter) -> Select:
    """The filtered queue statement; `db_session=None` leaves group names to a subquery (no lookup)."""
    stmt = select(*_row_columns(flt.recurring_count, flt.recurring_days, flt.recurring_by_category)).select_from(Incident).outerjoin(
        Group, Incident.group_id == Group.id)
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
    if flt.waiting_vendor:  # on hold "waiting for vendor" (alone or with details: domain/vendor.is_vendor_hold)
        conds.append(and_(Incident.status == "on_hold", or_(
            func.lower(Incident.hold_reason) == VENDOR_HOLD, func.lower(Incident.hold_reason).like(VENDOR_HOLD + ":%"))))
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
    if flt.folds:   # children and duplicates wait under their parent unless it is expanded
        conds.append(or_(Incident.parent_id.is_(None), Incident.parent_id.in_(flt.expanded))
                     if flt.expanded else Incident.parent_id.is_(None))
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
        rows = _rows(s.connection().execute(_page_statement(flt, direction, limit), params))
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
        rows = _rows(s.execute(stmt))
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


def fold_counts(db: Database, flt: QueueFilter) -> tuple[int, int]:
    """(incidents folded away, parents they are folded under) in a view that folds; (0, 0) otherwise."""
    if not flt.folds:
        return 0, 0
    with db.read() as s:
        stmt = _filtered(s, msgspec.structs.replace(flt, fold=False)).where(Incident.parent_id.is_not(None))
        if flt.expanded:
            stmt = stmt.where(Incident.parent_id.not_in(flt.expanded))
        stmt = stmt.with_only_columns(func.count(), func.count(func.distinct(Incident.parent_id))).order_by(None)
        folded, parents = s.execute(stmt).one()
    return int(folded or 0), int(parents or 0)


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
        last_update = s.scalar(
            select(TimelineEvent.after).where(TimelineEvent.incident_id == inc.id,
                                              TimelineEvent.kind == "stakeholder_update")
            .order_by(TimelineEvent.seq.desc()).limit(1)) if inc.last_update_at is not None else None
        review = s.execute(select(PirReview.version, PirReview.summary, PirReview.causes)
                           .where(PirReview.incident_id == inc.id)).first()
        linked = links_of(lambda sql, params: s.execute(text(sql), params).all(), inc.id, inc.parent_id, inc.ci,
                          inc.category)
        return IncidentDetail(**values, group=inc.group.name if inc.group else None, timeline=events,
                              escalations=escalations, alerts=alerts, last_update=last_update,
                              pir_version=review[0] if review else 0,
                              pir_missing=tuple(missing_parts(*(review[1:] if review else ("", ())))), **linked)


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
        # live ones: a retired category is not offered (services/categories.py)
        return list(s.scalars(select(Category.path).where(Category.retired.is_(False)).order_by(Category.path)))


def list_services(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Service.name).order_by(Service.name)))


def count_incidents(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(Incident)) or 0)




def rows_for_ids(db: Database, ids: Sequence[int]) -> list[QueueRow]:
    """Fresh queue rows for these incidents (the console repaints only what changed)."""
    if not ids:
        return []
    with db.read() as s:
        stmt = _filtered(s, QueueFilter(open_only=False, fold=False)).where(Incident.id.in_(list(ids)))
        return _rows(s.execute(stmt))
