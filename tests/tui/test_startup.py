"""The console started as `incidentdesk` starts it on SQLite: first page without SQLAlchemy, then as usual."""

from __future__ import annotations

import pytest

from incidentdesk.config import Config
from incidentdesk.runtime import open_runtime
from incidentdesk.store import queries
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, open_db
from tests.support.tui import eventually, row, settle


pytestmark = pytest.mark.anyio


async def test_deferred_start_shows_the_queue_then_counts_and_follows_changes(tmp_path):
    from incidentdesk.services import incidents as svc
    from incidentdesk.tui.app import IncidentDeskApp

    clock = Clock()
    path = tmp_path / "desk.db"
    db = open_db(path)
    keys = build(db, clock, extra=120)
    runtime = open_runtime(f"sqlite:///{path}", "ines", config=Config(allow_acting_as=True))
    assert not runtime.is_open
    app = IncidentDeskApp(runtime, clock=clock, cursor_blink=False, tick_seconds=0, live=True)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            screen = app.main_screen
            table = screen.query_one(QueueTable)
            assert screen.first_page_shown and runtime.is_open
            assert list(table.rows_by_id.values()) == queries.queue_page(db).rows
            assert screen.total == queries.queue_count(db) and screen.rows_fetched == 100
            # the detail of the highlighted row loaded through SQLAlchemy
            assert screen.detail is not None and screen.detail.key == table.selected().key
            # Changes made after the first page reach this console through the change feed.
            svc.assign(ctx_for(db, "tess", clock), keys["mail"], user="chen")
            await eventually(pilot, lambda: row(app, keys["mail"]).assignee == "chen", 3.0, "change shown")
            # Paging past the first page uses the normal path.
            table.move_cursor(row=table.row_count - 1)
            await pilot.press("down")
            await settle(pilot)
            assert screen.rows_fetched > 100 and screen.pager.page_start == 100
    finally:
        runtime.db.dispose()
        db.dispose()


async def test_first_screen_holds_the_page_and_the_first_detail_without_a_second_read(tmp_path, monkeypatch):
    """The first incident's detail is read with the first page (one snapshot, before SQLAlchemy), so it is
    on screen in the first frame: no detail worker runs for it, and the pane shows it at once."""
    from incidentdesk.tui.app import IncidentDeskApp
    from incidentdesk.tui.screens.main import MainScreen
    from incidentdesk.tui.widgets.detail.panels import DetailPanel
    from tests.support.tui import plain_text

    clock = Clock()
    path = tmp_path / "desk.db"
    db = open_db(path)
    build(db, clock, extra=5)
    reads = []
    fetch = MainScreen.fetch_detail
    monkeypatch.setattr(MainScreen, "fetch_detail", lambda self, key: (reads.append(key), fetch(self, key))[1])
    runtime = open_runtime(f"sqlite:///{path}", "ines", config=Config(allow_acting_as=True))
    app = IncidentDeskApp(runtime, clock=clock, cursor_blink=False, tick_seconds=0)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.main_screen
            assert screen.first_screen_shown  # by the end of the screen's mount, before any worker ran
            first = screen.table.selected()
            assert screen.detail is not None and screen.detail.key == first.key
            assert screen.incident_pane.border_title == first.key  # shown in the pane, not only held
            assert screen.detail.title in plain_text(screen.query_one(DetailPanel))
            await settle(pilot)
            assert screen.detail == queries.incident_detail(db, first.key, timeline_limit=500)
            assert reads == []  # never read again for the first screen
    finally:
        runtime.db.dispose()
        db.dispose()


async def test_tabs_line_is_mounted_when_the_terminal_becomes_small(desk):
    from textual.widgets import Tabs

    from tests.support.desk import make_app

    db, _ = desk
    app = make_app(db, "ines", Clock())
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        assert not screen.query("#pane-tabs")  # not needed on a large terminal
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert screen.has_class("-narrow") and screen.query_one("#pane-tabs", Tabs).display
        await pilot.press("enter")
        await settle(pilot)
        assert screen.has_class("-show-incident")
        assert screen.query_one("#pane-tabs", Tabs).active == "show-incident"


async def test_the_collector_paused_for_start_up_is_back_on_once_the_first_screen_is_up(tmp_path, monkeypatch):
    """cli.main pauses the cyclic collector for the console's start-up (it finds nothing to free in
    what start-up makes); the first screen turns it back on, so a long session is collected as usual."""
    import gc

    import incidentdesk.cli as cli
    from incidentdesk.tui import app as tui_app
    from incidentdesk.tui.app import IncidentDeskApp

    path = tmp_path / "desk.db"
    db = open_db(path)
    build(db, Clock(), extra=5)
    paused_at_start = []
    monkeypatch.setattr(tui_app, "run_app", lambda args, config: paused_at_start.append(not gc.isenabled()) or 0)
    assert cli.main(["--db", f"sqlite:///{path}"]) == 0
    assert paused_at_start == [True]
    runtime = open_runtime(f"sqlite:///{path}", "ines", config=Config(allow_acting_as=True))
    app = IncidentDeskApp(runtime, clock=Clock(), cursor_blink=False, tick_seconds=0)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            assert app.main_screen.first_screen_shown
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
        runtime.db.dispose()
        db.dispose()
