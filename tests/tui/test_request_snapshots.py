"""Snapshots of a service request in the incident pane's Request tab (approved, one step of three done),
at 120x36 and 80x24.

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from incidentdesk.services import requests
from tests.support.desk import ctx_for
from tests.support.requests import add_requests
from tests.support.tui import select_key, settle


def _request_app(snapshot_app, name: str):
    app = snapshot_app(name, login="ines")
    db, clock = app.runtime.db, app.snapshot_clock
    keys = add_requests(db, clock)
    ines = ctx_for(db, "ines", clock)
    clock.advance(minutes=4)
    requests.approve_request(ines, keys["access"], comment="fine until the audit")
    clock.advance(minutes=2)
    requests.request_step(ines, keys["access"], number=1)
    app.snapshot_keys.update(keys)
    return app


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_request_tab(snap_compare, snapshot_app, size):
    app = _request_app(snapshot_app, f"request{size[0]}")

    async def run_before(pilot) -> None:
        await settle(pilot, rounds=4)
        await select_key(pilot, app.snapshot_keys["access"])
        if size[0] < 100:
            await pilot.press("enter")     # the narrow layout: the incident pane in front of the queue
            await settle(pilot, rounds=4)
        pilot.app.main_screen.query_one("#incident-pane").active = "tab-request"
        await settle(pilot, rounds=4)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
