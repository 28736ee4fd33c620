"""Snapshots of the problems screen (B) at 120x36 and 80x24: a known error with its workaround and
linked incidents selected, an open problem beside it.

Run under `flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest

from incidentdesk.services import problems
from tests.support.desk import ctx_for
from tests.support.tui import settle


def _problems_app(snapshot_app, name: str):
    app = snapshot_app(name, login="tess")
    db, clock, keys = app.runtime.db, app.snapshot_clock, app.snapshot_keys
    tess = ctx_for(db, "tess", clock)
    problems.create_problem(tess, title="Printer jams on floor 3", incidents=[keys["printer"]])
    key = problems.create_problem(tess, title="Remote access fails after gateway config pushes",
                                  statement="Each config push to gp-gw-eu1 drops every VPN session.",
                                  incidents=[keys["vpn"], keys["wifi"]], owner="chen")
    problems.edit_problem(tess, problem=key, root_cause="The push restarts the gateway's TLS listener.")
    problems.mark_known_error(tess, problem=key, workaround="Connect through gp-gw-eu2 until the push completes.")
    return app


async def _open(pilot) -> None:
    await settle(pilot, rounds=4)
    await pilot.press("B")
    await settle(pilot, rounds=6)


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_problems_screen(snap_compare, snapshot_app, size):
    app = _problems_app(snapshot_app, f"problems-{size[0]}")
    assert snap_compare(app, terminal_size=size, run_before=_open)
