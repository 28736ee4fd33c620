"""Typed text reaches the save: keys and pastes that arrive in one burst with ctrl+s (laggy SSH, paste).

Pilot's `press` waits for the app to go idle after every key, which hides the bug: here the key
events are posted in one go, without yielding, as a terminal driver delivers a burst.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, Select

from incidentdesk.store import queries
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.screens.form import FormScreen
from tests.support.desk import make_app
from tests.support.tui import burst, focus, open_form, settle

pytestmark = pytest.mark.anyio

LONG = ("Restarted gp-gw-eu1 twice; failover to eu2 fails with TLS errors (cert expired 09:02). "
        "Rolled back CHG-1182, users reconnect: confirmed with j.doe & 3 others. Logs: /var/log/gp/*.log")


async def test_resolve_notes_typed_in_a_burst_with_ctrl_s_are_saved_whole(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "r")
        await focus(pilot, "#f-notes")
        burst(app, LONG, "ctrl+s")
        await settle(pilot, rounds=5)
        assert not isinstance(app.screen, FormScreen), "the dialog refused what was on screen"
        assert queries.incident_detail(db, keys["wifi"]).resolution_notes == LONG


async def test_escalation_summary_typed_in_a_burst_is_not_refused_as_empty(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "e")
        app.screen.query_one("#f-to_group", Select).value = "Platform SRE"
        await focus(pilot, "#f-summary")
        burst(app, LONG, "ctrl+s")
        await settle(pilot, rounds=5)
        assert not isinstance(app.screen, FormScreen), "Hand-off summary is required, with the text on screen"
        assert queries.incident_detail(db, keys["wifi"]).escalations[-1].summary == LONG


async def test_a_paste_and_keys_after_it_reach_the_save(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["mail"], "m")
        await focus(pilot, "#f-text")
        burst(app, events.Paste(LONG), " -- tess", "ctrl+s")
        await settle(pilot, rounds=5)
        comments = [e.text for e in queries.incident_detail(db, keys["mail"]).timeline if e.kind == "comment"]
        assert comments == [LONG + " -- tess"]


async def test_single_line_field_typed_in_a_burst(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["mail"], "h")
        await focus(pilot, "#f-reason")
        burst(app, "waiting for user: j.doe is on a train until 14:00", "ctrl+s")
        await settle(pilot, rounds=5)
        assert queries.incident_detail(db, keys["mail"]).hold_reason == \
            "waiting for user: j.doe is on a train until 14:00"


async def test_filter_text_typed_in_a_burst_is_applied_whole(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.screen, FilterScreen)
        field = await focus(pilot, "#filter-text")
        assert isinstance(field, Input)
        burst(app, "remote staff", "ctrl+s")
        await settle(pilot, rounds=5)
        assert not isinstance(app.screen, FilterScreen)
        assert app.main_screen.view.text == "remote staff"


def test_real_console_in_tmux_saves_text_sent_with_ctrl_s_in_one_go(tmp_path):
    """The installed binary in a real terminal: notes and C-s in one `tmux send-keys` call."""
    import time

    from tests.support.terminal import BINARY, Tmux, desk_for_os_login

    term = Tmux(tmp_path)
    db, url, keys = desk_for_os_login(tmp_path)
    try:
        term.start(BINARY, "--db", url)
        term.wait_for(keys["vpn"])
        term.send("/")
        term.wait_for("Filter the queue")
        term.send("Wi-Fi", "Enter")
        term.wait_for("Office Wi-Fi slow on floor 2")
        term.wait_for(f"{keys['wifi']}  P3  in progress  incident")  # its detail (loads just after the row)
        term.send("r")
        term.wait_for("Resolution notes")
        deadline = time.monotonic() + 15
        term.send(LONG, "C-s")  # the dialog opens on the notes (the first required empty field)
        while True:
            notes = queries.incident_detail(db, keys["wifi"]).resolution_notes
            if notes or time.monotonic() > deadline + 15:
                break
            time.sleep(0.2)
        assert notes == LONG, f"saved {notes!r}\n{term.screen()}"
    finally:
        term.close()
        db.dispose()


async def test_r_then_notes_then_ctrl_s_in_one_burst_lands_in_the_notes(desk, tui_clock):
    """No focusing by hand: the dialog opens on the first required empty field (the notes, not
    the resolution code's Select above it), so a burst straight after `r` is saved whole."""
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "r")
        assert app.screen.focused is app.screen.query_one("#f-notes")
        burst(app, LONG, "ctrl+s")
        await settle(pilot, rounds=5)
        assert not isinstance(app.screen, FormScreen), "the dialog refused what was on screen"
        assert queries.incident_detail(db, keys["wifi"]).resolution_notes == LONG
