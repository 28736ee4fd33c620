"""The change feed: which incidents changed since I last looked, from any process.

Every service transaction writes a ChangeLog row (and, on PostgreSQL, a NOTIFY) together
with the change itself, so a console that learns of a change can read it at once.

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
from dataclasses import dataclass, field

from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.store.engine import Database

CHANNEL = "incidentdesk_changes"
APPLICATION_NAME = "incidentdesk-changefeed"
SQLITE_POLL_SECONDS = 0.1
MAX_ROWS_PER_READ = 5000


@dataclass
class Changes:
    incident_ids: set[int] = field(default_factory=set)
    resync: bool = False

    def __bool__(self) -> bool:
        return bool(self.incident_ids) or self.resync


def notify_sql(dialect_name: str) -> str | None:
    """The statement services run inside a write transaction to wake PostgreSQL listeners."""
    return f"SELECT pg_notify('{CHANNEL}', :payload)" if dialect_name == "postgresql" else None


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
        return Changes({int(r[1]) for r in rows})

    def _wait_pg(self, timeout: float) -> Changes:
        ids: set[int] = set()
        got_any = False
        for note in self._conn.notifies(timeout=timeout, stop_after=1):
            got_any = True
            ids.update(_payload_ids(note.payload))
        if got_any:
            # Collect whatever else arrives within a few ms, so a burst repaints once.
            for note in self._conn.notifies(timeout=0.02):
                ids.update(_payload_ids(note.payload))
        if self._conn.closed or self._conn.broken:
            raise StorageUnavailable("lost the PostgreSQL connection; retrying")
        if not got_any:
            # notifies() returns quietly when the server closes the socket; probe it.
            self._conn.execute("SELECT 1")
        return Changes(ids)


def _payload_ids(payload: str) -> list[int]:
    """A notification names one incident id, or several separated by commas (a bulk writer
    such as the SLA sweeper sends one notification for many incidents)."""
    return [int(part) for part in payload.split(",") if part.isdigit()]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
