"""The change feed: which incidents changed since I last looked, from any process.

Every service transaction writes a ChangeLog row (and, on PostgreSQL, a NOTIFY) together
with the change itself, so a console that learns of a change can read it at once.
`record_change` is the only writer of both — the timeline, the alert paths (counters-only
repeats too) and the SLA sweeper call it — so a change no console hears of cannot be written.

A notification's payload is comma-separated tokens: an incident id, optionally followed by
`c<change_log id>` (a single change names its row: the console that made it can tell its own
change from someone else's, see `capture`); bulk writers send bare ids, up to ~1,000 per
notification, under PostgreSQL's 8000-byte payload limit.

- SQLite: `PRAGMA data_version` on a dedicated connection changes whenever another
  connection commits; polling it costs microseconds, and only then is change_log read.
- PostgreSQL: LISTEN on a dedicated autocommit connection; the notification arrives on
  commit, carrying the incident id (or several, comma-separated). (change_log ids are not
  in commit order there, so they are not used for catch-up; after a reconnect the caller
  resynchronises instead.)

`wait()` blocks for at most `timeout` seconds and is meant for a worker thread. When the
database goes away it raises StorageUnavailable; the next call reconnects and, once it
succeeds, reports `resync=True` because changes may have been missed meanwhile.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from typing import TYPE_CHECKING

from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.store.plainwrite import PlainSession, PlainUnsupported, sqlite_value

if TYPE_CHECKING:  # record_change runs in plain sqlite3 writes too (store/plainwrite), without SQLAlchemy
    from incidentdesk.store.engine import Database

CHANNEL = "incidentdesk_changes"
APPLICATION_NAME = "incidentdesk-changefeed"
SQLITE_POLL_SECONDS = 0.1
MAX_ROWS_PER_READ = 5000
NOTIFY_PAYLOAD_LIMIT = 7900   # PostgreSQL refuses a NOTIFY payload of 8000 bytes or more
_NOTIFY = f"SELECT pg_notify('{CHANNEL}', :payload)"


@dataclass
class Changes:
    incident_ids: set[int] = field(default_factory=set)
    resync: bool = False
    # change_log ids per incident, where the feed knows them (SQLite: always; PostgreSQL: single
    # changes); `unnamed`: incidents with a change whose row is not named (a bulk notification).
    change_ids: dict[int, set[int]] = field(default_factory=dict)
    unnamed: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.incident_ids) or self.resync

    def add(self, incident_id: int, change_id: int | None) -> None:
        self.incident_ids.add(incident_id)
        if change_id is None:
            self.unnamed.add(incident_id)
        else:
            self.change_ids.setdefault(incident_id, set()).add(change_id)

    def only_these(self, incident_id: int, known: set[int]) -> bool:
        """True when every change to `incident_id` reported here is one of the change_log ids `known`."""
        return incident_id not in self.unnamed and bool(self.change_ids.get(incident_id)) \
            and self.change_ids[incident_id] <= known


# -- the one writer -------------------------------------------------------------------
_captured: ContextVar[list | None] = ContextVar("incidentdesk_captured_changes", default=None)


@contextmanager
def capture() -> Iterator[list[tuple[int, int]]]:
    """Collect the (incident id, change_log id) of every single change this thread records inside
    the block. The console wraps its own actions in it, so the feed's echo of them is not read a
    second time. (A change whose transaction rolls back is listed too; no feed ever reports it.)"""
    collected: list[tuple[int, int]] = []
    token = _captured.set(collected)
    try:
        yield collected
    finally:
        _captured.reset(token)


def record_change(session, incident_ids: Sequence[int], kind: str, at: datetime) -> None:
    """Record that these incidents changed, inside the caller's write transaction: one change_log
    row each and, on PostgreSQL, the NOTIFY that wakes every listening console at commit.

    The only writer of change-log rows and notifications. Written on the session's connection at
    once, without flushing the session: what the caller changed on its ORM objects is flushed
    once, at commit (a flush here would cost a second UPDATE, and a second version bump, if the
    caller changes the incident afterwards). One incident: the notification names the row
    (`id,c<change id>`). Several (the sweeper, counters-only alert repeats): one bulk statement,
    one notification per ~1,000 ids.
    """
    ids = list(dict.fromkeys(int(i) for i in incident_ids))
    if not ids:
        return
    kind = str(kind)
    plain = isinstance(session, PlainSession)  # a plain sqlite3 write (store/plainwrite): one incident, SQLite
    if plain and len(ids) != 1:
        raise PlainUnsupported("a plain sqlite3 write records one incident's change")
    if not plain:
        from sqlalchemy import insert
        from sqlalchemy import text as sql_text

        from incidentdesk.store.models import ChangeLog

        conn = session.connection()
        postgres = conn.dialect.name == "postgresql"
        table = ChangeLog.__table__
    if len(ids) == 1:
        if plain:  # bound as SQLAlchemy binds them on SQLite (store/plainwrite.sqlite_value)
            change_id = int(session.conn.execute("INSERT INTO change_log (incident_id, at, kind) VALUES (?, ?, ?)",
                                                 (ids[0], sqlite_value(at), kind)).lastrowid)
        else:
            change_id = int(conn.execute(insert(table).values(incident_id=ids[0], at=at, kind=kind))
                            .inserted_primary_key[0])
        collected = _captured.get()
        if collected is not None:
            collected.append((ids[0], change_id))
        if not plain and postgres:
            _notify(conn, [f"{ids[0]},c{change_id}"])
        return
    if postgres:  # executemany is a round trip per row there; unnest() of one array is one
        conn.execute(sql_text("INSERT INTO change_log (incident_id, at, kind) "
                              "SELECT unnest(CAST(:ids AS INTEGER[])), :at, :kind"),
                     {"ids": ids, "at": at, "kind": kind})
        _notify(conn, notify_payloads(ids))
    else:
        conn.execute(insert(table), [{"incident_id": i, "at": at, "kind": kind} for i in ids])


def _notify(conn, payloads: list[str]) -> None:
    from sqlalchemy import text as sql_text

    for payload in payloads:
        conn.execute(sql_text(_NOTIFY), {"payload": payload})


def notify_payloads(ids: Sequence[int], limit: int = NOTIFY_PAYLOAD_LIMIT) -> list[str]:
    """Incident ids as comma-separated NOTIFY payloads, each under PostgreSQL's payload limit:
    one notification per ~1,000 changed incidents, not one each."""
    payloads, current, size = [], [], 0
    for text in map(str, ids):
        if current and size + 1 + len(text) > limit:
            payloads.append(",".join(current))
            current, size = [], 0
        size += len(text) + (1 if current else 0)
        current.append(text)
    if current:
        payloads.append(",".join(current))
    return payloads


class ChangeFeed:
    def __init__(self, db: Database, since_id: int | None = None) -> None:
        """`since_id`: report changes after this change_log id (SQLite; default: from connecting on)."""
        self.db = db
        self._conn = None
        self._last_id: int | None = since_id
        self._data_version: int | None = None
        self._catch_up = since_id is not None  # read the log once at once: it may have moved since
        self._lost = False

    # -- public -----------------------------------------------------------------------
    def wait(self, timeout: float) -> Changes:
        try:
            if self._ensure_connected():
                return Changes(resync=True)  # back after a loss: say so now, not after a wait
            return self._wait_sqlite(timeout) if self.db.backend == "sqlite" else self._wait_pg(timeout)
        except StorageUnavailable:
            self._drop()
            raise
        except Exception as exc:  # any driver error means the connection is gone
            self._drop()
            raise StorageUnavailable(f"lost the database connection ({_first_line(exc)}); retrying") from exc

    def close(self) -> None:
        self._drop()
        self._lost = False

    # -- connection -------------------------------------------------------------------
    def _ensure_connected(self) -> bool:
        """Connect if needed; True when this is a reconnect after a loss (so: resync)."""
        if self._conn is not None:
            return False
        if self.db.backend == "sqlite":
            self._conn = self.db.engine.raw_connection()
            cur = self._conn.cursor()
            if self._last_id is None:
                cur.execute("SELECT COALESCE(MAX(id), 0) FROM change_log")
                self._last_id = int(cur.fetchone()[0])
            cur.execute("PRAGMA data_version")
            self._data_version = int(cur.fetchone()[0])
            if self._catch_up:
                self._catch_up = False
                self._data_version = -1  # differs from any real one: the first wait reads the log
            cur.close()
        else:
            import psycopg

            url = self.db.engine.url.set(drivername="postgresql")
            try:
                self._conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True,
                                             connect_timeout=5, application_name=APPLICATION_NAME)
            except psycopg.Error as exc:
                raise StorageUnavailable(f"cannot reach PostgreSQL ({_first_line(exc)}); retrying") from exc
            self._conn.execute(f"LISTEN {CHANNEL}")
        lost, self._lost = self._lost, False
        return lost

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
        self._conn = None
        self._lost = True

    # -- backends ---------------------------------------------------------------------
    def _wait_sqlite(self, timeout: float) -> Changes:
        deadline = time.monotonic() + timeout
        cur = self._conn.cursor()
        try:
            while True:
                cur.execute("PRAGMA data_version")
                version = int(cur.fetchone()[0])
                if version != self._data_version:
                    self._data_version = version
                    changes = self._read_sqlite_log(cur)
                    if changes:
                        return changes
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return Changes()
                time.sleep(min(SQLITE_POLL_SECONDS, remaining))
        finally:
            cur.close()

    def _read_sqlite_log(self, cur) -> Changes:
        # Writers on SQLite are serialised, so ids are in commit order and a cursor is exact.
        cur.execute("SELECT id, incident_id FROM change_log WHERE id > ? ORDER BY id LIMIT ?",
                    (self._last_id, MAX_ROWS_PER_READ + 1))
        rows = cur.fetchall()
        if len(rows) > MAX_ROWS_PER_READ:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM change_log")
            self._last_id = int(cur.fetchone()[0])
            return Changes(resync=True)
        if rows:
            self._last_id = rows[-1][0]
        changes = Changes()
        for change_id, incident_id in rows:
            changes.add(int(incident_id), int(change_id))
        return changes

    def _wait_pg(self, timeout: float) -> Changes:
        changes = Changes()
        got_any = False
        for note in self._conn.notifies(timeout=timeout, stop_after=1):
            got_any = True
            _read_payload(note.payload, changes)
        if got_any:
            # Collect whatever else arrives within a few ms, so a burst repaints once.
            for note in self._conn.notifies(timeout=0.02):
                _read_payload(note.payload, changes)
        if self._conn.closed or self._conn.broken:
            raise StorageUnavailable("lost the PostgreSQL connection; retrying")
        if not got_any:
            # notifies() returns quietly when the server closes the socket; probe it.
            self._conn.execute("SELECT 1")
        return changes


def _read_payload(payload: str, changes: Changes) -> None:
    """A notification names one incident id and its change (`12,c345`), or several ids separated
    by commas (a bulk writer such as the SLA sweeper sends one notification for many incidents)."""
    parts = payload.split(",")
    for i, part in enumerate(parts):
        if part.isdigit():
            following = parts[i + 1] if i + 1 < len(parts) else ""
            named = following[:1] == "c" and following[1:].isdigit()
            changes.add(int(part), int(following[1:]) if named else None)


def _payload_ids(payload: str) -> list[int]:
    """The incident ids a notification names, in its order."""
    return [int(part) for part in payload.split(",") if part.isdigit()]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
