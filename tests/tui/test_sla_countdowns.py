"""The console's SLA countdowns on business-hours calendars: business time left, the due instant beside it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from incidentdesk.config import parse_config
from incidentdesk.services import incidents as svc
from incidentdesk.tui.widgets.detail.panels import SlaPanel
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.clock import Clock
from tests.support.desk import build, ctx_for, make_app, open_db
from tests.support.tui import plain_text, settle


pytestmark = pytest.mark.anyio

FRIDAY_3PM = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


@pytest.fixture
def friday(tmp_path):
    """The small desk, plus a P3 logged on Friday at 15:00: response due Monday 11:00 (4 business hours)."""
    clock = Clock()
    db = open_db(tmp_path / "friday.db")
    build(db, clock)
    clock.now = FRIDAY_3PM
    key = svc.log_incident(ctx_for(db, "ana", clock), svc.Intake(
        title="Shared drive slow", impact="medium", urgency="medium", group="Service Desk"))
    yield db, clock, key
    db.dispose()


def _cell(app, key: str) -> str:
    table = app.main_screen.query_one(QueueTable)
    row = next(r for r in table.rows_by_id.values() if r.key == key)
    return table.get_cell(str(row.id), "sla").plain


async def test_queue_counts_business_time_left_and_stands_still_outside_working_hours(friday):
    db, clock, key = friday
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert _cell(app, key) == "4h00m"                 # not "2d20h" of wall time to Monday 11:00
        clock.advance(minutes=30)
        app.main_screen.tick()
        assert _cell(app, key) == "3h30m"
        clock.now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)   # Saturday: the clock does not run
        app.main_screen.tick()
        assert _cell(app, key) == "2h00m"


async def test_detail_shows_business_time_left_beside_the_due_instant(friday):
    db, clock, key = friday
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        row = next(i for i, r in enumerate(table.rows_by_id.values()) if r.key == key)
        table.move_cursor(row=row)
        await pilot.press("enter")
        await settle(pilot)
        panel = app.main_screen.query(SlaPanel).first()
        assert panel.detail is not None and panel.detail.key == key
        lines = [" ".join(line.split()) for line in plain_text(panel).splitlines()]
        assert "Response SLA 4h00m business hours due 2026-11-30 11:00" in lines
        assert "Resolution SLA 24h00m business hours due 2026-12-02 15:00" in lines


async def test_the_console_counts_on_the_site_time_zone(friday):
    db, clock, _ = friday
    config = parse_config({"general": {"time_zone": "America/New_York"}})
    clock.now = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)     # Friday 15:00 in New York
    key = svc.log_incident(ctx_for(db, "ana", clock, config), svc.Intake(
        title="Scanner offline", impact="medium", urgency="medium", group="Service Desk"))
    app = make_app(db, "tess", clock, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        # 2 h on Friday and 2 h on Monday, New York hours; on UTC hours the same instants hold 7 h.
        assert _cell(app, key) == "4h00m"
