"""Major incidents in the console: declare and stand down on a key, the `major` scope, the markers."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from incidentdesk.store import queries
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.detail.panels import DetailPanel
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import build, make_app, open_db
from tests.support.tui import notes, plain_text, select_key, settle, submit, type_into


pytestmark = pytest.mark.anyio



def _prio_cell(table: QueueTable, key: str) -> str:
    row = next(r for r in table.rows_by_id.values() if r.key == key)
    return table.get_cell(str(row.id), "prio").plain


async def test_declare_and_stand_down_on_the_major_key(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "ines", tui_clock)  # an incident manager: standing down needs one
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        await select_key(pilot, keys["mail"])
        assert _prio_cell(table, keys["mail"]) == "P2"

        await pilot.press("M")
        assert isinstance(app.screen, FormScreen)
        assert app.screen.spec.title == "Declare major incident"
        app.screen.query_one("#f-commander", Select).value = "tess"
        await type_into(pilot, "#f-reason", "Whole company without mail")
        await submit(pilot)

        d = queries.incident_detail(db, keys["mail"])
        assert d.is_major and d.commander == "tess"
        assert d.timeline[0].kind == "major_declared" and d.timeline[0].actor == "ines"
        assert _prio_cell(table, keys["mail"]) == "P2★"  # the row repainted in place
        shown = plain_text(app.main_screen.query_one(DetailPanel))
        assert "MAJOR INCIDENT" in shown and "Commander" in shown and "tess" in shown

        await pilot.press("M")
        assert app.screen.spec.title == "Stand down major incident"
        await type_into(pilot, "#f-reason", "Mail flowing again for most users")
        await submit(pilot)
        d = queries.incident_detail(db, keys["mail"])
        assert not d.is_major and d.timeline[0].kind == "major_stood_down"
        assert _prio_cell(table, keys["mail"]) == "P2"
        assert "MAJOR INCIDENT" not in plain_text(app.main_screen.query_one(DetailPanel))


async def test_declaring_needs_a_triage_captain_and_standing_down_a_manager(tmp_path, tui_clock):
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, major=True)
    app = make_app(db, "ana", tui_clock)  # a responder
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["mail"])
        await pilot.press("M")  # the role rules it out: said at once, no dialog to fill in first
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert not queries.incident_detail(db, keys["mail"]).is_major
        assert any(n.startswith("Not possible now") and "may not declare" in n for n in notes(app)), notes(app)
    app = make_app(db, "tess", tui_clock)  # a triage captain declares, but may not stand down
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["vpn"])
        await pilot.press("M")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert queries.incident_detail(db, keys["vpn"]).is_major
        assert any(n.startswith("Not possible now") and "may not stand down" in n for n in notes(app)), notes(app)
    db.dispose()


async def test_commander_may_not_be_the_assignee_and_the_form_says_so(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])  # assigned to ana (she acknowledged and started it)
        assert app.main_screen.detail.assignee == "ana"
        await pilot.press("M")
        options = [value for _, value in app.screen.spec.fields[0].options]
        assert "ana" not in options and "ines" in options  # the assignee is not offered
        await type_into(pilot, "#f-reason", "floor 2 down")
        await submit(pilot)  # no commander picked: tess herself commands
        d = queries.incident_detail(db, keys["wifi"])
        assert d.is_major and d.commander == "tess" and d.assignee == "ana"


async def test_major_scope_lists_only_major_incidents(tmp_path, tui_clock):
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, major=True, extra=5)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        table = screen.query_one(QueueTable)
        assert len(table.rows_by_id) > 1
        while screen.view.scope != "major":
            await pilot.press("f")
        await settle(pilot)
        assert [r.key for r in table.rows_by_id.values()] == [keys["vpn"]]
        assert _prio_cell(table, keys["vpn"]) == "P1★"
        assert "major" in plain_text(screen.query_one("#queue-status")) and "1–1 of 1" in plain_text(
            screen.query_one("#queue-status"))
    db.dispose()
