"""The plumbing behind the `db` fixtures: is PostgreSQL there, and emptying its tables between tests."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from incidentdesk.store.engine import Database
from incidentdesk.store.models import Base

PG_URL = os.environ.get("INCIDENTDESK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REQUIRE_PG = os.environ.get("INCIDENTDESK_REQUIRE_PG") == "1"


def pg_unreachable(url: str) -> str | None:
    """None if the server answers `select 1`; else the first line of why not."""
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means "not reachable" here
        return str(exc).splitlines()[0]


def truncate_all(db: Database) -> None:
    """Every table emptied and its identities restarted (PostgreSQL), so each test starts clean."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
