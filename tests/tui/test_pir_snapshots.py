"""Snapshots of the post-incident review screen at 120x36 and 80x24 (every section reachable by scrolling).

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from tests.support.tui import select_key, settle


async def _open_review(pilot) -> None:
    app = pilot.app
    await settle(pilot, rounds=4)
    app.main_screen.set_filter(include_closed=True)
    await settle(pilot, rounds=4)
    await select_key(pilot, app.snapshot_keys["vpn"])
    await settle(pilot, rounds=2)
    await pilot.press("P")
    await settle(pilot, rounds=4)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_review_screen(snap_compare, snapshot_app, size):
    app = snapshot_app(f"pir-{size[0]}", login="ines", review=True)
    assert snap_compare(app, terminal_size=size, run_before=_open_review)
