"""The reads a service makes inside a plain sqlite3 write transaction (store/plainwrite), as
store/writes asks them: the same questions its SQLAlchemy branch asks, in plain SQL.

A changing CLI command on a current SQLite file writes without importing SQLAlchemy (README,
Performance); the services' rules run unchanged on a PlainSession, and where a rule needs to know
something stored besides the incident row — is this person known, was the incident escalated,
which incidents are folded under it, what did its review say — store/writes sends the question
here. Each answer is built from the stored values exactly as the ORM would give them (UTC
datetimes, booleans, JSON), so the rule cannot tell which kind of session asked
(tests/store/test_plainwrite*.py run every plain use case both ways and compare what is stored).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from incidentdesk.store.plainwrite import sqlite_value
from incidentdesk.store.rows import utc_from_sqlite


def _utc(value) -> datetime | None:
    return utc_from_sqlite(value) if value is not None else None


def known_login(conn: sqlite3.Connection, login: str) -> str | None:
    """The users row's login, or None: nobody by that login."""
    row = conn.execute("SELECT login FROM users WHERE login = ?", (login,)).fetchone()
    return row[0] if row else None


def member_logins(conn: sqlite3.Connection, group_id: int) -> set[str]:
    """The logins of a group's members (store/models.Group.members)."""
    return {r[0] for r in conn.execute("SELECT users.login FROM users JOIN group_members "
                                       "ON users.id = group_members.user_id WHERE group_members.group_id = ?",
                                       (group_id,))}


def was_escalated(conn: sqlite3.Connection, incident_id: int) -> bool:
    return conn.execute("SELECT 1 FROM escalations WHERE incident_id = ? LIMIT 1", (incident_id,)).fetchone() is not None


def open_folded_ids(conn: sqlite3.Connection, parent_id: int) -> list[int]:
    """The open incidents folded under `parent_id` (its children and duplicates), by id."""
    return [r[0] for r in conn.execute("SELECT id FROM incidents WHERE parent_id = ? AND is_open IS 1 ORDER BY id",
                                       (parent_id,))]


def earlier_targets(conn: sqlite3.Connection, incident_id: int, policy: str, counted_from: datetime
                    ) -> list[tuple[str, str, datetime | None]]:
    """(target, state, breached_at) of the replaced targets of this policy counted from that instant."""
    rows = conn.execute("SELECT target, state, breached_at FROM sla_target_history WHERE incident_id = ? "
                        "AND policy = ? AND counted_from = ?", (incident_id, policy, sqlite_value(counted_from)))
    return [(target, state, _utc(breached)) for target, state, breached in rows]


def timeline_of_kinds(conn: sqlite3.Connection, incident_id: int, kinds: list[str]
                      ) -> list[tuple[str, datetime, str]]:
    """(kind, at, text) of the incident's events of these kinds, in timeline order."""
    marks = ", ".join("?" * len(kinds))
    rows = conn.execute(f"SELECT kind, at, text FROM timeline_events WHERE incident_id = ? AND kind IN ({marks}) "
                        "ORDER BY seq", (incident_id, *kinds))
    return [(kind, _utc(at), text) for kind, at, text in rows]


def events_of_kind(conn: sqlite3.Connection, incident_id: int, kind: str) -> int:
    return conn.execute("SELECT count(*) FROM timeline_events WHERE incident_id = ? AND kind = ?",
                        (incident_id, kind)).fetchone()[0]


@dataclass(frozen=True)
class Review:
    """What closing a major incident asks of its review (store/models.PirReview's names)."""

    summary: str
    causes: list


def review(conn: sqlite3.Connection, incident_id: int) -> Review | None:
    row = conn.execute("SELECT summary, causes FROM pir_reviews WHERE incident_id = ?", (incident_id,)).fetchone()
    if row is None:
        return None
    return Review(row[0], json.loads(row[1]) if row[1] is not None else None)


@dataclass(frozen=True)
class ServiceRequest:
    """What the request gate asks of a service request (store/request_models.ServiceRequest's names)."""

    approval: str
    approver: str
    decided_by: str | None


@dataclass(frozen=True)
class RequestStep:
    number: int
    title: str
    done_at: datetime | None


def service_request(conn: sqlite3.Connection, incident_id: int) -> ServiceRequest | None:
    row = conn.execute("SELECT approval, approver, decided_by FROM service_requests WHERE incident_id = ?",
                       (incident_id,)).fetchone()
    return ServiceRequest(*row) if row else None


def request_steps(conn: sqlite3.Connection, incident_id: int) -> list[RequestStep]:
    rows = conn.execute("SELECT number, title, done_at FROM request_steps WHERE incident_id = ? ORDER BY number",
                        (incident_id,))
    return [RequestStep(number, title, _utc(done)) for number, title, done in rows]


def on_call_now(conn: sqlite3.Connection, group: str, at: datetime) -> str | None:
    """Who is on call for `group` at `at`, as store/oncall.on_call_now answers (None: no rotation, or
    nobody in it): the rotation, its members by position and its overrides in force, asked of
    domain/oncall.Rotation."""
    from incidentdesk.domain.oncall import Cadence, Override, OverrideKind, Rotation, parse_handoff_time

    row = conn.execute("SELECT r.id, r.cadence, r.handoff_weekday, r.handoff_time, r.time_zone, r.start_date "
                       "FROM oncall_rotations r JOIN groups g ON g.id = r.group_id WHERE g.name = ?", (group,)).fetchone()
    if row is None:
        return None
    rotation_id, cadence, weekday, handoff, zone, start = row
    members = tuple(r[0] for r in conn.execute("SELECT login FROM oncall_members WHERE rotation_id = ? "
                                               "ORDER BY position", (rotation_id,)))
    overrides = tuple(
        Override(o_id, person, _utc(starts), _utc(ends), OverrideKind(kind), reason, pair_id)
        for o_id, person, starts, ends, kind, reason, pair_id in conn.execute(
            "SELECT id, person, starts_at, ends_at, kind, reason, pair_id FROM oncall_overrides WHERE rotation_id = ? "
            "AND removed_at IS NULL AND ends_at > ? ORDER BY id", (rotation_id, sqlite_value(at))))
    return Rotation(group=group, members=members, cadence=Cadence(cadence), handoff_weekday=weekday,
                    handoff_time=parse_handoff_time(handoff), zone=zone, start=date.fromisoformat(start),
                    overrides=overrides).on_call(at)
