"""The shift handover's reads: the draft's seven lists from the incidents, and published handovers.

The lists' definitions are domain/handover.py's; each is one indexed-enough query over open
incidents (the queue's own columns: is_open, the recorded SLA states, assignee, hold reason,
next_update_due), ordered by the section's time and capped at CAP rows — a handover is read by a
person, and a section that is longer says so ("first 200 shown"). `build_content` runs inside a
session so publishing snapshots exactly what it reads in its own transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from incidentdesk.domain import handover as domain
from incidentdesk.domain.errors import NotFound
from incidentdesk.domain.sla_state import SlaState, countdowns_of
from incidentdesk.domain.vendor import VENDOR_HOLD, vendor_line
from incidentdesk.store.engine import Database
from incidentdesk.store.handover_models import Handover as Row
from incidentdesk.store.models import Escalation, Group, Incident, TimelineEvent

CAP = 200
SLA_CANDIDATES = 20_000   # incidents whose SLA state is read in Python at most (the sweeper keeps this small)
_BREACHED = "breached"
_AT_RISK = "at_risk"
_SLA_COLUMNS = (Incident.acknowledged_at, Incident.resolved_at, Incident.response_due_at, Incident.resolution_due_at,
                Incident.response_sla_state, Incident.resolution_sla_state, Incident.response_breached_at,
                Incident.resolution_breached_at, Incident.sla_paused_at, Incident.next_sla_check_at, Incident.is_open)


def _items(s: Session, stmt, make) -> tuple[tuple[domain.Item, ...], bool]:
    rows = s.execute(stmt.limit(CAP + 1)).all()
    return tuple(make(r) for r in rows[:CAP]), len(rows) > CAP


def _base(*extra):
    return select(Incident.key, Incident.priority, Incident.title, *extra)


def _majors(s: Session):
    stmt = _base(Incident.next_update_due, Incident.commander).where(
        Incident.is_open.is_(True), Incident.is_major.is_(True)
    ).order_by(Incident.next_update_due.asc().nulls_last(), Incident.id)
    return _items(s, stmt, lambda r: domain.Item(r.key, r.priority, r.title, r.next_update_due,
                                                 f"commander {r.commander}" if r.commander else "no commander"))


def _sla(s: Session, now: datetime):
    """(breached, at risk): the states as the console derives them (domain/sla_state.countdowns_of).

    Candidates are open incidents with a recorded at-risk or breached target, or a change due by now
    (the sweeper's next_sla_check_at has passed): so a draft read between two sweeps says what the
    queue's countdowns say. A target counts while it runs (or is paused): an acknowledged incident's
    late response is history, not something to hand over.
    """
    flagged = (_AT_RISK, _BREACHED)
    stmt = _base(*_SLA_COLUMNS).where(Incident.is_open.is_(True), or_(
        Incident.response_sla_state.in_(flagged), Incident.resolution_sla_state.in_(flagged),
        Incident.next_sla_check_at <= now,
    )).order_by(Incident.sla_due_at, Incident.id).limit(SLA_CANDIDATES)
    breached: list[domain.Item] = []
    at_risk: list[domain.Item] = []
    for r in s.execute(stmt).all():
        live = {which: cd for which, cd in countdowns_of(r, now).items() if cd.running}
        late = [w for w, cd in live.items() if cd.state is SlaState.BREACHED]
        risky = [w for w, cd in live.items() if cd.state is SlaState.AT_RISK]
        if late:
            breached.append(domain.Item(r.key, r.priority, r.title, live[late[-1]].due_at,
                                        " and ".join(late) + " breached"))
        elif risky:
            at_risk.append(domain.Item(r.key, r.priority, r.title, live[risky[0]].due_at, f"{risky[0]} at risk"))
    breached.sort(key=lambda i: i.at)
    at_risk.sort(key=lambda i: i.at)
    return (tuple(breached[:CAP]), len(breached) > CAP), (tuple(at_risk[:CAP]), len(at_risk) > CAP)


def _unassigned(s: Session):
    stmt = _base(Incident.created_at, Group.name.label("group_name"), Incident.status).outerjoin(
        Group, Incident.group_id == Group.id).where(Incident.is_open.is_(True), Incident.assignee.is_(None)
                                                    ).order_by(Incident.created_at, Incident.id)
    return _items(s, stmt, lambda r: domain.Item(r.key, r.priority, r.title, r.created_at,
                                                 f"{r.group_name or 'no group'}, {r.status.replace('_', ' ')}"))


def _new(s: Session, since: datetime):
    stmt = _base(Incident.created_at, Incident.status, Incident.assignee).where(
        Incident.created_at > since).order_by(Incident.created_at, Incident.id)
    return _items(s, stmt, lambda r: domain.Item(r.key, r.priority, r.title, r.created_at,
                                                 r.status.replace("_", " ") + (f", {r.assignee}" if r.assignee else "")))


def _escalations(s: Session):
    latest = select(Escalation.incident_id, func.max(Escalation.id).label("last_id")).group_by(
        Escalation.incident_id).subquery()
    stmt = _base(Escalation.at, Escalation.kind, Escalation.to_group, Escalation.to_tier, Escalation.to_person
                 ).join(latest, latest.c.incident_id == Incident.id).join(Escalation, Escalation.id == latest.c.last_id
                 ).where(Incident.is_open.is_(True), or_(
                     Escalation.kind == "hierarchical",
                     and_(Escalation.kind == "functional", Incident.assignee.is_(None)),
                 )).order_by(Escalation.at, Incident.id)

    def make(r):
        if r.kind == "hierarchical":
            detail = f"hierarchical to {r.to_person or 'management'}"
        else:
            detail = f"functional to {r.to_group} (tier {r.to_tier}), not picked up"
        return domain.Item(r.key, r.priority, r.title, r.at, detail)

    return _items(s, stmt, make)


def _vendors(s: Session):
    """On hold waiting for a vendor, since the hold's timeline event (the last `held` one)."""
    reason = func.lower(Incident.hold_reason)
    held = select(func.max(TimelineEvent.at)).where(TimelineEvent.incident_id == Incident.id,
                                                    TimelineEvent.kind == "held").scalar_subquery()
    stmt = _base(held.label("held_at"), Incident.updated_at, Incident.hold_reason, Incident.vendor,
                 Incident.vendor_ticket, Incident.vendor_status, Incident.vendor_url).where(
        Incident.status == "on_hold", or_(reason == VENDOR_HOLD, reason.like(VENDOR_HOLD + ":%")),
    ).order_by(Incident.updated_at, Incident.id)
    return _items(s, stmt, lambda r: domain.Item(
        r.key, r.priority, r.title, r.held_at or r.updated_at,
        vendor_line(r.vendor, r.vendor_ticket, r.vendor_status, r.vendor_url) or (r.hold_reason or "")))


def last_published_at(s: Session) -> datetime | None:
    return s.scalar(select(func.max(Row.published_at)))


def build_content(s: Session, now: datetime) -> domain.Content:
    """The draft as of `now`, read in the caller's session: what a handover published now would hold."""
    since = last_published_at(s)
    new_since = since if since is not None else now - domain.NEW_WITHOUT_HANDOVER
    breached, at_risk = _sla(s, now)
    read = {"majors": lambda: _majors(s), "breached": lambda: breached, "at_risk": lambda: at_risk,
            "unassigned": lambda: _unassigned(s), "new": lambda: _new(s, new_since),
            "escalations": lambda: _escalations(s), "vendors": lambda: _vendors(s)}
    sections: dict[str, tuple[domain.Item, ...]] = {}
    capped: set[str] = set()
    for name in domain.NAMES:
        items, more = read[name]()
        sections[name] = items
        if more:
            capped.add(name)
    return domain.Content(now, since, sections, frozenset(capped))


def draft(db: Database, now: datetime) -> tuple[domain.Content, domain.Handover | None]:
    """The draft and the latest published handover (for "new since", and whether it was acknowledged)."""
    with db.read() as s:
        content = build_content(s, now)
        row = latest_row(s)
        return content, to_domain(row) if row is not None else None


def to_domain(row: Row) -> domain.Handover:
    return domain.Handover(row.id, row.published_by, row.published_at, row.note or "",
                           domain.content_from_json(row.content or {}), row.acknowledged_by, row.acknowledged_at,
                           row.version)


def latest_row(s: Session) -> Row | None:
    return s.scalar(select(Row).order_by(Row.published_at.desc(), Row.id.desc()).limit(1))


def latest(db: Database) -> domain.Handover | None:
    with db.read() as s:
        row = latest_row(s)
        return to_domain(row) if row is not None else None


def get(db: Database, handover_id: int) -> domain.Handover:
    with db.read() as s:
        row = s.get(Row, int(handover_id))
        if row is None:
            raise NotFound(f"no handover {handover_id}: `incidentdesk handover list` shows them")
        return to_domain(row)


def list_handovers(db: Database, limit: int = 50) -> list[domain.Handover]:
    """The latest `limit` handovers, newest first (their content too: the list shows how much each held)."""
    with db.read() as s:
        rows = s.scalars(select(Row).order_by(Row.published_at.desc(), Row.id.desc()).limit(limit)).all()
        return [to_domain(r) for r in rows]


def latest_state(db: Database) -> tuple[int, datetime, str, datetime | None] | None:
    """(id, published_at, published_by, acknowledged_at) of the latest handover: the console's periodic
    flag check reads only this (not the content)."""
    with db.read() as s:
        row = s.execute(select(Row.id, Row.published_at, Row.published_by, Row.acknowledged_at)
                        .order_by(Row.published_at.desc(), Row.id.desc()).limit(1)).first()
        return (row.id, row.published_at, row.published_by, row.acknowledged_at) if row is not None else None
