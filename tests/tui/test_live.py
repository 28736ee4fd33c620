"""Live updates between real consoles: what one does shows on the others; outages are survived."""

from __future__ import annotations


import pytest
from sqlalchemy import create_engine, text

from incidentdesk.store import queries
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, make_app, open_db
from tests.support.tui import detail_follows_cursor, eventually, notes, row, select_key, settle, type_into


pytestmark = pytest.mark.anyio


async def test_an_action_in_one_console_appears_in_the_other(tmp_path):
    clock = Clock()
    path = tmp_path / "shared.db"
    db_a = open_db(path)
    keys = build(db_a, clock)
    db_b = open_db(path)  # its own engine and connections, as another process would have
    watcher = make_app(db_b, "ana", clock, live=True)
    actor = make_app(db_a, "tess", clock)
    async with watcher.run_test(size=(120, 36)) as pb:
        await settle(pb)
        table_b = watcher.main_screen.query_one(QueueTable)
        table_b.move_cursor(row=3)
        await detail_follows_cursor(pb)
        cursor_before, selected_before = table_b.cursor_row, table_b.selected().id
        fetched_before = watcher.main_screen.rows_fetched
        assert row(watcher, keys["mail"]).status == "new"

        async with actor.run_test(size=(120, 36)) as pa:
            await settle(pa)
            await select_key(pa, keys["mail"])
            await pa.press("a")
            assert isinstance(actor.screen, FormScreen)
            await type_into(pa, "#f-comment", "taking a look")
            await pa.press("ctrl+s")
            await settle(pa)
        assert queries.incident_detail(db_a, keys["mail"]).status == "acknowledged"

        took = await eventually(pb, lambda: row(watcher, keys["mail"]).status == "acknowledged", 2.0,
                                "the other console shows the acknowledgement")
        assert took < 1.5
        assert "acknowledged" in str(table_b.get_cell(str(row(watcher, keys["mail"]).id), "status"))
        assert table_b.cursor_row == cursor_before and table_b.selected().id == selected_before
        assert watcher.main_screen.rows_fetched - fetched_before <= 1, "only the changed row was re-read"

        # The CLI (or ingestion, or the sweeper) is just another writer: it shows up too.
        from incidentdesk.services import incidents as svc

        svc.assign(ctx_for(db_a, "tess", clock), keys["wifi"], user="chen")
        await eventually(pb, lambda: row(watcher, keys["wifi"]).assignee == "chen", 2.0, "CLI change shown")
    db_a.dispose()
    db_b.dispose()


@pytest.mark.postgres
async def test_console_rides_out_postgres_refusing_connections(pg_db, pg_server_url):
    clock = Clock()
    keys = build(pg_db, clock)
    name = pg_db.engine.url.database
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")

    def allow(on: bool) -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if on else "false"}'))
            if not on:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                             {"d": name})

    app = make_app(pg_db, "tess", clock, live=True)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await select_key(pilot, keys["mail"])
            allow(False)
            await eventually(pilot, lambda: not app.main_screen.connection_ok, 5.0, "the outage banner")
            banner = app.main_screen.query_one("#banner")
            assert banner.display and "Database unreachable since" in str(banner.render())

            # An action while disconnected fails loudly and keeps what was typed.
            await pilot.press("m")
            await type_into(pilot, "#f-text", "rolled back CHG-1182")
            await pilot.press("ctrl+s")
            await eventually(pilot, lambda: any("nothing was saved" in n for n in notes(app)), 10.0,
                             "a not-saved notification")
            await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5.0, "the dialog comes back")
            assert app.screen.query_one("#f-text").text == "rolled back CHG-1182"

            allow(True)
            await eventually(pilot, lambda: app.main_screen.connection_ok, 8.0, "reconnect by itself")
            assert not banner.display
            await pilot.press("ctrl+s")  # the same dialog, saved now that the database is back
            await eventually(pilot, lambda: not isinstance(app.screen, FormScreen), 5.0, "dialog closes")
            await settle(pilot)
            timeline = queries.incident_detail(pg_db, keys["mail"]).timeline
            assert [e.text for e in timeline if e.kind == "comment"] == ["rolled back CHG-1182"]
    finally:
        allow(True)
        admin.dispose()
