"""The major queue reads through its partial index with no sort step; migration 0003 keeps existing incidents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from incidentdesk.config import Config
from incidentdesk.domain.enums import Role
from incidentdesk.domain.roles import Actor
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.services.major import declare_major
from incidentdesk.store import migrate, queries
from incidentdesk.store.engine import open_database

INDEX = "ix_incidents_major_queue"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _staffed(db) -> tuple[ServiceContext, ServiceContext]:
    """(a triage captain who declares, a responder who logs); bootstraps an admin."""
    boot = ServiceContext(db, Config(), Actor(login="root-setup"), lambda: NOW)
    directory.add_user(boot, "root-setup", role=Role.ADMIN)
    admin = boot.as_actor(load_actor(db, "root-setup"))
    directory.add_user(admin, "cap", role=Role.TRIAGE_CAPTAIN)
    directory.add_user(admin, "ann", role=Role.RESPONDER)
    directory.add_user(admin, "mgr", role=Role.INCIDENT_MANAGER)
    return admin.as_actor(load_actor(db, "cap")), admin.as_actor(load_actor(db, "ann"))


def _fill(db, total: int = 60, every: int = 4) -> list[str]:
    """`total` incidents of mixed priority, every `every`-th one declared major; returns the major keys."""
    cap, ann = _staffed(db)
    levels = ("high", "medium", "low")
    majors = []
    for i in range(total):
        key = svc.log_incident(ann, svc.Intake(title=f"incident {i}", impact=levels[i % 3], urgency=levels[i // 3 % 3]))
        if i % every == 0:
            declare_major(cap, key, reason="big", commander="mgr")
            majors.append(key)
    return majors


class _Capture:
    """The SQL and parameters of the last queue statement the engine ran."""

    def __init__(self, engine) -> None:
        self.last = None
        event.listen(engine, "before_cursor_execute", self._hook)

    def _hook(self, conn, cursor, statement, parameters, context, executemany):
        if "FROM incidents" in statement and "ORDER BY" in statement:
            self.last = (statement, parameters)


def _plan(db, capture: _Capture) -> list[str]:
    statement, params = capture.last
    with db.engine.connect() as conn:
        if db.backend == "sqlite":
            return [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params).all()]
        # A test-sized table is cheapest read whole (or by bitmap, then sorted): forbid those, so the plan shows
        # whether an index can deliver the page in order. A sort the planner cannot avoid still shows.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            conn.exec_driver_sql(f"SET {setting} = off")
        return [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params).all()]


def _sorts(plan: list[str]) -> list[str]:
    return [ln for ln in plan if "TEMP B-TREE" in ln or ln.strip().startswith("Sort") or "-> Sort" in ln
            or "Seq Scan" in ln or (ln.startswith("SCAN incidents") and "INDEX" not in ln)]


def test_major_queue_pages_read_the_partial_index_without_sorting(db):
    majors = _fill(db)
    capture = _Capture(db.engine)
    flt = queries.QueueFilter(major=True)
    first = queries.queue_page(db, flt, limit=5)
    assert [r.is_major for r in first.rows] == [True] * 5 and first.has_more
    plan = _plan(db, capture)
    assert any(INDEX in ln for ln in plan), plan
    assert _sorts(plan) == [], plan
    second = queries.queue_page(db, flt, after=first.rows[-1].cursor(), limit=5)
    plan = _plan(db, capture)
    assert any(INDEX in ln for ln in plan) and _sorts(plan) == [], plan
    seen = [r.key for r in first.rows + second.rows]
    assert len(set(seen)) == 10 and set(seen) <= set(majors)


def test_the_index_predicate_is_the_filters_expression(db):
    """Autogenerate does not compare partial-index predicates, so hold the migrated one here."""
    with db.engine.connect() as conn:
        if db.backend == "sqlite":
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": INDEX}).scalar()
            assert sql.endswith("(is_open, priority, sla_due_at, id) WHERE is_major IS 1"), sql
        else:
            sql = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": INDEX}).scalar()
            assert sql.endswith("(is_open, priority, sla_due_at, id) WHERE (is_major IS TRUE)"), sql


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("pg_database_factory")()


def _old_incident(conn, number: int, is_open: bool) -> None:
    """An incident as schema 0002 stores it (written without the models, which are at head)."""
    at = NOW + timedelta(minutes=number)
    conn.execute(text(
        "INSERT INTO incidents (id, key, type, title, description, symptoms, impacted, steps_to_reproduce, "
        "device_user, recent_changes, impact, urgency, priority, severity, status, is_open, reporter, tier, source, "
        "created_at, updated_at, updated_by, response_due_at, resolution_due_at, sla_due_at, response_sla_state, "
        "resolution_sla_state, sla_paused_seconds, alert_count, first_contact_resolution, reopen_count, version, "
        "event_count) VALUES (:id, :key, 'incident', :title, '', '', '', '', '', '', 'high', 'high', 1, 'SEV1', "
        ":status, :is_open, 'ann', 1, 'manual', :at, :at, 'ann', :at, :at, :at, 'on_track', 'on_track', 0, 0, "
        ":false, 0, 1, 0)"),
        {"id": number, "key": f"INC-{number:06d}", "title": f"old {number}", "status": "new" if is_open else "closed",
         "is_open": is_open, "at": at if conn.dialect.name == "postgresql" else at.replace(tzinfo=None), "false": False})


def test_upgrade_from_0002_keeps_incidents_not_major(empty_url):
    db = open_database(empty_url)
    try:
        migrate.upgrade(db.engine, "0002_ingest")
        with db.engine.begin() as conn:
            for number in (1, 2, 3):
                _old_incident(conn, number, is_open=number != 3)
        with pytest.raises(migrate.SchemaError, match="older than this incidentdesk"):
            migrate.ensure_schema(db.engine)
        migrate.upgrade(db.engine)
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        every = queries.queue_page(db, queries.QueueFilter(open_only=False))
        assert [r.key for r in every.rows] == ["INC-000001", "INC-000002", "INC-000003"]
        assert [r.is_major for r in every.rows] == [False] * 3
        assert queries.queue_page(db, queries.QueueFilter(major=True, open_only=False)).rows == []
        d = queries.incident_detail(db, "INC-000002")
        assert (d.title, d.is_major, d.commander, d.major_declared_at) == ("old 2", False, None, None)
        # the upgraded database takes declarations like a new one
        cap, _ = _staffed(db)
        with db.engine.begin() as conn:  # ids were given explicitly above: move PostgreSQL's sequence past them
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT setval(pg_get_serial_sequence('incidents', 'id'), 3)"))
        declare_major(cap, "INC-000001", reason="big", commander="mgr")
        assert [r.key for r in queries.queue_page(db, queries.QueueFilter(major=True)).rows] == ["INC-000001"]
    finally:
        db.dispose()


def test_downgrade_to_0002_and_back_keeps_incidents_and_timelines(empty_url):
    db = open_database(empty_url)
    try:
        migrate.ensure_schema(db.engine)
        majors = _fill(db, total=6, every=2)
        with db.engine.connect() as conn:
            events = conn.execute(text("SELECT COUNT(*) FROM timeline_events")).scalar()
        assert events == 6 + len(majors)
        from alembic import command

        with db.engine.begin() as conn:
            command.downgrade(migrate.alembic_config(connection=conn), "0002_ingest")
        with db.engine.connect() as conn:
            columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(incidents)")} if db.backend == "sqlite" \
                else set(conn.execute(text("SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = 'incidents'")).scalars())
            assert "id" in columns and not {"is_major", "commander", "major_declared_at"} & columns
            assert conn.execute(text("SELECT COUNT(*) FROM incidents")).scalar() == 6
            assert conn.execute(text("SELECT COUNT(*) FROM timeline_events")).scalar() == events
        migrate.upgrade(db.engine)
        rows = queries.queue_page(db, queries.QueueFilter()).rows
        assert len(rows) == 6 and not any(r.is_major for r in rows)  # the flag went with the column
        assert list(queries.verify_audit(db)) == []
    finally:
        db.dispose()
