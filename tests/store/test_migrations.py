"""Schema: migrated on first use, in step with the models, refused when unknown; the SQLite file is private."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from incidentdesk.cli import main as cli_main
from incidentdesk.runtime import open_runtime
from incidentdesk.store import migrate
from incidentdesk.store.engine import open_database
from incidentdesk.store.migrate import SchemaError, ensure_schema, head_revision
from incidentdesk.store.kb_search import outside_models
from incidentdesk.store.models import Base


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'fresh.db'}"
    return request.getfixturevalue("pg_database_factory")()


def test_empty_database_is_migrated_on_first_use(empty_url):
    rt = open_runtime(empty_url)
    try:
        assert migrate.current_revision(rt.db.engine) == head_revision()
        assert ensure_schema(rt.db.engine) == head_revision()  # idempotent
    finally:
        rt.db.dispose()


def test_models_and_migrations_agree(empty_url):
    db = open_database(empty_url)
    try:
        ensure_schema(db.engine)
        with db.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": False,
                                                         "include_object": outside_models})
            diff = compare_metadata(ctx, Base.metadata)
        assert diff == [], f"models.py and the migrations differ: {diff}"
    finally:
        db.dispose()


def _stamp(db, revision):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def test_newer_schema_is_refused(empty_url, capsys):
    db = open_database(empty_url)
    try:
        ensure_schema(db.engine)
        _stamp(db, "9999_from_the_future")
        with pytest.raises(SchemaError, match="newer than this incidentdesk knows .* upgrade incidentdesk"):
            ensure_schema(db.engine)
        with pytest.raises(SchemaError, match="newer"):
            migrate.upgrade(db.engine)
    finally:
        db.dispose()
    assert cli_main(["--db", empty_url, "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "9999_from_the_future" in err and "Traceback" not in err


def test_older_schema_says_run_db_upgrade(empty_url, capsys):
    db = open_database(empty_url)
    try:
        migrate.upgrade(db.engine, "0001")
        if head_revision() == "0001":
            pytest.skip("only one migration exists")
        with pytest.raises(SchemaError, match="older than this incidentdesk .*run `incidentdesk db upgrade`"):
            ensure_schema(db.engine)
    finally:
        db.dispose()
    assert cli_main(["--db", empty_url, "db", "current"]) == 0
    assert "0001 (code knows up to" in capsys.readouterr().out
    assert cli_main(["--db", empty_url, "db", "upgrade"]) == 0
    assert f"schema 0001 -> {head_revision()}" in capsys.readouterr().out
    assert cli_main(["--db", empty_url, "db", "current"]) == 0
    assert "(up to date)" in capsys.readouterr().out


def test_foreign_tables_without_version_are_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE customers (id integer)")
    os.chmod(path, 0o600)  # sqlite3 creates it 0644, which incidentdesk refuses (tests/store/test_files.py)
    db = open_database(f"sqlite:///{path}")
    try:
        with pytest.raises(SchemaError, match="no incidentdesk schema version"):
            ensure_schema(db.engine)
    finally:
        db.dispose()


@pytest.mark.parametrize("group_shared,mode", [(False, 0o600), (True, 0o660)])
def test_sqlite_file_mode_and_pragmas(tmp_path, group_shared, mode):
    path = tmp_path / "sub" / "desk.db"
    old = os.umask(0o022)
    try:
        db = open_database(f"sqlite:///{path}", group_shared=group_shared)
        ensure_schema(db.engine)
        with db.write() as s:  # a write creates the -wal and -shm files
            s.execute(text("INSERT INTO categories (path) VALUES ('x')"))
        assert stat.S_IMODE(path.stat().st_mode) == mode
        for extra in ("-wal", "-shm"):
            side = path.with_name(path.name + extra)
            assert stat.S_IMODE(side.stat().st_mode) & 0o007 == 0, f"{side} is world-readable"
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        db.dispose()
    finally:
        os.umask(old)


def test_sqlite_enforces_foreign_keys(sqlite_db):
    with pytest.raises(Exception, match="FOREIGN KEY"):
        with sqlite_db.engine.begin() as conn:
            conn.execute(text("INSERT INTO group_members (group_id, user_id) VALUES (999, 999)"))


def test_bad_urls_are_user_errors(capsys):
    assert cli_main(["--db", "mysql://x/y", "list"]) == 1
    assert "unsupported database 'mysql'" in capsys.readouterr().err
    assert cli_main(["--db", "not a url", "list"]) == 1
    assert "is not a database URL" in capsys.readouterr().err
