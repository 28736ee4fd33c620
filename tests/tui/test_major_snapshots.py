"""Snapshots of the major-incident screen: on time, due soon (amber), overdue (red), at 120x36 and 80x24.

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from incidentdesk.services.major import set_major_roles
from incidentdesk.services.stakeholder import post_update
from tests.support.desk import ctx_for
from tests.support.tui import select_key, settle

# minutes after the last update (posted at the end of the scenario; SEV1: next due in 30 min)
STATES = {"normal": 0, "amber": 26, "overdue": 42}


def _major_app(snapshot_app, name: str, minutes_later: int):
    app = snapshot_app(name, login="ines", major=True)
    db, clock, key = app.runtime.db, app.snapshot_clock, app.snapshot_keys["vpn"]
    ines = ctx_for(db, "ines", clock)
    set_major_roles(ines, key, deputy="tess", comms_lead="ana")
    post_update(ines, key, impacted="VPN (GlobalProtect), all regions", who="all remote staff (about 1,400 people)",
                status="Gateway gp-gw-eu1 does not answer since 08:50; rolling back CHG-1182.",
                workaround="Office staff unaffected; remote staff use the Citrix portal", follow="#inc-vpn")
    clock.advance(minutes=minutes_later)
    return app


async def _open(pilot) -> None:
    app = pilot.app
    await settle(pilot, rounds=4)
    await select_key(pilot, app.snapshot_keys["vpn"])
    await pilot.press("v")
    await settle(pilot, rounds=4)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("state", list(STATES))
def test_major_screen(snap_compare, snapshot_app, state, size):
    app = _major_app(snapshot_app, f"major-{state}-{size[0]}", STATES[state])
    assert snap_compare(app, terminal_size=size, run_before=_open)


def test_queue_marks_overdue_major_80x24(snap_compare, snapshot_app):
    app = _major_app(snapshot_app, "major-queue-80", STATES["overdue"])
    assert snap_compare(app, terminal_size=(80, 24))
