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
- timeline events, then other new rows (escalations, replaced SLA targets: `PlainRow`) and outbox
  rows: INSERTs after the incidents', each table's in the order the service adds them (the change-log
  row is store/changefeed.record_change's, written on this session's connection at once);
- values as SQLAlchemy binds them on SQLite: UTC datetimes as naive `YYYY-MM-DD HH:MM:SS.ffffff`,
  booleans as 0/1, JSON with `json.dumps` (None as `null`).

What the services read besides the incident row is store/plainreads'. Nothing else is written
here, and never PostgreSQL. The connection is opened as store/engine opens one
(foreign keys on, synchronous NORMAL, the same busy timeout) and writes under BEGIN IMMEDIATE.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from incidentdesk.store.rows import utc_from_sqlite

BUSY_TIMEOUT_MS = 10_000  # as store/engine.BUSY_TIMEOUT_MS (not imported: that module imports SQLAlchemy)

# Which columns are datetimes or booleans is read from the file's own schema (the DATETIME and
# BOOLEAN types SQLAlchemy declared them with), not listed here. What the schema cannot say: the
# values the model fills in for a new row (store/models.Incident `default=`; held to it by
# tests/store/test_plainwrite.py), and one attribute named differently from its column.
NEW_INCIDENT_DEFAULTS = {
    "type": "incident", "description": "", "symptoms": "", "impacted": "", "steps_to_reproduce": "",
    "device_user": "", "recent_changes": "", "severity": "SEV4", "status": "new", "is_open": True, "tier": 1,
    "source": "manual", "response_sla_state": "on_track", "resolution_sla_state": "on_track",
    "sla_paused_seconds": 0.0, "alert_count": 0, "first_contact_resolution": False, "reopen_count": 0,
    "is_major": False, "version": 1, "event_count": 0,
}
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
    """An incidents row as attributes (the ORM model's names), remembering what it was loaded with;
    a new one (`loaded=False`) has every column, None where the model has no default."""

    def __init__(self, values: dict, group: PlainGroup | None, *, loaded: bool) -> None:
        self.__dict__.update(values)
        self.group = group
        self._loaded = dict(values) if loaded else None
        self._loaded_group = group.id if group is not None else None

    def __getattr__(self, name: str):  # only for names the row has not: a relationship, say
        raise PlainUnsupported(f"incident.{name}")

    @property
    def group_id(self) -> int | None:
        """The group id as read (as the ORM's column attribute: a new `group` shows in it after the flush)."""
        return self._loaded_group

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


def _column_types(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    """Column name -> declared type (DATETIME, BOOLEAN, JSON, ...) as the schema has it."""
    return {row[1]: (row[2] or "").upper() for row in conn.execute(f"PRAGMA table_info({table})")}


def _incident_values(types: dict[str, str], cursor: sqlite3.Cursor, row) -> dict:
    values = {}
    for (column, *_), value in zip(cursor.description, row, strict=True):
        if value is not None and types.get(column) == "DATETIME":
            value = utc_from_sqlite(value)
        elif value is not None and types.get(column) == "BOOLEAN":
            value = bool(value)
        values[ATTRIBUTE_OF.get(column, column)] = value
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


class PlainRow:
    """A new row of another table (an escalation, a replaced SLA target), its columns as attributes:
    the service may set more after making it, and every one set is inserted; one never set reads as
    None and is stored as NULL, as the ORM leaves a column without a default."""

    def __init__(self, table: str, columns: frozenset[str], **values) -> None:
        self.__dict__.update(_table=table, _columns=columns)
        for name, value in values.items():
            setattr(self, name, value)

    def __getattr__(self, name: str):
        if name in self._columns:
            return None
        raise AttributeError(name)

    def __setattr__(self, name: str, value) -> None:
        if name not in self._columns:
            raise PlainUnsupported(f"{self._table}.{name}")
        self.__dict__[name] = value

    def values(self) -> dict:
        return {name: sqlite_value(value) for name, value in self.__dict__.items() if not name.startswith("_")}


@dataclass
class PlainSession:
    """One write transaction (BEGIN IMMEDIATE ... COMMIT) on a plain sqlite3 connection."""

    conn: sqlite3.Connection
    info: dict = field(default_factory=dict)
    _incidents: list[PlainIncident] = field(default_factory=list)
    _events: list[PlainEvent] = field(default_factory=list)
    _rows: list[tuple[str, dict | PlainRow]] = field(default_factory=list)  # escalations, SLA history, outbox
    _types: dict[str, str] | None = None

    def __getattr__(self, name: str):  # scalar, execute, get...: the SQLAlchemy session's
        raise PlainUnsupported(f"session.{name}")

    @property
    def no_autoflush(self):
        return nullcontext()  # nothing is written before commit but the INSERTs below, in order

    def incident_types(self) -> dict[str, str]:
        if self._types is None:
            self._types = _column_types(self.conn, "incidents")
        return self._types

    def incident_for_update(self, number: int) -> PlainIncident | None:
        cur = self.conn.execute("SELECT * FROM incidents WHERE id = ?", (number,))
        row = cur.fetchone()
        if row is None:
            return None
        values = _incident_values(self.incident_types(), cur, row)
        incident = PlainIncident(values, self.group_by_id(values.pop("group_id")), loaded=True)
        self._incidents.append(incident)
        return incident

    def new_incident(self, group: PlainGroup | None = None, **values) -> PlainIncident:
        """A new incident (added by `add`): every column, the model's defaults, then `values`."""
        columns = {ATTRIBUTE_OF.get(c, c): None for c in self.incident_types() if c != "group_id"}
        unknown = set(values) - set(columns)
        if unknown:
            raise PlainUnsupported(f"incident columns {sorted(unknown)}")
        return PlainIncident({**columns, **NEW_INCIDENT_DEFAULTS, **values}, group, loaded=False)

    def group_by_id(self, group_id: int | None) -> PlainGroup | None:
        return _group(self.conn, group_id)

    def group_named(self, name: str) -> PlainGroup | None:
        row = self.conn.execute("SELECT id FROM groups WHERE name = ?", (name,)).fetchone()
        return _group(self.conn, row[0]) if row else None

    def group_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM groups ORDER BY name")]

    def max_incident_id(self) -> int | None:
        return self.conn.execute("SELECT max(id) FROM incidents").fetchone()[0]

    def new_row(self, table: str, **values) -> PlainRow:
        """A new row of `table` for `add` (its columns checked against the file's schema)."""
        return PlainRow(table, frozenset(_column_types(self.conn, table)), **values)

    def tracked(self, number: int) -> PlainIncident | None:
        """The incident with this id if this transaction loaded it already (as the ORM's identity map)."""
        return next((inc for inc in self._incidents if inc._loaded is not None and inc.id == number), None)

    def insert_rows(self, table: str, rows: list[dict]) -> None:
        """Rows for `table` (as store/outbox.add gives them: column -> value), inserted at commit after
        the incidents they refer to (a new incident's outbox row needs it written first)."""
        self._rows += [(table, {name: sqlite_value(value) for name, value in row.items()}) for row in rows]

    def categories(self) -> list[tuple[str, bool, str | None]]:
        rows = self.conn.execute("SELECT path, retired, default_group FROM categories ORDER BY path")
        return [(path, bool(retired), group) for path, retired, group in rows]

    def add(self, obj) -> None:
        """Queue a row for commit: incidents first, then timeline events in the order added (as the
        ORM's flush orders them: an event refers to its incident)."""
        if isinstance(obj, PlainEvent):
            self._events.append(obj)
        elif isinstance(obj, PlainRow):
            self._rows.append((obj._table, obj))
        elif isinstance(obj, PlainIncident):
            if obj not in self._incidents:
                self._incidents.append(obj)
        else:
            raise PlainUnsupported(f"a plain session does not write {type(obj).__name__}")

    def flush(self) -> None:
        """Write each incident changed or added (called once, at commit): new ones in the order added,
        then changed ones by id, as the ORM's flush orders them (the full-text index's triggers then
        store the same index, byte for byte)."""
        new = [inc for inc in self._incidents if inc._loaded is None]
        for incident in new + sorted((inc for inc in self._incidents if inc._loaded is not None), key=lambda i: i.id):
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
        for event in self._events:
            values = [sqlite_value(getattr(event, c), as_json=c in EVENT_JSON) for c in EVENT_COLUMNS]
            cur = self.conn.execute(f"INSERT INTO timeline_events ({', '.join(EVENT_COLUMNS)}) "
                                    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})", values)
            event.id = cur.lastrowid
        for table, row in self._rows:
            values = row.values() if isinstance(row, PlainRow) else row
            cur = self.conn.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                                    list(values.values()))
            if isinstance(row, PlainRow):
                row.id = cur.lastrowid
        self._incidents, self._events, self._rows = [], [], []


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

    def with_session_info(self, **info) -> PlainDatabase:
        """This file whose write sessions carry `info` too (the notification rules: as Database's)."""
        return replace(self, session_info={**self.session_info, **info})

    def dispose(self) -> None:
        pass
