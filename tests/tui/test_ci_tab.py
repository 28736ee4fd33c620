"""The incident pane's CI tab: the affected CI, its neighbours, recent incidents and changes (read in a worker).

Snapshots at 120x36 and 80x24: run under `flock /tmp/incidentdesk-snapshots.lock`.
"""

from __future__ import annotations

import pytest

from incidentdesk.services import cmdb
from incidentdesk.tui.widgets.cmdb.panel import CIPanel
from tests.support.cmdb import vpn_estate
from tests.support.desk import ctx_for, make_app
from tests.support.tui import eventually, plain_text, select_key, settle

pytestmark = pytest.mark.anyio


async def _open_tab(pilot, key: str) -> CIPanel:
    await settle(pilot)
    await select_key(pilot, key)
    main = pilot.app.main_screen
    if main.has_class("-narrow"):
        main._show_pane("incident")
        await settle(pilot)
    main.query_one("#incident-pane").active = "tab-ci-panel"
    await settle(pilot, rounds=4)
    return main.query_one(CIPanel)


async def test_ci_tab_shows_owner_neighbours_changes_and_incidents(desk, tui_clock):
    db, keys = desk
    changes = vpn_estate(db, tui_clock)
    cmdb.link_change(ctx_for(db, "ana", tui_clock), keys["vpn"], change=changes["push"])
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        panel = await _open_tab(pilot, keys["vpn"])
        await eventually(pilot, lambda: "gp-gw-eu1" in plain_text(panel), 5, "the CI tab filled")
        text = plain_text(panel)
        assert "Caused by change" in text and changes["push"] in text.split("Changes on it")[0]
        assert "Network Operations" in text and "Frankfurt DC2" in text and "critical" in text
        assert "fw-eu1, radius-1" in text and "vpn-portal" in text
        recent = text.split("last 72 h (3)")[1].split("Recent incidents")[0]
        # on the CI, on a direct and on an indirect dependency (through the radius/AD cycle); not the 10-day-old one
        assert [changes[n] in recent for n in ("push", "fw", "ad", "old")] == [True, True, True, False]
        assert keys["vpn"] in text.split("Recent incidents")[1]


async def test_ci_tab_without_a_ci_or_with_an_unknown_one(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)  # no CMDB at all: the VPN incident's CI text is unknown
    async with app.run_test(size=(160, 48)) as pilot:
        panel = await _open_tab(pilot, keys["vpn"])
        await eventually(pilot, lambda: "not in the CMDB" in plain_text(panel), 5, "unknown CI said")
        await select_key(pilot, keys["mail"])
        await eventually(pilot, lambda: "names no CI" in plain_text(panel), 5, "no CI said")


@pytest.mark.parametrize("size", [(120, 36), (80, 24)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_ci_tab_snapshot(snap_compare, snapshot_app, size):
    app = snapshot_app(f"ci-tab-{size[0]}")
    vpn_estate(app.runtime.db, app.snapshot_clock)

    async def run_before(pilot):
        await _open_tab(pilot, app.snapshot_keys["vpn"])

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_ci_browser_searches_and_shows_a_ci(desk, tui_clock):
    db, keys = desk
    changes = vpn_estate(db, tui_clock)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot)
        screen = app.screen
        assert screen.id == "ci-browser"
        assert screen.names == ["ad-dc1", "fw-eu1", "gp-gw-eu1", "radius-1", "vpn-portal"]
        await pilot.press(*"gp-gw")
        await settle(pilot)
        await eventually(pilot, lambda: screen.names == ["gp-gw-eu1"], 5, "the search narrowed")
        await settle(pilot)
        text = plain_text(screen.query_one("#ci-detail"))
        assert "Frankfurt DC2" in text and changes["push"] in text and keys["vpn"] in text
        await pilot.press("escape")
        assert app.screen is app.main_screen


def test_ci_browser_snapshot(snap_compare, snapshot_app):
    app = snapshot_app("ci-browser")
    vpn_estate(app.runtime.db, app.snapshot_clock)

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("I")
        await settle(pilot, rounds=4)
        await pilot.press("enter", "down", "down")
        await settle(pilot, rounds=4)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)
