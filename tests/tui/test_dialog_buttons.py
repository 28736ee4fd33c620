"""A dialog's buttons do what its keys do (tui/screens/dialog.Dialog handles #submit and #cancel once).

Clicked, Save saves once, Cancel on typed text asks once (one ConfirmDiscard, not two stacked),
the filter's Cancel closes it, and the handover's Publish publishes once and keeps the screen open
(it stops the Dialog's save-and-close).
"""

from __future__ import annotations

import pytest

from incidentdesk.store import queries
from incidentdesk.store.handover import list_handovers
from incidentdesk.tui.screens.dialog import ConfirmDiscard
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.screens.handover import HandoverScreen
from tests.support.desk import make_app
from tests.support.tui import eventually, open_form, settle, type_into

pytestmark = pytest.mark.anyio


def _discard_prompts(app) -> int:
    return sum(isinstance(s, ConfirmDiscard) for s in app.screen_stack)


async def test_save_button_saves_the_form(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["mail"], "a")
        await type_into(pilot, "#f-comment", "on it")
        await pilot.click("#submit")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert queries.incident_detail(db, keys["mail"]).status == "acknowledged"


async def test_cancel_button_asks_once_before_dropping_typing_and_closes_an_untouched_form(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "r")
        await type_into(pilot, "#f-notes", "replaced the access point")
        await pilot.click("#cancel")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDiscard) and _discard_prompts(app) == 1
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ConfirmDiscard))
        assert queries.incident_detail(db, keys["wifi"]).status == "in_progress"
        await pilot.press("r")
        await settle(pilot)
        await pilot.click("#cancel")
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ConfirmDiscard)) and _discard_prompts(app) == 0


async def test_filter_cancel_button_closes_it(desk, tui_clock):
    db, _ = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        await pilot.click("#cancel")
        await settle(pilot)
        assert app.screen is app.main_screen


async def test_publish_button_publishes_once_and_keeps_the_handover_open(desk, tui_clock):
    db, _ = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("H")
        await eventually(pilot, lambda: isinstance(app.screen, HandoverScreen) and app.screen.content is not None,
                         5, "the handover screen with its draft")
        screen = app.screen
        await type_into(pilot, "#handover-note", "quiet night")
        await pilot.click("#submit")
        await eventually(pilot, lambda: list_handovers(db, 10), 10, "the handover published")
        await settle(pilot)
        assert [h.note for h in list_handovers(db, 10)] == ["quiet night"]
        assert app.screen is screen and not screen.saving
        await pilot.click("#cancel")  # the note was cleared on publishing: nothing to lose
        await settle(pilot)
        assert app.screen is app.main_screen
