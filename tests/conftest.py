"""Shared fixtures: a real SQLite file (WAL) and a real PostgreSQL database per test run.

PostgreSQL comes from INCIDENTDESK_TEST_PG_URL (default: the local server, user postgres).
Each run creates its own throw-away database there and drops it afterwards. Where no server
answers, PostgreSQL tests are skipped with a loud reason — unless INCIDENTDESK_REQUIRE_PG=1
(as .ci/run sets), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from incidentdesk.config import Config
from incidentdesk.domain.enums import Role
from incidentdesk.services import directory
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.engine import Database, open_database
from incidentdesk.store.migrate import ensure_schema
from incidentdesk.store.models import Base
from incidentdesk.store.queries import list_groups

PG_URL = os.environ.get("INCIDENTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("INCIDENTDESK_REQUIRE_PG") == "1"


def _pg_reachable(url: str) -> str | None:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not reachable" here
        return str(exc).splitlines()[0]


@pytest.fixture(autouse=True)
def _site_time_zone_utc(monkeypatch):
    """Tests count business hours in UTC whatever the host's zone is (Config's default is the host's)."""
    import incidentdesk.config.paths

    monkeypatch.setattr(incidentdesk.config.paths, "machine_time_zone", lambda: "UTC")


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    problem = _pg_reachable(PG_URL)
    if problem:
        message = (f"!!! PostgreSQL NOT REACHABLE at {make_url(PG_URL).render_as_string(hide_password=True)} "
                   f"({problem}); set INCIDENTDESK_TEST_PG_URL or start the server !!!")
        if REQUIRE_PG:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return PG_URL


@pytest.fixture(scope="session")
def pg_database_factory(pg_server_url) -> Iterator[Callable[[], str]]:
    """Creates throw-away databases on the server; drops them all at the end of the run."""
    created: list[str] = []
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")

    def make() -> str:
        name = f"incidentdesk_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated_url(pg_database_factory) -> str:
    url = pg_database_factory()
    db = open_database(url)
    ensure_schema(db.engine)
    db.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = open_database(f"sqlite:///{path}")
    ensure_schema(db.engine)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


def _truncate_all(db: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_db(tmp_path, sqlite_template) -> Iterator[Database]:
    path = tmp_path / "incidentdesk.db"
    shutil.copy(sqlite_template, path)
    os.chmod(path, 0o600)
    db = open_database(f"sqlite:///{path}")
    ensure_schema(db.engine)
    yield db
    db.dispose()


@pytest.fixture
def pg_db(pg_migrated_url) -> Iterator[Database]:
    db = open_database(pg_migrated_url)
    _truncate_all(db)
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request) -> Database:
    """The same test on a real SQLite file and on a real PostgreSQL database."""
    return request.getfixturevalue("sqlite_db" if request.param == "sqlite" else "pg_db")


@dataclass
class FakeClock:
    """A settable clock for services: tests move time explicitly."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def make_ctx(db, clock) -> Callable[..., ServiceContext]:
    """make_ctx("login", role=...) adds the person (first caller bootstraps as admin) and returns their context."""
    config = Config()
    bootstrap = ServiceContext(db, config, load_actor(db, "root-setup"), clock)

    admin: list[ServiceContext] = []

    def make(login: str, role: Role | str = Role.RESPONDER, groups: tuple[str, ...] = (),
             config_override: Config | None = None) -> ServiceContext:
        if not admin:  # bootstrap once: after that only an admin may add people
            directory.add_user(bootstrap, "root-setup", role=Role.ADMIN)
            admin.append(ServiceContext(db, config, load_actor(db, "root-setup"), clock))
        admin_ctx = admin[0]
        existing = {g.name for g in list_groups(db)}
        for group in groups:
            if group not in existing:  # add_group on an existing group would reset its tier
                directory.add_group(admin_ctx, group)
        directory.add_user(admin_ctx, login, role=role, groups=list(groups))
        return ServiceContext(db, config_override or config, load_actor(db, login), clock)

    return make
