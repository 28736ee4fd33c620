"""`list` and `show` without SQLAlchemy (store/plainsql): the same SQL text as store/queries compiles,
the same rows, and the same printed output as the SQLAlchemy path, on the same SQLite file."""

from __future__ import annotations

import contextlib
import io
import itertools
import json

import msgspec
import pytest
from sqlalchemy.dialects import sqlite

from incidentdesk.cli import main
from incidentdesk.domain.errors import NotFound, ValidationError
from incidentdesk.runtime import Runtime
from incidentdesk.services import incidents as svc
from incidentdesk.store import fastpath, plainsql, queries
from incidentdesk.store.rows import SORT_KEYS, QueueFilter
from incidentdesk.store.sla_records import target_history
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, open_db

FILTERS = [
    QueueFilter(),
    QueueFilter(open_only=False),
    QueueFilter(status="new"),
    QueueFilter(priority=1),
    QueueFilter(group="Service Desk"),
    QueueFilter(assignee="tess"),
    QueueFilter(unassigned=True),
    QueueFilter(type="incident"),
    QueueFilter(major=True),
    QueueFilter(text="mail"),
    QueueFilter(text="50%_\\x"),
    QueueFilter(open_only=False, status="resolved", priority=3, group="Network", assignee="chen", text="w",
                major=True),
]


def _compiled(flt: QueueFilter, limit: int) -> tuple[str, list]:
    compiled = queries._page_statement(flt, "first", limit).compile(dialect=sqlite.dialect())
    return str(compiled), [compiled.params[name] for name in compiled.positiontup]


@pytest.mark.parametrize("flt", FILTERS)
@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_queue_sql_is_the_text_sqlalchemy_compiles(flt, sort):
    flt = msgspec.structs.replace(flt, sort=sort)
    assert plainsql.queue_sql(flt, 37) == _compiled(flt, 37)


def test_filters_written_only_through_sqlalchemy_are_left_to_it():
    assert plainsql.queue_sql(QueueFilter(groups=("a", "b")), 10) is None
    assert plainsql.queue_sql(QueueFilter(sort="nonsense"), 10) is None


@pytest.fixture
def desk(tmp_path):
    path = tmp_path / "desk.db"
    db = open_db(path)
    clock = Clock()
    keys = build(db, clock, extra=30, major=True)
    # A replaced SLA target, so `show` has an earlier target to print.
    svc.reprioritise(ctx_for(db, "tess", clock), keys["mail"], impact="high", urgency="high", reason="wider")
    yield path, db, keys
    db.dispose()


def test_plain_pages_and_details_are_the_sqlalchemy_ones(desk):
    path, db, keys = desk
    conn = fastpath.connect(path)
    try:
        for flt, limit in itertools.product(FILTERS, (5, 100)):
            try:
                want = queries.queue_page(db, flt, limit=limit)
            except ValidationError as exc:
                with pytest.raises(ValidationError, match=str(exc)):
                    plainsql.queue_page(conn, flt, limit)
                continue
            assert plainsql.queue_page(conn, flt, limit) == want, flt
        every = queries.queue_page(db, QueueFilter(open_only=False), limit=1000).rows
        for row in every:
            detail, history = plainsql.incident_detail(conn, row.key)
            assert detail == queries.incident_detail(db, row.key)
            assert history == target_history(db, row.key)
        assert any(plainsql.incident_detail(conn, k)[1] for k in keys.values()), "some target was replaced"
        with pytest.raises(NotFound):
            plainsql.incident_detail(conn, "INC-999999")
        with pytest.raises(ValidationError, match="unknown group 'Nowhere'"):
            plainsql.queue_page(conn, QueueFilter(group="Nowhere"), 10)
    finally:
        conn.close()


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


COMMANDS = [
    ["list"], ["list", "--all"], ["list", "--json"], ["list", "--all", "--json", "--limit", "7"],
    ["list", "--status", "on hold"], ["list", "--priority", "P2"], ["list", "--group", "Service Desk"],
    ["list", "--assignee", "tess"], ["list", "--search", "MAIL"], ["list", "--major"],
    ["list", "--group", "Nowhere"], ["show", "INC-999999"], ["list", "--limit", "0"],
    ["show", "not-a-key"],
]


def test_the_cli_prints_the_same_on_both_paths(desk, monkeypatch, tmp_path):
    path, db, keys = desk
    monkeypatch.setenv("INCIDENTDESK_CONFIG", str(tmp_path / "none.toml"))
    # One instant for both paths, so the countdowns they print are comparable to the second.
    from incidentdesk.services import context

    instant = Clock()()
    monkeypatch.setattr(context, "utc_now", lambda: instant)
    monkeypatch.setattr(context.ServiceContext, "now", lambda self: instant)
    url = f"sqlite:///{path}"
    commands = COMMANDS + [["show", k] for k in keys.values()] + [["show", k, "--json"] for k in keys.values()]
    plain_used = []
    real = Runtime.plain_sqlite

    def spy(self):
        conn = real(self)
        plain_used.append(conn is not None)
        return conn

    for argv in commands:
        plain_used.clear()
        monkeypatch.setattr(Runtime, "plain_sqlite", spy)
        plain = _run(["--db", url, *argv])
        assert plain_used == ([True] if argv[-1] != "0" else []), f"{argv} did not take the plain path"
        monkeypatch.setattr(Runtime, "plain_sqlite", lambda self: None)
        orm = _run(["--db", url, *argv])
        assert plain == orm, argv
    code, out, _ = _run(["--db", url, "show", keys["mail"], "--json"])
    assert code == 0 and json.loads(out)["key"] == keys["mail"]
    code, out, _ = _run(["--db", url, "list", "--limit", "-3"])
    assert code == 0 and out == "no incidents match\n"
