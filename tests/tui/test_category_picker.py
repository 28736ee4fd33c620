"""The fuzzy category picker (Y: category and CI; n: the new-incident form), and the link-change dialog (L)."""

from __future__ import annotations

import pytest

from incidentdesk.domain.cmdb import fuzzy_rank
from incidentdesk.services import categories
from incidentdesk.store import cmdb as reads
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.fuzzy import FuzzyPicker
from tests.support.cmdb import vpn_estate
from tests.support.desk import ctx_for, make_app
from tests.support.tui import detail, notes, open_form, settle, submit

pytestmark = pytest.mark.anyio

PATHS = ["Email", "Email/Exchange", "Email/Exchange/Outlook", "Network", "Network/VPN", "Network/VPN/GlobalProtect"]


def test_fuzzy_rank_orders_prefix_word_inside_then_letters():
    assert fuzzy_rank("net", PATHS) == ["Network", "Network/VPN", "Network/VPN/GlobalProtect"]
    assert fuzzy_rank("vpn", PATHS)[0] == "Network/VPN"          # a word starts with it
    assert fuzzy_rank("protect", PATHS) == ["Network/VPN/GlobalProtect"]  # inside a word
    assert fuzzy_rank("ntvpgp", PATHS) == ["Network/VPN/GlobalProtect"]   # the letters in order
    assert fuzzy_rank("zzz", PATHS) == []
    assert fuzzy_rank("", PATHS, 2) == ["Email", "Email/Exchange"]


async def test_recategorise_with_the_fuzzy_picker(desk, tui_clock):
    db, keys = desk
    admin = ctx_for(db, "root-setup", tui_clock)
    categories.retire_category(admin, "Email/Exchange/Outlook")
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "Y")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        picker = form.query_one("#f-category", FuzzyPicker)
        assert "Email/Exchange/Outlook" not in picker.names  # retired: not offered
        picker.focus()
        picker.value = ""
        await pilot.press(*"globp")
        await settle(pilot)
        assert picker.matches == ["Network/VPN/GlobalProtect"]
        assert "Network/VPN/GlobalProtect" in str(picker.border_subtitle)
        await pilot.press("right")
        assert picker.value == "Network/VPN/GlobalProtect"
        await submit(pilot)
        assert not isinstance(app.screen, FormScreen), notes(app)
        assert detail(db, keys["wifi"]).category == "Network/VPN/GlobalProtect"


async def test_a_typo_in_the_picker_is_refused_with_the_nearest(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "Y")
        await settle(pilot)
        picker = app.screen.query_one("#f-category", FuzzyPicker)
        picker.value = "Network/VPM"
        await submit(pilot)
        assert isinstance(app.screen, FormScreen)  # kept open, the value kept
        error = str(app.screen.query_one("#e-category").render())
        assert "unknown category 'Network/VPM'" in error and "nearest: Network/VPN" in error
        assert detail(db, keys["wifi"]).category != "Network/VPM"


async def test_link_change_from_the_console(desk, tui_clock):
    db, keys = desk
    changes = vpn_estate(db, tui_clock)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["vpn"], "L")
        await settle(pilot)
        app.screen.query_one("#f-change").value = changes["push"]
        await submit(pilot)
        assert not isinstance(app.screen, FormScreen), notes(app)
    assert reads.caused_by(db, keys["vpn"]).key == changes["push"]
