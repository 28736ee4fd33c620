"""Dialogs as a new user meets them: Enter, Esc, what fits at 120x36 and 80x24, the Close tick box."""

from __future__ import annotations

import pytest
from textual.widgets import Button, Checkbox, Input, Select, TextArea

from incidentdesk.store import queries
from incidentdesk.tui.screens.dialog import ConfirmDiscard
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.screens.form import FormScreen
from tests.support.desk import make_app
from tests.support.tui import open_form, select_key, settle, type_into


pytestmark = pytest.mark.anyio


def open_count(db) -> int:
    return queries.queue_count(db, queries.QueueFilter())


def in_view(app, widget) -> bool:
    """On screen, inside the dialog's visible area (not scrolled or pushed out of it)."""
    screen = app.screen.region
    region = widget.region
    return region.area > 0 and screen.contains_region(region)


async def test_enter_in_the_title_moves_on_and_logs_nothing(desk, tui_clock):
    db, _ = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        before = open_count(db)
        await pilot.press("n")
        await type_into(pilot, "#f-title", "Payroll export fails")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen), "Enter submitted the whole form with its defaults"
        assert app.screen.focused is app.screen.query_one("#f-type", Select)
        await type_into(pilot, "#f-ci", "pay-gw-prod")
        await pilot.press("enter")  # a single-line field further down: next field, still no save
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and open_count(db) == before
        assert app.screen.focused is app.screen.query_one("#f-description", TextArea)


async def test_enter_saves_a_dialog_whose_only_field_is_one_line(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["mail"], "a")  # acknowledge: its one field is a one-line comment
        await type_into(pilot, "#f-comment", "on it")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert queries.incident_detail(db, keys["mail"]).status == "acknowledged"


async def test_escape_on_a_filled_form_asks_before_discarding(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "r")
        await type_into(pilot, "#f-notes", "replaced the access point on floor 2")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscard), "Esc threw the typed notes away without asking"
        await pilot.press("escape")  # the default: keep editing, text intact
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-notes", TextArea).text == "replaced the access point on floor 2"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ConfirmDiscard))
        assert queries.incident_detail(db, keys["wifi"]).status == "in_progress"  # nothing saved

        await pilot.press("r")  # an untouched dialog closes at once
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ConfirmDiscard))


async def test_a_reopened_dialog_asks_too(desk, tui_clock):
    """A dialog that came back after a refused save holds what was typed: Esc must not drop it silently."""
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        from incidentdesk.tui.actions import BY_NAME

        app.main_screen.start_action(BY_NAME["comment"], {"text": "called the user"}, notice="not saved")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscard)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_new_incident_form_shows_save_cancel_and_the_ctrl_s_hint(desk, tui_clock, size):
    db, _ = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        save, cancel = form.query_one("#submit", Button), form.query_one("#cancel", Button)
        assert in_view(app, save) and in_view(app, cancel), (save.region, cancel.region, form.region)
        assert "ctrl+s" in str(save.label) and "esc" in str(cancel.label)
        # the last field scrolls into view when reached; the buttons stay
        last = form.query_one("#f-group", Select)
        last.focus()
        await settle(pilot)
        assert in_view(app, last) and in_view(app, save)
        assert not last.region.overlaps(save.region)


async def test_filter_dialog_at_80x24_scrolls_and_keeps_its_buttons(desk, tui_clock):
    db, _ = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FilterScreen)
        for wid in ("#apply", "#cancel"):
            assert in_view(app, dialog.query_one(wid, Button)), wid
        closed = dialog.query_one("#filter-closed", Checkbox)
        closed.focus()
        await settle(pilot)
        assert in_view(app, closed), "the last filter field cannot be reached"
        await pilot.press("space")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.main_screen.view.include_closed is True


async def test_close_starts_with_user_confirmed_unticked(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.main_screen.set_filter(include_closed=True, text="Password")
        await settle(pilot)
        await select_key(pilot, keys["resolved"])
        await pilot.press("x")
        await settle(pilot)
        assert app.screen.query_one("#f-confirmed", Checkbox).value is False
        await pilot.press("ctrl+s")  # saved as not confirmed, as shown
        await settle(pilot)
        d = queries.incident_detail(db, keys["resolved"])
        assert d.status == "closed" and d.user_confirmed is False


async def test_ticked_and_unticked_read_differently_without_colour(desk, tui_clock, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        box = app.screen.query_one("#filter-closed", Checkbox)
        unticked = str(box.render())
        box.value = True
        await pilot.pause()
        ticked = str(box.render())
        assert unticked.startswith("[ ]") and ticked.startswith("[X]"), (unticked, ticked)


async def test_keys_after_a_refused_save_go_back_to_the_field(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "e")
        await pilot.press("ctrl+s")  # no summary: refused, and focus goes to the field that needs it
        await settle(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.query_one("#e-summary").display
        assert app.screen.focused is app.screen.query_one("#f-summary", TextArea)
        await pilot.press("o", "k")
        assert app.screen.query_one("#f-summary", TextArea).text == "ok"
        assert isinstance(app.screen.query_one("#f-reason"), Input)
