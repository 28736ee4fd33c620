"""The console that made a change re-reads the incident once, not once for its action and again
for the change feed's echo of it; anyone else's change is still read. Counted, on both backends."""

from __future__ import annotations

import time

import pytest

from incidentdesk.domain.keys import parse_key
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.store.changefeed import Changes
from incidentdesk.tui.messages import IncidentsChanged
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, make_app
from tests.support.tui import select_key, settle, type_into

pytestmark = pytest.mark.anyio

read_detail = queries.incident_detail  # for the test's own checks, not counted


class Reads:
    """Counts the reads of one incident through the two queries the console re-reads with."""

    def __init__(self, monkeypatch, number: int) -> None:
        self.rows = self.details = 0
        rows_for_ids, incident_detail = queries.rows_for_ids, queries.incident_detail

        def counted_rows(db, ids):
            self.rows += number in ids
            return rows_for_ids(db, ids)

        def counted_detail(db, key, **kw):
            self.details += parse_key(key) == number
            return incident_detail(db, key, **kw)

        monkeypatch.setattr(queries, "rows_for_ids", counted_rows)
        monkeypatch.setattr(queries, "incident_detail", counted_detail)


async def _quiet(pilot, seconds: float) -> None:
    """Long enough for the feed (polling every 0.1 s on SQLite, LISTEN on PostgreSQL) to deliver."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        await pilot.pause(0.05)
    await settle(pilot)


async def test_own_action_is_read_once_and_anothers_change_still_is(db, monkeypatch):
    clock = Clock()
    key = build(db, clock)["mail"]  # new, in tess's group
    number = parse_key(key)
    app = make_app(db, "tess", clock, live=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _quiet(pilot, 0.6)  # the feed is connected and has nothing to say
        await select_key(pilot, key)
        await settle(pilot)
        reads = Reads(monkeypatch, number)
        await pilot.press("a")
        assert isinstance(app.screen, FormScreen)
        await type_into(pilot, "#f-comment", "on it")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await _quiet(pilot, 1.0)
        assert read_detail(db, key).status == "acknowledged"
        table = app.main_screen.query_one(QueueTable)
        assert next(r for r in table.rows_by_id.values() if r.id == number).status == "acknowledged"
        assert (reads.rows, reads.details) == (1, 1), "the action's incident is read once, not again for the echo"

        svc.comment(ctx_for(db, "tess", clock), key, "written elsewhere (the CLI, another console)")
        await _quiet(pilot, 1.0)
        assert (reads.rows, reads.details) == (2, 2), "a change made elsewhere is read when the feed says so"


async def test_a_feed_faster_than_the_action_message_reads_once(db, monkeypatch):
    """Whichever arrives first (the feed's echo or the action's own message) reads; the other does not."""
    clock = Clock()
    app = make_app(db, "root", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        refreshed: list[set[int]] = []
        screen = app.main_screen
        monkeypatch.setattr(screen, "refresh_incidents", lambda ids: refreshed.append(set(ids)))

        def feed(changes):  # what the change feed's thread posts to the screen
            screen._incidents_changed(IncidentsChanged(set(changes.incident_ids), changes))
        echo = Changes()
        echo.add(5, 901)
        feed(echo)                 # the feed first: it reads
        screen.apply_own_changes(5, {901})      # then the action's message: already read
        assert refreshed == [{5}]
        screen.apply_own_changes(6, {902})      # the action first: it reads
        echo = Changes()
        echo.add(6, 902)
        feed(echo)                 # the echo: skipped
        assert refreshed == [{5}, {6}]
        both = Changes()
        both.add(6, 903)                     # someone else's change to the same incident
        feed(both)
        bulk = Changes()
        bulk.add(5, None)                    # a bulk notification names no row: always read
        feed(bulk)
        assert refreshed == [{5}, {6}, {6}, {5}]
        screen.own_changes.expect({904})        # a new incident, read by its own page load
        logged = Changes()
        logged.add(7, 904)
        feed(logged)
        assert refreshed == [{5}, {6}, {6}, {5}]
