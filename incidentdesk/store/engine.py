"""Engines and sessions per backend: SQLite (WAL, private file) or PostgreSQL (psycopg 3).

Writers on SQLite start with BEGIN IMMEDIATE so that two consoles editing at once queue
on the write lock (busy timeout) instead of failing on a lock upgrade half-way through.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from incidentdesk.domain.errors import StorageUnavailable, ValidationError
from incidentdesk.store.files import check_database_file

BUSY_TIMEOUT_MS = 10_000


def _sqlite_path(url) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser()


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy's begin event own transactions (pysqlite's own BEGIN is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@dataclass
class Database:
    """One database: its engine, and sessions for reading and for writing."""

    url: str
    engine: Engine
    _reader: sessionmaker
    _writer: sessionmaker
    # Handed to every writing session as `session.info` (e.g. the notification rules the outbox
    # hook in services/timeline reads): set per process through `with_session_info`.
    session_info: dict = field(default_factory=dict)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @property
    def display_name(self) -> str:
        """Backend and database name, never credentials (for the header and `paths`)."""
        url = make_url(self.url)
        if self.backend == "sqlite":
            return f"sqlite:{url.database}"
        host = url.host or "localhost"
        return f"postgresql:{url.database}@{host}"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with translate_errors(), self._reader() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with translate_errors(), self._writer(info=dict(self.session_info)) as session, session.begin():
            yield session

    def with_session_info(self, **info) -> Database:
        """This database (the same engine and pool) whose writing sessions carry `info` too."""
        return replace(self, session_info={**self.session_info, **info})

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn a lost connection into a user-facing error that says the action did not apply."""
    try:
        yield
    except OperationalError as exc:
        text = str(exc.orig) if exc.orig else str(exc)
        if "locked" in text or "busy" in text:
            raise StorageUnavailable(
                "the database is busy (locked by another writer for too long); nothing was saved — try again"
            ) from exc
        raise StorageUnavailable(
            f"the database is unreachable ({text.strip().splitlines()[0] if text.strip() else 'no answer'}); "
            "nothing was saved — retry when it is back"
        ) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StorageUnavailable("the database connection was lost; nothing was saved — retry") from exc
        raise


def open_database(url: str, *, group_shared: bool = False, echo: bool = False) -> Database:
    """Create the engine for `url`; does not touch the schema (see store.migrate)."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with a terse message
        raise ValidationError(
            f"{url!r} is not a database URL: use sqlite:///path.db or postgresql+psycopg://user@host/dbname"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            check_database_file(path, group_shared)  # refuses unsafe modes, a dangling link; creates it private
        engine = create_engine(parsed, echo=echo, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})
        _install_sqlite_hooks(engine)
        writer_bind = engine.execution_options(sqlite_immediate=True)
    elif parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        writer_bind = engine
    else:
        raise ValidationError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///path.db or postgresql+psycopg://user@host/dbname"
        )
    reader = sessionmaker(bind=engine, expire_on_commit=False)
    writer = sessionmaker(bind=writer_bind, expire_on_commit=False)
    return Database(url=url, engine=engine, _reader=reader, _writer=writer)
