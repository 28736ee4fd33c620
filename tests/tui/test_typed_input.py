"""Typed text reaches the save: keys and pastes that arrive in one burst with ctrl+s (laggy SSH, paste).

Pilot's `press` waits for the app to go idle after every key, which hides the bug: here the key
events are posted in one go, without yielding, as a terminal driver delivers a burst.
"""

from __future__ import annotations

import unicodedata

import pytest
from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key
from textual.widgets import Input, Select

from incidentdesk.store import queries
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.screens.form import FormScreen
from tests.tui.conftest import settle
from tests.tui.scenario import make_app
from tests.tui.test_actions import select_key

pytestmark = pytest.mark.anyio

LONG = ("Restarted gp-gw-eu1 twice; failover to eu2 fails with TLS errors (cert expired 09:02). "
        "Rolled back CHG-1182, users reconnect: confirmed with j.doe & 3 others. Logs: /var/log/gp/*.log")


def key_event(key: str) -> events.Key:
    """The Key event a terminal driver sends for `key` (a character or a key name such as ctrl+s)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


def burst(app, *items: str | events.Event) -> None:
    """Post every key of each text (or each event) to the app at once, as one burst from the terminal."""
    driver = app._driver
    for item in items:
        if isinstance(item, events.Event):
            driver.send_message(item)
        elif item in ("ctrl+s", "enter", "tab", "escape"):
            driver.send_message(key_event(item))
        else:
            for ch in item:
                driver.send_message(key_event(ch))


async def focus(pilot, selector: str):
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    return widget


async def test_resolve_notes_typed_in_a_burst_with_ctrl_s_are_saved_whole(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        await pilot.press("r")
        assert isinstance(app.screen, FormScreen)
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
        await select_key(pilot, keys["wifi"])
        await pilot.press("e")
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
        await select_key(pilot, keys["mail"])
        await pilot.press("m")
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
        await select_key(pilot, keys["mail"])
        await pilot.press("h")
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

    from tests.tui.terminal import BINARY, Tmux, desk_for_os_login

    term = Tmux(tmp_path)
    db, url, keys = desk_for_os_login(tmp_path)
    try:
        term.start(BINARY, "--db", url)
        term.wait_for(keys["vpn"])
        term.send("/")
        term.wait_for("Filter the queue")
        term.send("Wi-Fi", "Enter")
        term.wait_for("Office Wi-Fi slow on floor 2")
        deadline = time.monotonic() + 15
        while "Resolution notes" not in term.screen():  # the detail loads just after the row shows
            assert time.monotonic() < deadline, term.screen()
            term.send("r")
            time.sleep(0.5)
        term.send("Tab")  # from the resolution code to the notes
        time.sleep(0.3)
        term.send(LONG, "C-s")
        while True:
            notes = queries.incident_detail(db, keys["wifi"]).resolution_notes
            if notes or time.monotonic() > deadline + 15:
                break
            time.sleep(0.2)
        assert notes == LONG, f"saved {notes!r}\n{term.screen()}"
    finally:
        term.close()
        db.dispose()
