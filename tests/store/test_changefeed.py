"""The change feed sees commits from another connection pool (another console) quickly,
and survives the database connection being taken away."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from incidentdesk.domain.enums import Role
from incidentdesk.domain.errors import StorageUnavailable
from incidentdesk.services import incidents as svc
from incidentdesk.config import Config
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store.changefeed import APPLICATION_NAME, ChangeFeed
from incidentdesk.store.engine import open_database


def _other_console(db):
    """A second, independent engine on the same database, as another console would have."""
    return open_database(db.url if db.backend == "sqlite" else db.engine.url.render_as_string(hide_password=False))


def _wait_for(feed: ChangeFeed, want: int, limit: float = 3.0) -> tuple[set[int], float]:
    start = time.monotonic()
    seen: set[int] = set()
    while time.monotonic() - start < limit:
        seen |= feed.wait(0.5).incident_ids
        if want in seen:
            return seen, time.monotonic() - start
    return seen, time.monotonic() - start


def test_a_commit_in_another_console_is_seen(db, make_ctx):
    ctx = make_ctx("alice", Role.RESPONDER)
    key = svc.log_incident(ctx, svc.Intake(title="before the feed starts", impact="low", urgency="low"))
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        assert not feed.wait(0.2), "changes made before the feed started are not news"
        committed = {}

        def act():
            time.sleep(0.3)  # hygiene: the scenario: commit while the feed is already waiting
            committed["at"] = time.monotonic()
            svc.acknowledge(ctx, key)

        worker = threading.Thread(target=act)
        worker.start()
        number = int(key.split("-")[1])
        seen, _ = _wait_for(feed, number)
        worker.join()
        latency = time.monotonic() - committed["at"]
        assert number in seen
        limit = 1.0 if db.backend == "sqlite" else 0.5
        assert latency < limit + 0.3, f"change took {latency:.3f}s to arrive"
    finally:
        feed.close()
        other.dispose()


def test_only_changed_incidents_are_reported(db, make_ctx):
    ctx = make_ctx("alice", Role.RESPONDER)
    keys = [svc.log_incident(ctx, svc.Intake(title=f"n{i}", impact="low", urgency="low")) for i in range(3)]
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        feed.wait(0.1)
        svc.comment(ctx, keys[1], "only this one")
        seen, _ = _wait_for(feed, int(keys[1].split("-")[1]))
        assert seen == {int(keys[1].split("-")[1])}
    finally:
        feed.close()
        other.dispose()


@pytest.mark.postgres
def test_postgres_connection_revoked_then_back(pg_db, clock):
    """Kill the feed's server connection: it reports the loss, then reconnects with resync."""
    db = pg_db
    ctx = ServiceContext(db, Config(), load_actor(db, "alice"), clock)
    other = _other_console(db)
    feed = ChangeFeed(other)
    try:
        feed.wait(0.1)
        with db.engine.connect() as conn:
            killed = conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = :name"
            ), {"name": APPLICATION_NAME}).all()
        assert killed, "the feed's LISTEN connection was not found"
        with pytest.raises(StorageUnavailable):
            for _ in range(10):
                feed.wait(0.3)
        changes = feed.wait(0.2)
        assert changes.resync, "after a reconnect the consumer must be told to resynchronise"
        key = svc.log_incident(ctx, svc.Intake(title="after the outage", impact="low", urgency="low"))
        seen, _ = _wait_for(feed, int(key.split("-")[1]))
        assert int(key.split("-")[1]) in seen
    finally:
        feed.close()
        other.dispose()


def test_sqlite_feed_reports_unreachable_file(tmp_path, sqlite_template):
    import shutil

    path = tmp_path / "gone.db"
    shutil.copy(sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    feed = ChangeFeed(db)
    feed.wait(0.05)
    feed._conn.close()  # the connection dies under the feed, as when the file system goes away
    with pytest.raises(StorageUnavailable):
        feed.wait(0.05)
    assert feed.wait(0.05).resync
    feed.close()
    db.dispose()
