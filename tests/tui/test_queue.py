"""The queue: paging from the database, jumping to the end, filters, live updates, literal text."""

from __future__ import annotations

import pytest

from incidentdesk.services import incidents as svc
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.widgets.detail.panels import DetailPanel, TimelinePanel
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.clock import Clock
from tests.support.desk import MARKUP_TITLES, build, ctx_for, make_app, open_db
from tests.support.store import queue_keys
from tests.support.tui import detail_follows_cursor, plain_text, settle


pytestmark = pytest.mark.anyio


@pytest.fixture
def big_desk(tmp_path):
    clock = Clock()
    db = open_db(tmp_path / "big.db")
    keys = build(db, clock, extra=230)  # 235 open incidents: three pages
    yield db, keys, clock
    db.dispose()


def shown_keys(app) -> list[str]:
    return [r.key for r in app.main_screen.query_one(QueueTable).rows_by_id.values()]


async def test_paging_crosses_pages_and_end_reads_only_the_last_page(big_desk):
    db, keys, clock = big_desk
    everything = queue_keys(db)
    assert len(everything) == 235
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        table = screen.query_one(QueueTable)
        assert shown_keys(app) == everything[:100] and screen.rows_fetched == 100
        assert "1–100 of 235" in str(screen.query_one("#queue-status").render())
        table.move_cursor(row=99)
        await pilot.press("down")  # past the bottom: the next page, cursor on its first row
        await settle(pilot)
        assert shown_keys(app) == everything[100:200] and table.cursor_row == 0
        assert "101–200 of 235" in str(screen.query_one("#queue-status").render())
        await pilot.press("k")  # back up across the edge
        await settle(pilot)
        assert shown_keys(app) == everything[:100] and table.cursor_row == 99
        fetched = screen.rows_fetched
        await pilot.press("end")  # the last page by a reverse query, not by reading everything
        await settle(pilot)
        assert shown_keys(app) == everything[-100:] and table.cursor_row == 99
        assert screen.rows_fetched - fetched == 100
        assert "136–235 of 235" in str(screen.query_one("#queue-status").render())
        await pilot.press("down")  # at the very end nothing more to fetch
        await settle(pilot)
        assert shown_keys(app) == everything[-100:]
        await pilot.press("home")
        await settle(pilot)
        assert shown_keys(app) == everything[:100] and table.cursor_row == 0
        await pilot.press("pagedown")
        await settle(pilot)
        assert table.cursor_row > 0 and shown_keys(app) == everything[:100]


async def test_filters_scope_text_and_status(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "ana", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert len(shown_keys(app)) == 5  # open incidents (one is resolved)
        await pilot.press("f")  # mine
        await settle(pilot)
        assert set(shown_keys(app)) == {keys["printer"], keys["wifi"]}
        await pilot.press("f")  # my groups (Service Desk)
        await settle(pilot)
        assert keys["vpn"] not in shown_keys(app) and keys["mail"] in shown_keys(app)
        await pilot.press("f")  # unassigned
        await settle(pilot)
        assert set(shown_keys(app)) == {keys["vpn"], keys["mail"], keys["held"]}
        await pilot.press("f")  # at risk / breached (the P1 VPN response target has passed)
        await settle(pilot)
        assert keys["vpn"] in shown_keys(app) and keys["printer"] not in shown_keys(app)
        await pilot.press("f")  # major: none declared in this desk
        await settle(pilot)
        assert shown_keys(app) == []
        await pilot.press("f")  # back to all
        await settle(pilot)
        assert len(shown_keys(app)) == 5
        await pilot.press("slash")
        assert isinstance(app.screen, FilterScreen)
        await pilot.press(*"outlook")
        await pilot.press("enter")
        await settle(pilot)
        assert shown_keys(app) == [keys["mail"]]
        app.main_screen.set_filter(text="", status="on_hold")
        await settle(pilot)
        assert shown_keys(app) == [keys["held"]]
        app.main_screen.set_filter(status=None, priority=1)
        await settle(pilot)
        assert shown_keys(app) == [keys["vpn"]]


async def test_changes_posted_to_the_screen_repaint_rows_in_place(desk, tui_clock):
    """What the change feed's thread does: post a message to the screen (no call into it)."""
    from incidentdesk.tui.messages import ConnectionChanged, IncidentsChanged

    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        table.move_cursor(row=2)
        await detail_follows_cursor(pilot)
        selected = table.selected()
        svc.assign(ctx_for(db, "ines", tui_clock), keys["mail"], user="chen")
        mail_id = next(r.id for r in table.rows_by_id.values() if r.key == keys["mail"])
        fetched = app.main_screen.rows_fetched
        app.main_screen.post_message(IncidentsChanged({mail_id}))
        await settle(pilot)
        assert table.rows_by_id[mail_id].assignee == "chen"
        assert "chen" in str(table.get_cell(str(mail_id), "owner"))
        assert table.cursor_row == 2 and table.selected().id == selected.id
        assert app.main_screen.rows_fetched == fetched  # no page re-read
        app.main_screen.post_message(ConnectionChanged(False, tui_clock()))
        await pilot.pause()
        banner = app.main_screen.query_one("#banner")
        assert banner.display and "Database unreachable since 09:18:00" in str(banner.render())
        app.main_screen.post_message(ConnectionChanged(True, None))
        await pilot.pause()
        assert not banner.display


async def test_untrusted_text_is_shown_literally_and_does_nothing(tmp_path):
    clock = Clock()
    db = open_db(tmp_path / "markup.db")
    keys = build(db, clock, markup=True)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        titles = {r.key: r.title for r in table.rows_by_id.values()}
        expected = ["[@click=app.quit]x[/]", "[bold red]x", "[31mred escape[0m and [link=http://evil]y[/link]"]  # ESC stripped, the rest literal
        for i, plain in enumerate(expected):
            key = keys[f"markup{i}"]
            row_id = next(r.id for r in table.rows_by_id.values() if r.key == key)
            cell = table.get_cell(str(row_id), "title")
            assert cell.plain == plain and not cell.spans, titles[key]
            # the detail and the timeline show the same characters
            table.move_cursor(row=table.get_row_index(str(row_id)))
            await detail_follows_cursor(pilot)
            assert plain in screen_text(app)  # on screen, as typed
            detail_text = plain_text(app.main_screen.query_one(DetailPanel))
            assert plain in detail_text
            app.main_screen.query_one("#incident-pane").active = "tab-timeline"
            await pilot.pause()
            assert plain in plain_text(app.main_screen.query_one(TimelinePanel))
            app.main_screen.query_one("#incident-pane").active = "tab-detail"
        # click on the title cell of the [@click] incident: nothing happens
        click_id = next(r.id for r in table.rows_by_id.values() if r.key == keys["markup0"])
        row_index = table.get_row_index(str(click_id))
        await pilot.click(QueueTable, offset=(40, row_index + 1))
        await settle(pilot)
        assert app.is_running and app.return_code is None
        assert table.selected().key == keys["markup0"]  # the click landed on that row, and only selected it
        # notifications carry the text literally too: a new incident's notification names its title
        await pilot.press("n")
        form = app.screen
        await pilot.press("x")
        form.query_one("#f-title").value = MARKUP_TITLES[0]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any(n.message.endswith("[@click=app.quit]x[/]") for n in app._notifications)
        toasts = [str(t.render()) for t in app.screen.query("Toast")]
        assert any("logged INC-" in t and "[@click=app.quit]x[/]" in t for t in toasts), toasts
        await pilot.click("Toast")
        await settle(pilot)
        assert app.is_running and app.return_code is None


def screen_text(app) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    text = re.sub(r"<[^>]+>", "", svg)
    return html.unescape(text).replace("\xa0", " ")

