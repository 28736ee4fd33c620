"""Start-up shared by every entry point: read config, open the database, know the actor.

On a SQLite file whose schema is current, `open_runtime` does not import SQLAlchemy: it checks
the schema revision and reads the actor with plain sqlite3 (store/fastpath) and opens the
real database the first time `db` or `ctx` is used. The console uses that to show its first
page before paying for SQLAlchemy, then opens the database in a worker thread. Every other
case (PostgreSQL, a new or older database, any doubt) opens everything at once, as before.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from incidentdesk.config import Config, load_config, resolve_database_url
from incidentdesk.domain.roles import Actor
from incidentdesk.services.context import ServiceContext, resolve_actor

if TYPE_CHECKING:
    from incidentdesk.store.engine import Database
    from incidentdesk.store.rows import Page, QueueFilter
    from incidentdesk.store.views import IncidentDetail


class Runtime:
    """The config, the database and the service context; `db`/`ctx` open on first use if deferred."""

    def __init__(self, config: Config, db: Database | None = None, ctx: ServiceContext | None = None, *,
                 opener=None, actor: Actor | None = None, display_name: str | None = None,
                 first_page: tuple[Page, IncidentDetail | None, int] | None = None,
                 sqlite_path: Path | None = None) -> None:
        self.config = config
        self._db = db
        self._ctx = ctx
        self._opener = opener  # () -> (Database, ServiceContext), when deferred
        self._actor = actor
        self._display_name = display_name
        self._first_page = first_page  # (Page, its first incident's detail, last change id) read at start-up; once
        self.feed_since: int | None = None  # where the change feed starts, if the first page was read early
        self._lock = threading.Lock()
        # The SQLite file whose schema was just read to be current with plain sqlite3 (deferred only):
        # `list` and `show` read it without SQLAlchemy (store/plainsql) while the database is not open.
        self.sqlite_path = sqlite_path

    @property
    def is_open(self) -> bool:
        return self._ctx is not None

    def open(self) -> None:
        """Open the database if it is not yet (blocks; the console calls it from a worker thread)."""
        if self._ctx is not None:
            return
        with self._lock:
            if self._ctx is None:
                self._db, self._ctx = self._opener()

    @property
    def db(self) -> Database:
        self.open()
        return self._db

    @db.setter
    def db(self, db: Database) -> None:
        self._db = db

    @property
    def ctx(self) -> ServiceContext:
        self.open()
        return self._ctx

    @ctx.setter
    def ctx(self, ctx: ServiceContext) -> None:
        self._ctx = ctx

    def plain_sqlite(self):
        """A read-only plain sqlite3 connection to the current SQLite file while the database is not
        open (store/plainsql reads through it); None otherwise (PostgreSQL, a fresh or older file)."""
        if self.sqlite_path is None or self._ctx is not None:
            return None
        from incidentdesk.store.fastpath import connect

        return connect(self.sqlite_path)

    def plain_context(self) -> ServiceContext | None:
        """A service context whose writes go through plain sqlite3 (store/plainwrite), while the
        database is not open, on the current SQLite file just checked; None otherwise. With
        notification rules configured, their outbox rows are written through it too (ServiceContext
        hands the rules to its sessions, services/outbox writes the rows in the same transaction)."""
        if self.sqlite_path is None or self._ctx is not None:
            return None
        from incidentdesk.store.plainwrite import PlainDatabase

        return ServiceContext(PlainDatabase(self.sqlite_path, f"sqlite:///{self.sqlite_path}"), self.config,
                              self._actor)

    def now(self):
        """The service clock's time, without opening the database for it."""
        from incidentdesk.services.context import utc_now

        return self._ctx.now() if self._ctx is not None else utc_now()

    @property
    def actor(self) -> Actor:
        """Who acts; known before the database is open."""
        return self._ctx.actor if self._ctx is not None else self._actor

    @property
    def display_name(self) -> str:
        """What the console's header names the database by: the name given, else the open database's."""
        if self._display_name is not None:
            return self._display_name
        return self._db.display_name

    def early_first_screen(self, flt: QueueFilter) -> tuple[Page, IncidentDetail | None] | None:
        """The first page and its first incident's detail, read without SQLAlchemy, once, while the
        database is not open yet; else None (the console then reads both the normal way)."""
        from incidentdesk.store.fastpath import FIRST_PAGE_FILTER

        first, self._first_page = self._first_page, None
        if first is None or self._ctx is not None or flt != FIRST_PAGE_FILTER:
            return None
        page, detail, self.feed_since = first
        return page, detail

    def early_first_page(self, flt: QueueFilter) -> Page | None:
        """early_first_screen's page alone."""
        first = self.early_first_screen(flt)
        return first[0] if first is not None else None


def open_runtime(db_url: str | None = None, acting_as: str | None = None, config_file: Path | None = None,
                 config: Config | None = None, *, console: bool = True) -> Runtime:
    """`console`: read the queue's first page now and open the database later, checking its schema again
    then; a CLI command (console=False) opens the database at once and needs neither."""
    config = config or load_config(config_file)
    url = resolve_database_url(db_url, config)
    deferred = _deferred_sqlite_runtime(url, acting_as, config, console=console)
    if deferred is not None:
        return deferred
    db, ctx = _open(url, acting_as, config)
    return Runtime(config, db, ctx)


def _open(url: str, acting_as: str | None, config: Config, actor: Actor | None = None, *,
          schema_checked: bool = False):
    """The database and the context; `schema_checked`: the schema was just read to be current (plain sqlite3)."""
    from incidentdesk.store.engine import open_database, translate_errors

    db = open_database(url, group_shared=config.sqlite_group_shared)
    try:
        with translate_errors():  # e.g. PostgreSQL down or the database missing: one clear message
            if not schema_checked:
                from incidentdesk.store.migrate import ensure_schema

                ensure_schema(db.engine)
            if actor is None:
                actor = resolve_actor(db, config, acting_as)
    except Exception:
        db.dispose()
        raise
    return db, ServiceContext(db, config, actor)


def _deferred_sqlite_runtime(url: str, acting_as: str | None, config: Config, *,
                             console: bool = True) -> Runtime | None:
    """A runtime whose database opens later, when the SQLite file is there and current; else None."""
    import sqlite3

    from incidentdesk.store import fastpath
    from incidentdesk.store.files import check_database_file
    from incidentdesk.store.migrate import head_revision

    path = fastpath.sqlite_file(url)
    if path is None:
        return None
    check_database_file(path, config.sqlite_group_shared)  # an unsafe file is refused before it is read
    try:
        conn = fastpath.connect(path)
        try:
            if fastpath.schema_revision(conn) != head_revision():
                return None
            actor = resolve_actor(None, config, acting_as, load=lambda login, real_login=None:
                                  fastpath.load_actor(conn, login, real_login))
            # The page and its first incident's detail are read here, on the main thread before the
            # event loop starts (a few ms): in a worker it would take 100 ms and more, waiting for
            # the GIL at each sqlite3 call while the main thread lays out the first screen.
            try:
                first = None
                if console:  # a CLI command reads no first screen (nor imports its reader)
                    from incidentdesk.store.fastdetail import read_first_screen

                    first = read_first_screen(conn)
            except sqlite3.Error:  # the worker will read it the normal way
                first = None
        finally:
            conn.close()
    except (sqlite3.Error, ValueError):  # e.g. locked, or a role this code does not know: the normal path says
        return None
    # The console opens the database later, in a worker, and checks the schema again then (it may have
    # changed meanwhile); a CLI command opens it at once, just after the check above.
    checked = not console
    return Runtime(config, opener=lambda: _open(url, acting_as, config, actor, schema_checked=checked), actor=actor,
                   display_name=f"sqlite:{url.split(':///', 1)[1]}", first_page=first, sqlite_path=path)
