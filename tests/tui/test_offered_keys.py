"""The key bar and the palette offer only what can succeed now, at every supported width.

A key pressed anyway answers at once with why not (no dialog to fill in first). At 80x24
the bar keeps `/`, `f`, `q` and `?`; down to 60 columns the queue keeps its SLA column and
status words whole (the title gives way first).
"""

from __future__ import annotations

import pytest

from incidentdesk.tui.commands import IncidentCommands
from incidentdesk.tui.format import row_countdown
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.chrome.footer import KeyCap
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import make_app
from tests.support.tui import notes, select_key, settle


pytestmark = pytest.mark.anyio


def bar(app) -> dict[str, KeyCap]:
    """The keys on the bar that are wholly on screen, by key display."""
    width = app.size.width
    return {k.key_display: k for k in app.main_screen.query(KeyCap)
            if k.region.width and 0 <= k.region.x and k.region.right <= width}


async def palette_names(app) -> list[str]:
    provider = IncidentCommands(app.screen)
    return [hit.text async for hit in provider.discover()]


async def test_only_possible_actions_are_offered_and_a_key_pressed_anyway_says_why(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["mail"])  # new
        shown = bar(app)
        assert {"a", "r", "e", "/", "f", "q", "?"} <= set(shown), sorted(shown)
        assert not {"x", "o"} & set(shown), sorted(shown)  # close, reopen: not on an open incident
        assert shown["h"].description == "Hold"
        names = await palette_names(app)
        assert f"Acknowledge {keys['mail']}" in names
        assert not any(n.startswith(("Close ", "Reopen ")) for n in names), names
        await pilot.press("x")  # close anyway: no dialog, the reason at once, naming the state
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert any("Not possible now" in n and "cannot close" in n and "it is new" in n for n in notes(app)), notes(app)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert any("cannot reopen" in n for n in notes(app))

        await select_key(pilot, keys["held"])  # on hold: h resumes
        assert bar(app)["h"].description == "Resume"

        app.main_screen.set_filter(include_closed=True)
        await settle(pilot)
        await select_key(pilot, keys["resolved"])
        shown = bar(app)
        assert {"x", "o"} <= set(shown) and not {"a", "r", "e", "t"} & set(shown), sorted(shown)
        names = await palette_names(app)
        assert f"Close {keys['resolved']}" in names and f"Reopen {keys['resolved']}" in names
        assert not any(n.startswith(("Acknowledge ", "Resolve ", "Escalate ")) for n in names), names
        await pilot.press("o")  # possible: its dialog opens
        assert isinstance(app.screen, FormScreen) and app.screen.spec.title == "Reopen"


async def test_reopen_is_not_offered_after_the_window(desk, tui_clock):
    db, keys = desk
    tui_clock.advance(days=8)  # past the 168 h reopen window
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        app.main_screen.set_filter(include_closed=True)
        await settle(pilot)
        await select_key(pilot, keys["resolved"])
        assert "o" not in bar(app) and "x" in bar(app)
        await pilot.press("o")
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen)
        assert any("reopen window" in n for n in notes(app)), notes(app)


async def test_the_bar_follows_the_role(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "chen", tui_clock)  # a responder; the Wi-Fi incident is ana's
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        shown = bar(app)
        # not his to take, resolve or cancel (domain/lifecycle.CHANGE_RULES), not his role (M)
        assert not {"t", "p", "c", "r", "M"} & set(shown), sorted(shown)
        assert "m" in shown and "e" in shown  # anyone may comment, or escalate to management


@pytest.mark.parametrize("size", [(60, 20), (64, 24), (72, 24), (80, 24), (90, 30), (100, 40), (120, 36),
                                  (160, 48), (200, 60)])
async def test_every_supported_width_keeps_the_essential_keys_sla_and_status(desk, tui_clock, size):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["printer"])  # acknowledged
        shown = bar(app)
        assert {"/", "f", "q", "?"} <= set(shown), (size, sorted(shown))
        assert "a" not in shown and "r" in shown  # the most useful possible action still fits
        keys_on_bar = sorted(shown.values(), key=lambda k: k.region.x)
        for left, right in zip(keys_on_bar, keys_on_bar[1:], strict=False):
            assert left.region.right <= right.region.x, (size, left.key_display, right.key_display)
        table = app.main_screen.query_one(QueueTable)
        row = next(r for r in table.rows_by_id.values() if r.key == keys["printer"])
        sla = row_countdown(row, tui_clock()).plain
        lines = [table.render_line(y).text for y in range(table.region.height)]
        line = next(ln for ln in lines if keys["printer"] in ln)
        assert "acknowledged" in line and sla in line, (size, line)
        assert lines[0].split()[-1] == "SLA", lines[0]
        # every column, the SLA one last, inside what the table shows beside its scrollbar
        used = sum(column.get_render_width(table) for column in table.columns.values())
        assert used <= table.scrollable_content_region.width, (size, used, table.scrollable_content_region)


async def test_a_resize_refits_the_bar(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        app.main_screen.set_filter(include_closed=True)
        await settle(pilot)
        await select_key(pilot, keys["resolved"])
        assert bar(app)["n"].description == "New incident"  # full labels when everything fits
        await select_key(pilot, keys["mail"])  # new: a dozen actions are possible
        wide = bar(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        narrow = bar(app)
        assert {"/", "f", "q", "?", "a", "r"} <= set(narrow) and len(narrow) < len(wide)
        assert narrow["a"].description == "Ack"
