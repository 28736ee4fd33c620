"""The audit walk and the directory trail's storage side: everything `audit verify` reads.

verify_audit reports, per incident: a broken hash chain (edited, inserted, deleted or
reordered events), a timeline that is missing or does not start with its creation, a row that
differs from what its timeline replays to (changed without an event), a key that does not fit
its number and type; across incidents: numbers missing from the series (a deleted incident);
for the directory trail: a broken chain, and people, groups, categories or services that
differ from what the trail replays to; and, given a checkpoint, everything
domain/checkpoint.Matcher finds. It reads in one snapshot (REPEATABLE READ on PostgreSQL,
one read transaction on SQLite), so writers running meanwhile cause no false findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from incidentdesk.domain.audit import (
    ChainProblem, compare_replay, excused_numbers, replay_directory, replay_incident, verify_chain,
)
from incidentdesk.domain.checkpoint import TRAIL, Matcher
from incidentdesk.domain.keys import format_key
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Category, DirectoryEvent, Group, Incident, Service, TimelineEvent, User
from incidentdesk.store.oncall import audited_rows as oncall_audited_rows

# pg_advisory_xact_lock(LOCK_CLASS, n): one lock for the directory trail's head, one for incident numbers.
LOCK_CLASS = 2027
DIRECTORY_LOCK = 1
NUMBER_LOCK = 2


def lock(session: Session, which: int) -> None:
    """Serialise writers of one chain head until commit (PostgreSQL; SQLite writers hold the write lock)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": LOCK_CLASS, "k": which})


# --- the directory's state, as the trail records it (one definition for writing and checking) ---

def user_state(user: User) -> dict:
    return {"name": user.name, "role": user.role, "groups": sorted(g.name for g in user.groups)}


def group_state(group: Group) -> dict:
    return {"tier": group.tier, "manager": group.manager, "description": group.description or ""}


def category_state(category: Category) -> dict:
    """Retired only when it is (services/categories.py): trails written before the flag existed still match."""
    state: dict = {"default_group": category.default_group}
    if category.retired:
        state["retired"] = True
    return state


def service_state(service: Service) -> dict:
    return {"owner_group": service.owner_group, "description": service.description or ""}


def directory_head(session: Session) -> tuple[int, str] | None:
    row = session.execute(select(DirectoryEvent.seq, DirectoryEvent.hash)
                          .order_by(DirectoryEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else None


def _current_directory(s: Session) -> dict[tuple[str, str], dict]:
    current: dict[tuple[str, str], dict] = {}
    for user in s.scalars(select(User)):
        current[("user", user.login)] = user_state(user)
    for group in s.scalars(select(Group)):
        current[("group", group.name)] = group_state(group)
    for category in s.scalars(select(Category)):
        current[("category", category.path)] = category_state(category)
    for service in s.scalars(select(Service)):
        current[("service", service.name)] = service_state(service)
    current.update(oncall_audited_rows(s))  # rotations and overrides (store/oncall.py)
    return current


def _snapshot(s: Session) -> None:
    if s.get_bind().dialect.name == "postgresql":
        s.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _directory_problems(records: list[DirectoryEvent], current: dict) -> Iterator[ChainProblem]:
    yield from verify_chain(TRAIL, [(r.seq, r.prev_hash, r.hash, r.sealed_fields()) for r in records], None, None,
                            scope="")
    recorded = replay_directory(r.sealed_fields() for r in records)
    for (kind, name), state in sorted(current.items()):
        if (kind, name) not in recorded:
            yield ChainProblem(TRAIL, None, f"{kind} {name!r} is not in the trail (added outside incidentdesk?)", "")
        elif recorded[(kind, name)] != state:
            yield ChainProblem(TRAIL, None, f"{kind} {name!r} is {state} but the trail says "
                               f"{recorded[(kind, name)]} (changed outside incidentdesk?)", "")
    for (kind, name) in sorted(set(recorded) - set(current)):
        yield ChainProblem(TRAIL, None, f"{kind} {name!r} is in the trail but gone (deleted outside incidentdesk?)", "")


def _missing(first: int, last: int, excused: set[int]) -> Iterator[ChainProblem]:
    """Numbers first..last (a gap in the series) that were not already missing when the trail began."""
    cuts = sorted(n for n in excused if first <= n <= last)
    runs, start = [], first
    for cut in [*cuts, last + 1]:
        if start < cut:
            runs.append((start, cut - 1))
        start = cut + 1
    for a, b in runs:
        label = f"INC/REQ-{a:06d}" + (f"..INC/REQ-{b:06d}" if b > a else "")
        yield ChainProblem(label, None, ("is" if a == b else "are") +
                           " missing from the number series (incident deleted?)", "")


_ROW_COLUMNS = (Incident.id, Incident.key, Incident.type, Incident.title, Incident.status, Incident.priority,
                Incident.impact, Incident.urgency, Incident.severity, Incident.assignee, Group.name.label("group"),
                Incident.is_major, Incident.commander, Incident.reopen_count, Incident.event_count,
                Incident.last_event_hash)


def verify_audit(db: Database, batch: int = 500, *, checkpoint: dict | None = None) -> Iterator[ChainProblem]:
    """Walk every chain and hold every row to it, a batch of incidents at a time (see the module doc)."""
    matcher = Matcher(checkpoint) if checkpoint is not None else None
    with db.read() as s:
        _snapshot(s)
        records = list(s.scalars(select(DirectoryEvent).order_by(DirectoryEvent.seq)))
        excused = excused_numbers(r.sealed_fields() for r in records)
        yield from _directory_problems(records, _current_directory(s))
        s.expunge_all()
        last_id = 0
        while True:
            incidents = s.execute(
                select(*_ROW_COLUMNS).outerjoin(Group, Incident.group_id == Group.id)
                .where(Incident.id > last_id).order_by(Incident.id).limit(batch)
            ).all()
            if not incidents:
                break
            ids = [i.id for i in incidents]
            by_incident: dict[int, list] = {i: [] for i in ids}
            for e in s.scalars(select(TimelineEvent).where(TimelineEvent.incident_id.in_(ids))
                               .order_by(TimelineEvent.incident_id, TimelineEvent.seq)):
                by_incident[e.incident_id].append((e.seq, e.prev_hash, e.hash, e.sealed_fields()))
            for inc in incidents:
                yield from _missing(last_id + 1, inc.id - 1, excused)
                yield from _one_incident(inc, by_incident[inc.id])
                if matcher is not None:
                    hashes = {seq: h for seq, _, h, _ in by_incident[inc.id]}
                    matcher.observe(inc.id, inc.key, len(by_incident[inc.id]), hashes.get)
                last_id = inc.id
            s.expunge_all()
        if matcher is not None:
            trail = {r.seq: r.hash for r in records}
            yield from matcher.finish(len(records), trail.get)


def _one_incident(inc, events: list) -> Iterator[ChainProblem]:
    try:
        expected_key = format_key(inc.type, inc.id)
    except ValueError:
        expected_key = None
    if inc.key != expected_key:
        yield ChainProblem(inc.key, None, f"key does not fit its number {inc.id} and type {inc.type!r} "
                           "(the row was changed)", "row")
    if not events:
        yield ChainProblem(inc.key, None, "has no events at all: every incident starts with its creation "
                           "(timeline deleted?)")
        return
    chain = verify_chain(inc.key, events, inc.last_event_hash, inc.event_count)
    yield from chain
    if events[0][3].get("kind") != "created":
        yield ChainProblem(inc.key, None, "does not start with its creation (events deleted or replaced?)")
    if not chain:
        yield from compare_replay(inc.key, inc._mapping, replay_incident(e[3] for e in events))


def checkpoint_heads(db: Database) -> tuple[list[tuple[int, int, str | None]], tuple[int, str] | None]:
    """Every incident's (number, event count, last hash) and the trail head, in one snapshot."""
    with db.read() as s:
        _snapshot(s)
        heads = [(r.id, r.event_count, r.last_event_hash) for r in s.execute(
            select(Incident.id, Incident.event_count, Incident.last_event_hash).order_by(Incident.id))]
        return heads, directory_head(s)


def trail_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(DirectoryEvent)) or 0)


@dataclass(frozen=True)
class DirectoryEventView:
    seq: int
    at: datetime
    actor: str
    real_actor: str
    kind: str
    subject_type: str
    subject: str
    before: dict | None
    after: dict | None


def directory_history(db: Database, subject: str | None = None, limit: int | None = None) -> list[DirectoryEventView]:
    """The directory trail, oldest first (for one subject, if given; the newest `limit` records)."""
    with db.read() as s:
        stmt = select(DirectoryEvent).order_by(DirectoryEvent.seq.desc())
        if subject is not None:
            stmt = stmt.where(DirectoryEvent.subject == subject)
        if limit:
            stmt = stmt.limit(limit)
        rows = [DirectoryEventView(r.seq, r.at, r.actor, r.real_actor, r.kind, r.subject_type, r.subject,
                                   r.before, r.after) for r in s.scalars(stmt)]
    rows.reverse()
    return rows
