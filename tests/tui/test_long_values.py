"""A value longer than its limit comes back in the dialog, the typed text kept, the error under its field."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from incidentdesk.tui.screens.form import FormScreen
from tests.support.desk import make_app
from tests.support.tui import detail, notes, open_form, plain_text, settle, submit, type_into


pytestmark = pytest.mark.anyio


async def test_too_long_hold_reason_keeps_the_dialog(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    reason = "waiting for the vendor, who said " + "x" * 300
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["mail"], "h")
        await type_into(pilot, "#f-reason", reason)
        await submit(pilot)
        await settle(pilot)
        assert detail(db, keys["mail"]).status == "new"  # nothing saved
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#f-reason", Input).value == reason
        error = plain_text(app.screen.query_one("#e-reason"))
        assert f"the hold reason is {len(reason)} characters long; the limit is 300" in error
        assert any("Not saved" in n and "limit is 300" in n for n in notes(app)), notes(app)
