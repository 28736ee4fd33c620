"""Reading on-call rotations: a group's rotation as domain/oncall.Rotation, with its overrides.

The tables are store/oncall_models.py; services/oncall.py writes them. Callers get domain
objects (never ORM rows), so the CLI, the console's header and screen, the iCal export and
alert routing all ask domain/oncall.py the same questions. The audit state of each row (what
the directory trail records, store/audit.py compares) is defined here once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from incidentdesk.domain.errors import NotFound
from incidentdesk.domain.oncall import Cadence, Override, OverrideKind, Rotation, parse_handoff_time
from incidentdesk.store.engine import Database
from incidentdesk.store.models import Group, GroupMember, User
from incidentdesk.store.oncall_models import OncallOverride, OncallRotation


@dataclass(frozen=True)
class OverrideView:
    """One override as `oncall show` lists it (removed ones too, with who removed them)."""

    id: int
    group: str
    person: str
    start: datetime
    end: datetime
    kind: str
    reason: str
    pair_id: int | None
    created_at: datetime
    created_by: str
    removed_at: datetime | None = None
    removed_by: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "group": self.group, "person": self.person, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "kind": self.kind, "reason": self.reason, "pair_id": self.pair_id,
                "created_at": self.created_at.isoformat(), "created_by": self.created_by,
                "removed_at": self.removed_at.isoformat() if self.removed_at else None,
                "removed_by": self.removed_by}


# --- what the directory trail records (services/oncall.py writes it, store/audit.py checks it) ---

def rotation_state(row: OncallRotation) -> dict:
    return {"cadence": row.cadence, "handoff_weekday": row.handoff_weekday, "handoff_time": row.handoff_time,
            "time_zone": row.time_zone, "start_date": row.start_date.isoformat(),
            "members": [m.login for m in sorted(row.members, key=lambda m: m.position)]}


def override_state(row: OncallOverride, group: str) -> dict:
    return {"group": group, "person": row.person, "start": row.starts_at.isoformat(), "end": row.ends_at.isoformat(),
            "kind": row.kind, "pair_id": row.pair_id, "removed": row.removed_at is not None}


def audited_rows(s: Session) -> dict[tuple[str, str], dict]:
    """Every rotation and override as the trail should have it: (subject_type, subject) -> state."""
    current: dict[tuple[str, str], dict] = {}
    names = dict(s.execute(select(OncallRotation.id, Group.name).join(Group, Group.id == OncallRotation.group_id)).all())
    for row in s.scalars(select(OncallRotation)):
        current[("rotation", names[row.id])] = rotation_state(row)
    for o in s.scalars(select(OncallOverride)):
        current[("oncall_override", str(o.id))] = override_state(o, names[o.rotation_id])
    return current


# --- rows -> domain ---

def rotation_row(s: Session, group: str) -> OncallRotation | None:
    return s.scalar(select(OncallRotation).join(Group, Group.id == OncallRotation.group_id).where(Group.name == group))


def to_domain(s: Session, row: OncallRotation, group: str, *, since: datetime | None = None) -> Rotation:
    """The rotation with its overrides in force (not removed; ending after `since` when given)."""
    query = select(OncallOverride).where(OncallOverride.rotation_id == row.id, OncallOverride.removed_at.is_(None))
    if since is not None:
        query = query.where(OncallOverride.ends_at > since)
    overrides = tuple(Override(o.id, o.person, o.starts_at, o.ends_at, OverrideKind(o.kind), o.reason, o.pair_id)
                      for o in s.scalars(query.order_by(OncallOverride.id)))
    return Rotation(group=group, members=tuple(m.login for m in row.members), cadence=Cadence(row.cadence),
                    handoff_weekday=row.handoff_weekday, handoff_time=parse_handoff_time(row.handoff_time),
                    zone=row.time_zone, start=row.start_date, overrides=overrides)


def load_rotation(s: Session, group: str, *, since: datetime | None = None) -> Rotation:
    row = rotation_row(s, group)
    if row is None:
        if s.scalar(select(Group.id).where(Group.name == group)) is None:
            raise NotFound(f"no group {group!r}")
        raise NotFound(f"{group} has no on-call rotation: set one with `incidentdesk oncall rotation-set {group!r}`")
    return to_domain(s, row, group, since=since)


def on_call_now(s: Session, group: str, at: datetime) -> str | None:
    """Who is on call for `group` at `at` (None: no rotation, or nobody in it) — alert routing's question."""
    row = rotation_row(s, group)
    return to_domain(s, row, group, since=at).on_call(at) if row is not None else None


def rotation(db: Database, group: str, *, since: datetime | None = None) -> Rotation:
    with db.read() as s:
        return load_rotation(s, group, since=since)


def rotations(db: Database, *, since: datetime | None = None, member: str | None = None) -> list[Rotation]:
    """Every group's rotation, by group name; `member`: only the groups that login belongs to."""
    with db.read() as s:
        query = select(OncallRotation, Group.name).join(Group, Group.id == OncallRotation.group_id)
        if member is not None:
            query = query.where(Group.id.in_(
                select(GroupMember.group_id).join(User, User.id == GroupMember.user_id).where(User.login == member)))
        rows = s.execute(query.order_by(Group.name)).all()
        return [to_domain(s, row, name, since=since) for row, name in rows]


def overrides(db: Database, group: str, *, since: datetime | None = None,
              include_removed: bool = False) -> list[OverrideView]:
    """A group's overrides (ending after `since`), oldest first."""
    with db.read() as s:
        row = rotation_row(s, group)
        if row is None:
            load_rotation(s, group)  # raises the right NotFound
        query = select(OncallOverride).where(OncallOverride.rotation_id == row.id)
        if since is not None:
            query = query.where(OncallOverride.ends_at > since)
        if not include_removed:
            query = query.where(OncallOverride.removed_at.is_(None))
        return [OverrideView(o.id, group, o.person, o.starts_at, o.ends_at, o.kind, o.reason, o.pair_id, o.created_at,
                             o.created_by, o.removed_at, o.removed_by)
                for o in s.scalars(query.order_by(OncallOverride.id))]


def override_view(db: Database, override_id: int) -> OverrideView:
    with db.read() as s:
        o = s.get(OncallOverride, override_id)
        if o is None:
            raise NotFound(f"no on-call override #{override_id}")
        group = s.scalar(select(Group.name).join(OncallRotation, OncallRotation.group_id == Group.id)
                         .where(OncallRotation.id == o.rotation_id))
        return OverrideView(o.id, group, o.person, o.starts_at, o.ends_at, o.kind, o.reason, o.pair_id, o.created_at,
                            o.created_by, o.removed_at, o.removed_by)

