"""Every console action end to end: keys -> dialog -> service in a worker -> SQLite file -> repaint."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Select, TextArea

from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import ctx_for, make_app
from tests.support.tui import detail, notes, open_form, select_key, settle, submit, type_into


pytestmark = pytest.mark.anyio


async def test_acknowledge_take_comment_and_hold_resume(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["mail"], "a")
        await type_into(pilot, "#f-comment", "looking now")
        await submit(pilot)
        d = detail(db, keys["mail"])
        assert d.status == "acknowledged" and d.timeline[0].text == "looking now" and d.timeline[0].actor == "tess"
        # the row repainted in place
        row = app.main_screen.query_one(QueueTable).selected()
        assert row.key == keys["mail"] and row.status == "acknowledged"

        await pilot.press("t")
        await settle(pilot)
        assert detail(db, keys["mail"]).assignee == "tess"

        await pilot.press("m")
        await type_into(pilot, "#f-text", "called the user")
        await submit(pilot)
        assert detail(db, keys["mail"]).timeline[0].text == "called the user"

        await pilot.press("h")
        await type_into(pilot, "#f-reason", "waiting for user")
        await submit(pilot)
        assert detail(db, keys["mail"]).status == "on_hold"
        await settle(pilot)
        await pilot.press("h")
        assert app.screen.spec.title == "Resume"
        await submit(pilot)
        d = detail(db, keys["mail"])
        assert d.status == "in_progress" and d.hold_reason is None
        assert app.main_screen.detail.status == "in_progress"  # the open incident was reloaded


async def test_assign_reprioritise_escalate(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "s")
        app.screen.query_one("#f-user", Select).value = "chen"
        app.screen.query_one("#f-group", Select).value = "Network Operations"
        await submit(pilot)
        d = detail(db, keys["wifi"])
        assert (d.assignee, d.group, d.tier) == ("chen", "Network Operations", 2)

        await pilot.press("p")
        app.screen.query_one("#f-impact", Select).value = "high"
        app.screen.query_one("#f-urgency", Select).value = "high"
        await pilot.pause()
        assert "P1" in str(app.screen.query_one("#preview").render())  # live priority
        await type_into(pilot, "#f-reason", "whole floor affected")
        await submit(pilot)
        d = detail(db, keys["wifi"])
        assert d.priority == 1 and d.timeline[0].text == "whole floor affected"

        await settle(pilot)
        await open_form(pilot, keys["wifi"], "e")
        app.screen.query_one("#f-to_group", Select).value = "Platform SRE"
        await submit(pilot)  # no summary: the dialog refuses and says why beside the field
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#e-summary").display
        await type_into(pilot, "#f-summary", "restarted APs; still slow; logs attached")
        await submit(pilot)
        d = detail(db, keys["wifi"])
        assert d.group == "Platform SRE" and d.escalations[-1].summary == "restarted APs; still slow; logs attached"


async def test_resolve_close_reopen_and_new(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["printer"], "r")
        app.screen.query_one("#f-code", Select).value = "workaround"
        await type_into(pilot, "#f-notes", "cleared the jam, new toner")
        await submit(pilot)
        d = detail(db, keys["printer"])
        assert d.status == "resolved" and d.resolution_code == "workaround"

        # resolved incidents are off the open queue: show closed ones too
        app.main_screen.set_filter(include_closed=True, text="printer")
        await settle(pilot)
        await open_form(pilot, keys["printer"], "o")
        await type_into(pilot, "#f-reason", "jams again")
        await submit(pilot)
        assert detail(db, keys["printer"]).status == "in_progress"
        await pilot.press("r")
        await type_into(pilot, "#f-notes", "replaced the roller")
        await submit(pilot)
        await settle(pilot)
        await pilot.press("x")
        app.screen.query_one("#f-csat", Select).value = "4"
        box = app.screen.query_one("#f-confirmed", Checkbox)
        assert box.value is False  # never pre-ticked: the user has to confirm
        box.value = True
        await submit(pilot)
        d = detail(db, keys["printer"])
        assert d.status == "closed" and d.csat == 4 and d.user_confirmed is True and d.reopen_count == 1

        await pilot.press("n")
        form = app.screen
        assert form.spec.title == "New incident"
        await submit(pilot)  # empty title: refused beside the field
        assert "required" in str(form.query_one("#e-title").render())
        await type_into(pilot, "#f-title", "Payroll export fails")
        form.query_one("#f-impact", Select).value = "high"
        form.query_one("#f-urgency", Select).value = "high"
        form.query_one("#f-group", Select).value = "Service Desk"
        form.query_one("#f-started_at", Input).value = "yesterday"
        await pilot.pause()
        assert "P1" in str(form.query_one("#preview").render())
        await submit(pilot)  # a bad start time comes back beside its field, with the text kept
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-title", Input).value == "Payroll export fails"
        assert app.screen.query_one("#e-started_at").display
        app.screen.query_one("#f-started_at", Input).value = "2026-11-23 08:30"
        await submit(pilot)
        rows = queries.queue_page(db, queries.QueueFilter(text="Payroll")).rows
        assert len(rows) == 1 and rows[0].priority == 1 and rows[0].group == "Service Desk"
        assert detail(db, rows[0].key).started_at.hour == 8


async def test_permission_denied_and_invalid_transition_are_notified(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "chen", tui_clock)  # a responder; the Wi-Fi incident is ana's
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        await pilot.press("p")  # ruled out before anything is typed: no dialog, the reason at once
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert any("Not possible now" in n and "may not reprioritise" in n for n in notes(app)), notes(app)
        assert detail(db, keys["wifi"]).priority == 3
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert any("cannot acknowledge" in n and "in progress" in n for n in notes(app)), notes(app)
        # what only the dialog's values rule out is still the service's to refuse, after submitting
        await select_key(pilot, keys["mail"])  # unassigned, logged by ana: chen may take it, not give it away
        await pilot.press("s")
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#f-user", Select).value = "ana"
        await submit(pilot)
        assert any("Permission denied" in n and "may not reassign" in n for n in notes(app)), notes(app)
        assert detail(db, keys["mail"]).assignee is None


async def test_edit_conflict_keeps_typed_text(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "r")
        await type_into(pilot, "#f-notes", "rebooted the controller")
        # someone else changes the incident while the dialog is open
        svc.assign(ctx_for(db, "ines", tui_clock), keys["wifi"], user="chen")
        await submit(pilot)
        await settle(pilot)
        assert any("Edit conflict" in n and "changed by ines" in n for n in notes(app)), notes(app)
        assert detail(db, keys["wifi"]).status == "in_progress"  # nothing saved
        assert isinstance(app.screen, FormScreen)  # reopened, prefilled
        assert app.screen.query_one("#f-notes", TextArea).text == "rebooted the controller"
        assert app.main_screen.detail.assignee == "chen"  # refreshed
        await submit(pilot)  # and now it saves against the fresh version
        assert detail(db, keys["wifi"]).status == "resolved"


async def test_start_work_and_cancel(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["printer"])  # acknowledged
        await pilot.press("w")
        await settle(pilot)
        assert detail(db, keys["printer"]).status == "in_progress"
        assert detail(db, keys["printer"]).timeline[0].kind == "started"

        await open_form(pilot, keys["mail"], "c")
        await type_into(pilot, "#f-reason", "logged twice by mistake")
        await submit(pilot)
        d = detail(db, keys["mail"])
        assert d.status == "cancelled" and d.timeline[0].text == "logged twice by mistake"
        assert keys["mail"] not in [r.key for r in app.main_screen.query_one(QueueTable).rows_by_id.values()] or \
            app.main_screen.query_one(QueueTable).selected().status == "cancelled"


async def test_a_key_pressed_while_a_new_view_loads_acts_on_nothing_of_the_old_one(desk, tui_clock, monkeypatch):
    """Filter applied, its page not read yet (a slow database): the old page is still on screen, but
    `r` must not resolve the old view's selected incident — the user meant the new view."""
    from incidentdesk.tui.widgets.queue.pager import QueuePager

    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        old = app.main_screen.table.selected()
        monkeypatch.setattr(QueuePager, "fetch_page", lambda self, *args: None)  # the read never lands
        app.main_screen.set_filter(text="Wi-Fi")
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert any("still loading" in line for line in notes(app))
        assert queries.incident_detail(db, old.key).status == old.status  # nothing was changed


async def test_a_detail_read_for_a_row_no_longer_selected_is_not_shown(desk, tui_clock):
    from incidentdesk.tui.messages import DetailLoaded

    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        selected = screen.table.selected()
        other = next(k for k in keys.values() if k != selected.key)
        screen.post_message(DetailLoaded(queries.incident_detail(db, other)))  # e.g. a re-read after a change
        await settle(pilot)
        assert screen.detail.key == selected.key
