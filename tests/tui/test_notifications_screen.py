"""The notifications screen (N): pending, sent and failed rows, literal errors, r retries a failed one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from incidentdesk.config import parse_config
from incidentdesk.notify.channels import ChannelError
from incidentdesk.notify.delivery import Deliverer
from incidentdesk.services import incidents as svc
from incidentdesk.store.models import OutboxMessage
from incidentdesk.tui.screens.notifications import NotificationsScreen
from tests.support.desk import ctx_for
from tests.support.tui import settle_all

CONFIG = parse_config({"notify": {
    "max_attempts": 1, "channel": [{"name": "ops-chat", "url_env": "UNUSED_IN_THIS_TEST"}],
    "rule": [{"on": ["comment", "escalated"], "to": "ops-chat"}]}})


def with_outbox(app) -> dict:
    """Three notifications through the real services and worker: one sent, one failed, one pending."""
    db, clock, keys = app.runtime.db, app.snapshot_clock, app.snapshot_keys
    tess = ctx_for(db, "tess", clock, CONFIG)
    svc.comment(tess, keys["vpn"], "Gateway restarted")
    svc.comment(tess, keys["mail"], "Exchange looks fine")

    def send(url, *, title, body, **kw):
        if "Exchange" in body:
            raise ChannelError("channel ops-chat (json): not delivered: [bold]502 Bad Gateway[/] \x1b[31m")

    Deliverer(db, CONFIG.notify, clock=clock, send=send, resolve=lambda channel: "json://127.0.0.1:9/x", name="w").deliver_due()
    clock.advance(minutes=1)
    svc.comment(tess, keys["wifi"], "AP firmware rolled back")
    with db.read() as s:
        return {row.state: row.id for row in s.scalars(select(OutboxMessage))}


@pytest.mark.anyio
async def test_screen_lists_states_and_r_retries_the_failed_one(snapshot_app):
    app = snapshot_app("notifications-pilot")
    ids = with_outbox(app)
    assert set(ids) == {"sent", "failed", "pending"}
    async with app.run_test(size=(120, 30)) as pilot:
        await settle_all(pilot)
        await pilot.press("N")
        await settle_all(pilot)
        screen = app.screen
        assert isinstance(screen, NotificationsScreen)
        assert {row["state"] for row in screen.rows.values()} == {"sent", "failed", "pending"}
        table = screen.query_one("#notifications-table")
        failed_index = table.get_row_index(str(ids["failed"]))
        error_cell = table.get_row_at(failed_index)[-1]
        assert error_cell.plain.startswith("channel ops-chat (json): not delivered: [bold]502 Bad Gateway[/]")
        assert "\x1b" not in error_cell.plain
        table.move_cursor(row=table.get_row_index(str(ids["sent"])))
        await pilot.press("r")  # a sent one is not retried
        await settle_all(pilot)
        assert screen.rows[ids["sent"]]["state"] == "sent"
        table.move_cursor(row=failed_index)
        await pilot.press("r")
        await settle_all(pilot)
        assert screen.rows[ids["failed"]]["state"] == "pending"  # tess is a triage captain: retried
        await pilot.press("f")  # failed only: none now
        await settle_all(pilot)
        assert screen.rows == {}
        await pilot.press("escape")
        await settle_all(pilot)
        assert not isinstance(app.screen, NotificationsScreen)


@pytest.mark.anyio
async def test_screen_refreshes_on_its_own(snapshot_app):
    app = snapshot_app("notifications-live")
    with_outbox(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("N")
        await settle_all(pilot)
        screen = app.screen
        screen.refresh_seconds = 0.1
        screen.load()
        await settle_all(pilot)
        before = set(screen.rows)
        svc.comment(ctx_for(app.runtime.db, "tess", app.snapshot_clock, CONFIG), app.snapshot_keys["held"], "later")
        for _ in range(30):
            await pilot.pause(0.05)
            if len(screen.rows) > len(before):
                break
        assert len(screen.rows) == len(before) + 1


def test_notifications_screen_snapshot(snap_compare, snapshot_app):
    app = snapshot_app("notifications")
    with_outbox(app)

    async def run_before(pilot) -> None:
        await settle_all(pilot)
        await pilot.press("N")
        await settle_all(pilot)

    assert snap_compare(app, terminal_size=(120, 30), run_before=run_before)
