"""A write transaction on a current SQLite file through plain sqlite3: what a CLI command that
changes one incident (`comment`, `ack`, ...) writes, without importing SQLAlchemy.

Importing SQLAlchemy and mapping the models costs a changing command more than its whole start-up
budget (README, Performance). The services stay the only writers and keep every rule: they run the
same code on a `PlainIncident` (the incidents row as attributes, its group as `PlainGroup`) inside
a `PlainSession`, and the few places that touch storage go through store/writes.py, which hands
them either the ORM or this module. Here is only storage, written exactly as SQLAlchemy writes it
(tests/store/test_plainwrite.py runs the same use cases both ways and compares every stored value):

- the incident: at commit, one `UPDATE incidents SET <changed columns>, version = version + 1
  WHERE id = ? AND version = ?` (the ORM's version counter; no row: StaleRow), or one INSERT;
- timeline events and change-log rows: INSERTs in the order the service adds them;
- values as SQLAlchemy binds them on SQLite: UTC datetimes as naive `YYYY-MM-DD HH:MM:SS.ffffff`,
  booleans as 0/1, JSON with `json.dumps` (None as `null`).

Nothing else is written here: no notification rules (the CLI takes the ORM path when `[notify]`
has rules), no SLA history, no PostgreSQL. The connection is opened as store/engine opens one
(foreign keys on, synchronous NORMAL, the same busy timeout) and writes under BEGIN IMMEDIATE.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from incidentdesk.store.rows import utc_from_sqlite

BUSY_TIMEOUT_MS = 10_000  # as store/engine.BUSY_TIMEOUT_MS (not imported: that module imports SQLAlchemy)

# The incidents columns SQLAlchemy maps as UTC datetimes and booleans (store/models.Incident;
# tests/store/test_plainwrite.py holds these sets to the model).
INCIDENT_UTC = frozenset({
    "started_at", "created_at", "updated_at", "acknowledged_at", "resolved_at", "closed_at", "response_due_at",
    "resolution_due_at", "sla_due_at", "response_breached_at", "resolution_breached_at", "sla_paused_at",
    "sla_started_at", "next_sla_check_at", "last_alert_at", "major_declared_at", "last_update_at",
    "next_update_due"})
INCIDENT_BOOL = frozenset({"is_open", "first_contact_resolution", "user_confirmed", "is_major"})
# Attribute name -> column name where they differ (Incident.correlation_key is the dedup_key column).
COLUMN_OF = {"correlation_key": "dedup_key"}
ATTRIBUTE_OF = {column: attr for attr, column in COLUMN_OF.items()}
EVENT_COLUMNS = ("incident_id", "seq", "at", "actor", "real_actor", "kind", "before", "after", "text", "prev_hash",
                 "hash")
EVENT_JSON = frozenset({"before", "after"})


class StaleRow(Exception):
    """The incident row was not at the version read: someone else's change came first."""


class PlainUnsupported(Exception):
    """The service asked for something only the SQLAlchemy session does (a query, another table):
    the transaction is rolled back, nothing is written, and the caller runs the use case there."""


def sqlite_value(value, *, as_json: bool = False):
    """A Python value as SQLAlchemy binds it for SQLite (see the module docstring)."""
    if as_json:
        return json.dumps(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


@dataclass
class PlainGroup:
    """A groups row, as much of it as the services read through `incident.group`."""

    id: int
    name: str
    tier: int
    manager: str | None = None
    description: str = ""


class PlainIncident:
    """An incidents row as attributes (the ORM model's names), remembering what it was loaded with."""

    def __init__(self, values: dict, group: PlainGroup | None, *, loaded: bool) -> None:
        self.__dict__.update(values)
        self.group = group
        self._loaded = dict(values) if loaded else None
        self._loaded_group = group.id if group is not None else None

    def __getattr__(self, name: str):  # only for names the row has not: a relationship, say
        raise PlainUnsupported(f"incident.{name}")

    def changes(self) -> dict:
        """Column name -> value to store, for every attribute that differs from the row as read."""
        out = {}
        for name, value in self.__dict__.items():
            if name.startswith("_") or name == "group":
                continue
            if self._loaded is None or self._loaded.get(name, _MISSING) != value:
                out[COLUMN_OF.get(name, name)] = sqlite_value(value)
        group_id = self.group.id if self.group is not None else None
        if self._loaded is None or group_id != self._loaded_group:
            out["group_id"] = group_id
        return out


_MISSING = object()


def _incident_values(cursor: sqlite3.Cursor, row) -> dict:
    values = {}
    for (column, *_), value in zip(cursor.description, row, strict=True):
        name = ATTRIBUTE_OF.get(column, column)
        if value is not None and name in INCIDENT_UTC:
            value = utc_from_sqlite(value)
        elif value is not None and name in INCIDENT_BOOL:
            value = bool(value)
        values[name] = value
    return values


def _group(conn: sqlite3.Connection, group_id: int | None) -> PlainGroup | None:
    if group_id is None:
        return None
    row = conn.execute("SELECT id, name, tier, manager, description FROM groups WHERE id = ?", (group_id,)).fetchone()
    return PlainGroup(*row) if row else None


class PlainEvent:
    """A timeline event to insert (the attributes services read back: its hash, seq...)."""

    def __init__(self, **values) -> None:
        self.__dict__.update(values)


@dataclass
class PlainSession:
    """One write transaction (BEGIN IMMEDIATE ... COMMIT) on a plain sqlite3 connection."""

    conn: sqlite3.Connection
    info: dict = field(default_factory=dict)
    _incidents: list[PlainIncident] = field(default_factory=list)

    def __getattr__(self, name: str):  # scalar, execute, get...: the SQLAlchemy session's
        raise PlainUnsupported(f"session.{name}")

    @property
    def no_autoflush(self):
        return nullcontext()  # nothing is written before commit but the INSERTs below, in order

    def incident_for_update(self, number: int) -> PlainIncident | None:
        cur = self.conn.execute("SELECT * FROM incidents WHERE id = ?", (number,))
        row = cur.fetchone()
        if row is None:
            return None
        values = _incident_values(cur, row)
        incident = PlainIncident(values, _group(self.conn, values.pop("group_id")), loaded=True)
        self._incidents.append(incident)
        return incident

    def add(self, obj) -> None:
        if isinstance(obj, PlainEvent):
            values = [sqlite_value(getattr(obj, c), as_json=c in EVENT_JSON) for c in EVENT_COLUMNS]
            cur = self.conn.execute(f"INSERT INTO timeline_events ({', '.join(EVENT_COLUMNS)}) "
                                    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", values)
            obj.id = cur.lastrowid
        elif isinstance(obj, PlainIncident):
            if obj not in self._incidents:
                self._incidents.append(obj)
        else:
            raise PlainUnsupported(f"a plain session does not write {type(obj).__name__}")

    def insert_change(self, incident_id: int, at: datetime, kind: str) -> int:
        """One change_log row (store/changefeed.record_change calls this; it is the only writer)."""
        cur = self.conn.execute("INSERT INTO change_log (incident_id, at, kind) VALUES (?, ?, ?)",
                                (incident_id, sqlite_value(at), kind))
        return int(cur.lastrowid)

    def flush(self) -> None:
        """Write each incident changed or added (called once, at commit)."""
        for incident in self._incidents:
            changes = incident.changes()
            if incident._loaded is None:  # a new row, written once with its version
                names = list(changes)
                self.conn.execute(f"INSERT INTO incidents ({', '.join(_q(n) for n in names)}) "
                                  f"VALUES ({', '.join('?' * len(names))})", [changes[n] for n in names])
                continue
            if not changes:
                continue
            version = incident._loaded["version"]
            changes["version"] = version + 1
            sets = ", ".join(f"{_q(name)}=?" for name in changes)
            cur = self.conn.execute(f"UPDATE incidents SET {sets} WHERE incidents.id = ? AND incidents.version = ?",
                                    [*changes.values(), incident.id, version])
            if cur.rowcount != 1:
                raise StaleRow(incident.id)
            incident.version = version + 1


def _q(name: str) -> str:
    return f'"{name}"' if name == "key" else name


@dataclass
class PlainDatabase:
    """The SQLite file a deferred runtime checked to be current, written through PlainSession."""

    path: Path
    url: str
    session_info: dict = field(default_factory=dict)
    backend: str = "sqlite"

    def _connect(self) -> sqlite3.Connection:
        from incidentdesk.store.fastpath import connect

        conn = connect(self.path)
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    @contextmanager
    def write(self) -> Iterator[PlainSession]:
        """One transaction: committed when the block ends, rolled back on any error (as Database.write)."""
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            session = PlainSession(conn, dict(self.session_info))
            try:
                yield session
                session.flush()
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            from incidentdesk.domain.errors import StorageUnavailable

            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StorageUnavailable("the database is busy (locked by another writer for too long); nothing "
                                         "was saved — try again") from exc
            raise StorageUnavailable(f"the database is unreachable ({text}); nothing was saved — retry when it "
                                     "is back") from exc
        finally:
            conn.close()

    def incident_now(self, number: int) -> PlainIncident | None:
        """The incident as committed now (after a StaleRow, to say who changed it)."""
        conn = self._connect()
        try:
            return PlainSession(conn).incident_for_update(number)
        finally:
            conn.close()

    def dispose(self) -> None:
        pass
