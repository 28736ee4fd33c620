"""Snapshots of the shift handover: the screen (draft, note, a flagged handover, previous ones) and the
main screen's flag, at 120x36 and 80x24.

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from incidentdesk.services.handover import publish
from incidentdesk.tui.screens.handover import HandoverScreen
from incidentdesk.tui.widgets.chrome.handover_flag import HandoverFlag
from tests.support.desk import ctx_for
from tests.support.tui import eventually, settle

SIZES = [(120, 36), (80, 24)]


def _app(snapshot_app, name: str):
    """The desk with a major and a vendor hold; ines published a handover 45 minutes ago, nobody acknowledged."""
    app = snapshot_app(name, login="tess", major=True, vendor=True)
    db, clock = app.runtime.db, app.snapshot_clock
    publish(ctx_for(db, "ines", clock), note="VPN rollback under way (CHG-1182); mail vendor promised a fix by 11:00.")
    clock.advance(minutes=45)
    return app


async def _flag_shown(pilot) -> None:
    app = pilot.app
    await settle(pilot, rounds=4)
    await eventually(pilot, lambda: any(f.display for f in app.main_screen.query(HandoverFlag)), 5, "the flag")
    await settle(pilot)


async def _open(pilot) -> None:
    await _flag_shown(pilot)
    await pilot.press("H")
    await eventually(pilot, lambda: isinstance(pilot.app.screen, HandoverScreen) and pilot.app.screen.content
                     is not None, 5, "the handover screen")
    pilot.app.clear_notifications()   # the flag's toast (the main screen's snapshot shows it) would cover the keys
    await settle(pilot, rounds=4)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_handover_screen(snap_compare, snapshot_app, size):
    app = _app(snapshot_app, f"handover-{size[0]}")
    assert snap_compare(app, terminal_size=size, run_before=_open)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_flags_the_unacknowledged_handover(snap_compare, snapshot_app, size):
    app = _app(snapshot_app, f"handover-flag-{size[0]}")
    assert snap_compare(app, terminal_size=size, run_before=_flag_shown)
