"""Migration 0004: a database upgraded with people, groups and a gap in its numbers starts a clean trail."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from incidentdesk.config import Config
from incidentdesk.domain.enums import Role
from incidentdesk.services import directory
from incidentdesk.services import incidents as svc
from incidentdesk.services.context import ServiceContext, load_actor
from incidentdesk.store import audit as audit_store
from incidentdesk.store import migrate, queries
from incidentdesk.store.engine import open_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    return request.getfixturevalue("pg_database_factory")()


def test_upgrade_records_a_baseline_and_excuses_old_gaps(empty_url, clock):
    db = open_database(empty_url)
    try:
        migrate.ensure_schema(db.engine)
        root = ServiceContext(db, Config(), load_actor(db, "root-setup"), clock)
        directory.add_user(root, "root-setup", role=Role.ADMIN)
        admin = ServiceContext(db, Config(), load_actor(db, "root-setup"), clock)
        directory.add_group(admin, "Service Desk", tier=1, manager="ines")
        directory.add_user(admin, "ann", role="responder", name="Ann A", groups=["Service Desk"])
        directory.add_service(admin, "Email", owner_group="Service Desk")
        ann = ServiceContext(db, Config(), load_actor(db, "ann"), clock)
        for i in range(3):
            svc.log_incident(ann, svc.Intake(title=f"old {i}", impact="low", urgency="low"))
        with db.engine.begin() as conn:
            command.downgrade(migrate.alembic_config(connection=conn), "0003_major_incidents")
            # an old PostgreSQL database could have lost number 2 to a rolled-back transaction
            conn.execute(text("DELETE FROM incidents WHERE id = 2"))
        migrate.upgrade(db.engine)
        assert migrate.current_revision(db.engine) == migrate.head_revision()
        baseline = audit_store.directory_history(db)
        assert {(h.kind, h.actor, h.subject_type, h.subject) for h in baseline} == {
            ("baseline", "schema-upgrade", "user", "root-setup"), ("baseline", "schema-upgrade", "user", "ann"),
            ("baseline", "schema-upgrade", "group", "Service Desk"), ("baseline", "schema-upgrade", "service", "Email"),
            ("baseline", "schema-upgrade", "incident_numbers", "missing before the trail began")}
        assert next(h.after for h in baseline if h.subject == "ann") == {
            "name": "Ann A", "role": "responder", "groups": ["Service Desk"]}
        assert list(queries.verify_audit(db)) == []
        # from here on the trail holds the rows to account, as on a new database
        svc.log_incident(ann, svc.Intake(title="new", impact="low", urgency="low"))
        assert queries.incident_detail(db, "INC-000004").title == "new"
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE users SET role = 'admin' WHERE login = 'ann'"))
        assert [p.incident_key for p in queries.verify_audit(db)] == ["directory trail"]
    finally:
        db.dispose()
