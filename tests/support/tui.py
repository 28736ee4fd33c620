"""Pilot helpers for the console tests: let workers land, pick a row, type, read what is shown.

Waiting is always on a condition (a worker finished, the detail shows the row, a state reached
within a deadline), never on a sleep that happens to be longer than some delay in the code.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata

from textual import events
from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from incidentdesk.store import queries


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their messages land (they hop threads, so a few rounds).

    The change-feed worker of a live console runs until the app exits, so it is not waited for.
    """
    app = pilot.app
    for _ in range(rounds):
        await asyncio.gather(*[w.wait() for w in app.workers if w.group != "change-feed"], return_exceptions=True)
        await pilot.pause()


async def settle_all(pilot, rounds: int = 4) -> None:
    """Wait for every worker, rounds times: for a console with no change feed running (the snapshot
    and screen tests), so nothing is left out, and a worker that failed fails the test."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def eventually(pilot, condition, limit: float, what: str) -> float:
    """Poll `condition` until it holds; AssertionError naming `what` after `limit` seconds. Returns the wait."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > limit:
            raise AssertionError(f"{what}: not within {limit} s")
        await pilot.pause(0.05)
    return time.monotonic() - start


def plain_text(widget, width: int = 200) -> str:
    """What a Static shows, as plain text (no styles), to assert on."""
    import io

    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()


def queue_table(app):
    from incidentdesk.tui.widgets.queue.table import QueueTable

    return app.main_screen.query_one(QueueTable)


def row(app, key):
    """The queue row of `key` as the console holds it (StopIteration if it is not on the page)."""
    return next(r for r in queue_table(app).rows_by_id.values() if r.key == key)


async def detail_follows_cursor(pilot, limit: float = 5.0) -> None:
    """Wait until the incident pane shows the row under the queue's cursor (it loads after a short
    pause in the cursor's movement, so a test waits for that, not for a guessed time)."""
    screen = pilot.app.main_screen
    table = queue_table(pilot.app)

    def shown() -> bool:
        row = table.selected()
        return row is not None and screen.detail is not None and screen.detail.key == row.key

    await eventually(pilot, shown, limit, "the incident pane showing the selected row")
    await settle(pilot)


async def select_key(pilot, key: str, limit: float = 5.0) -> None:
    """Move the queue's cursor to `key` and wait until the incident pane shows it."""
    table = queue_table(pilot.app)
    ids = [r.key for r in table.rows_by_id.values()]
    assert key in ids, f"{key} not on the page: {ids}"
    table.move_cursor(row=ids.index(key))
    await detail_follows_cursor(pilot, limit)
    assert pilot.app.main_screen.detail.key == key


async def open_form(pilot, key: str, letter: str, limit: float = 5.0):
    """Select incident `key` and press an action's `letter`: the dialog it opens (some read their
    choices in a worker first), or AssertionError when none opens within `limit` seconds."""
    from incidentdesk.tui.screens.form import FormScreen

    await select_key(pilot, key)
    await pilot.press(letter)
    await eventually(pilot, lambda: isinstance(pilot.app.screen, FormScreen), limit, f"{letter!r} on {key}: a dialog")
    return pilot.app.screen


async def type_into(pilot, selector: str, text: str) -> None:
    """Focus the field and type: the first character as a real keypress, the rest at the cursor."""
    from textual.widgets import TextArea

    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if isinstance(widget, TextArea):
        widget.insert(text)
    else:
        await pilot.press(text[0])
        widget.insert_text_at_cursor(text[1:])
    await pilot.pause()


async def submit(pilot) -> None:
    """ctrl+s in the open dialog, and wait for its worker."""
    await pilot.press("ctrl+s")
    await settle(pilot)


def notes(app) -> list[str]:
    """Every toast shown so far, as 'title: message'."""
    return [f"{n.title}: {n.message}" for n in app._notifications]


def detail(db, key):
    return queries.incident_detail(db, key)


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
