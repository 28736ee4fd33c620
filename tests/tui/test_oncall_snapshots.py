"""Snapshots of the on-call screen (O) and of the header's on-call line, at 120x36 and 80x24.

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from tests.support.tui import eventually, settle

SIZES = [(120, 36), (80, 24)]


async def _header_read(pilot) -> None:
    await settle(pilot, rounds=4)
    header = pilot.app.main_screen.query_one("DeskHeader")
    await eventually(pilot, lambda: header.oncall_reads > 0, 10, "the header's on-call read")
    await settle(pilot)


async def _open(pilot) -> None:
    await _header_read(pilot)
    await pilot.press("O")
    await eventually(pilot, lambda: getattr(pilot.app.screen, "loads", 0) > 0, 10, "the on-call screen's read")
    await pilot.press("down")  # Service Desk: its override and swap
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_oncall_screen(snap_compare, snapshot_app, size):
    app = snapshot_app(f"oncall-{size[0]}", oncall=True)
    assert snap_compare(app, terminal_size=size, run_before=_open)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_header_shows_oncall(snap_compare, snapshot_app, size):
    app = snapshot_app(f"oncall-header-{size[0]}", oncall=True)
    assert snap_compare(app, terminal_size=size, run_before=_header_read)
