"""The console's start-up fast path (store/fastpath): the same SQL, rows and actor as the normal path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from incidentdesk.config import Config
from incidentdesk.runtime import open_runtime
from incidentdesk.services.context import load_actor
from incidentdesk.store import fastpath, queries
from incidentdesk.store.changefeed import ChangeFeed
from incidentdesk.store.migrate import SchemaError
from incidentdesk.store.rows import SORT_KEYS
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, open_db


ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def desk(tmp_path):
    path = tmp_path / "desk.db"
    db = open_db(path)
    keys = build(db, Clock(), extra=120)  # more than a page open: has_more is exercised
    yield path, db, keys
    db.dispose()


def test_first_page_sql_is_the_queries_statement():
    stmt = queries._page_statement(fastpath.FIRST_PAGE_FILTER, "first", fastpath.FIRST_PAGE_LIMIT)
    compiled = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    assert compiled == fastpath.FIRST_PAGE_SQL
    assert fastpath.FIRST_PAGE_LIMIT == queries.PAGE_SIZE


def test_sort_keys_match_the_sort_columns():
    assert {name: (tuple(c.key for c in cols), desc) for name, (cols, desc) in queries.SORTS.items()} == SORT_KEYS


def test_first_page_has_the_same_rows_as_queue_page(desk):
    path, db, _ = desk
    page, last_change = fastpath.first_page(path)
    expected = queries.queue_page(db, queries.QueueFilter())
    assert len(page.rows) == 100 and page.has_more and expected.has_more
    assert page == expected
    for got, want in zip(page.rows, expected.rows):
        assert [type(v) for v in msgspec.structs.astuple(got)] == [type(v) for v in msgspec.structs.astuple(want)]
    with db.read() as s:
        assert last_change == s.execute(text("SELECT MAX(id) FROM change_log")).scalar() > 0


def test_actor_is_the_same_as_load_actor(desk):
    path, db, _ = desk
    conn = fastpath.connect(path)
    try:
        logins = [p.login for p in queries.list_people(db)] + ["nobody-here"]
        assert len(logins) > 3
        for login in logins:
            assert fastpath.load_actor(conn, login, "someone") == load_actor(db, login, real_login="someone")
    finally:
        conn.close()


def test_open_runtime_defers_the_database_on_a_current_sqlite_file(desk):
    path, db, _ = desk
    config = Config(allow_acting_as=True)
    runtime = open_runtime(f"sqlite:///{path}", "ines", config=config)
    try:
        assert not runtime.is_open
        assert runtime.actor == load_actor(db, "ines", real_login=runtime.actor.real_login)
        assert runtime.display_name == f"sqlite:{path}"
        page = runtime.early_first_page(queries.QueueFilter())
        assert page == queries.queue_page(db)
        assert runtime.early_first_page(queries.QueueFilter()) is None  # once only
        assert runtime.ctx.actor == runtime.actor and runtime.is_open
        assert runtime.display_name == runtime.db.display_name
    finally:
        runtime.db.dispose()


def test_other_filters_and_urls_take_the_normal_path(desk, tmp_path):
    path, db, _ = desk
    runtime = open_runtime(f"sqlite:///{path}", config=Config())
    try:
        assert runtime.early_first_page(queries.QueueFilter(sort="newest")) is None
    finally:
        runtime.db.dispose()
    assert fastpath.sqlite_file(f"sqlite:///{tmp_path / 'missing.db'}") is None
    assert fastpath.sqlite_file("sqlite://") is None
    assert fastpath.sqlite_file(f"sqlite:///{path}?mode=ro") is None
    fresh = open_runtime(f"sqlite:///{tmp_path / 'new.db'}", config=Config())  # created and migrated: at once
    try:
        assert fresh.is_open
    finally:
        fresh.db.dispose()


def test_unknown_schema_is_still_refused(desk):
    path, db, _ = desk
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(SchemaError, match="newer than this incidentdesk knows"):
        open_runtime(f"sqlite:///{path}", config=Config())


def test_console_start_up_does_not_import_sqlalchemy(desk):
    path, _, _ = desk
    # The way `incidentdesk` starts the console: the command-line module first, then the runtime.
    code = ("import sys\n"
            "import incidentdesk.cli\n"
            f"assert incidentdesk.cli._console_only(['--db', {f'sqlite:///{path}'!r}]) is not None\n"
            "from incidentdesk.config import Config\n"
            "from incidentdesk.runtime import open_runtime\n"
            "import incidentdesk.tui.app\n"
            f"rt = open_runtime({f'sqlite:///{path}'!r}, config=Config())\n"
            "assert not rt.is_open\n"
            "page = rt.early_first_page(__import__('incidentdesk.store.rows').store.rows.QueueFilter())\n"
            "assert page is not None and page.rows\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sqlalchemy'))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "[]", out.stdout


def test_change_feed_from_an_earlier_id_delivers_what_came_in_between(desk):
    path, db, keys = desk
    _, last_change = fastpath.first_page(path)
    from incidentdesk.services import incidents as svc

    svc.comment(ctx_for(db, "ines", Clock()), keys["mail"], "between the page and the feed")
    mail_id = queries.incident_detail(db, keys["mail"]).id
    feed = ChangeFeed(db, since_id=last_change)
    try:
        assert feed.wait(1.0).incident_ids == {mail_id}
        assert not feed.wait(0.2)
    finally:
        feed.close()
