"""The post-incident review screen and the vendor lines, through Textual's Pilot."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, TextArea

from incidentdesk.services import pir
from incidentdesk.store import queries
from incidentdesk.store.pir import load_review
from incidentdesk.tui.screens.dialog import TickBox
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.screens.pir import PirScreen
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import ctx_for, desk_in, make_app
from tests.support.tui import plain_text, select_key, settle_all

pytestmark = pytest.mark.anyio


async def _select(pilot, key: str) -> None:
    await select_key(pilot, key)
    await settle_all(pilot)


async def _open_review(pilot, key: str) -> PirScreen:
    pilot.app.main_screen.set_filter(include_closed=True)
    await settle_all(pilot)
    await _select(pilot, key)
    await pilot.press("P")
    await settle_all(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PirScreen) and screen.review is not None
    return screen


async def test_type_and_save_in_one_burst_keeps_every_character(tmp_path):
    db, clock, keys = desk_in(tmp_path, review=True)
    app = make_app(db, "ines", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        screen = await _open_review(pilot, keys["vpn"])
        assert screen.query_one("#pir-summary", TextArea).text.startswith("A config push")
        screen.query_one("#pir-causes", TextArea).focus()
        await pilot.press(*"no canary", "enter", *"alert not routed", "ctrl+s")   # one burst
        await settle_all(pilot)
        r = load_review(db, keys["vpn"])
        assert r.causes == ("no canary", "alert not routed") and r.complete
        # highlight an event with a note, tick the follow-up done, add one: one more save
        screen = app.screen
        declared = next(e for e in r.timeline if e.kind == "major_declared")
        screen.query_one(f"#hl-{declared.seq}", TickBox).value = True
        screen.query_one(f"#note-{declared.seq}", Input).focus()
        await pilot.press(*"fast", "tab")
        screen.query_one("#fu-1", TickBox).value = True
        screen.query_one("#new-action", Input).focus()
        await pilot.press(*"Link changes to alerts")
        screen.query_one("#new-owner", Select).value = "ana"
        screen.query_one("#new-due", Input).focus()
        await pilot.press(*"2026-12-20", "ctrl+s")
        await settle_all(pilot)
        r = load_review(db, keys["vpn"])
        assert [(h.seq, h.note) for h in r.highlights] == [(declared.seq, "fast")]
        assert [(f.number, f.owner, f.done) for f in r.follow_ups] == [(1, "chen", True), (2, "ana", False)]
        assert str(r.follow_ups[1].due_on) == "2026-12-20"


async def test_second_console_save_is_refused_and_the_text_kept(tmp_path):
    db, clock, keys = desk_in(tmp_path, review=True)
    app = make_app(db, "ines", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        screen = await _open_review(pilot, keys["vpn"])
        loaded = screen.review.version
        # another console saves first
        pir.edit_review(ctx_for(db, "tess", clock), keys["vpn"], missing="the change calendar",
                        expected_version=loaded)
        screen.query_one("#pir-missing", TextArea).focus()
        await pilot.press(*"who owned gp-gw-eu1", "ctrl+s")
        await settle_all(pilot)
        assert app.screen is screen                          # still open, nothing lost
        assert screen.query_one("#pir-missing", TextArea).text == "who owned gp-gw-eu1"
        error = str(screen.query_one("#error-general").render())
        assert "changed by tess" in error and "reload" in error
        assert load_review(db, keys["vpn"]).missing == "the change calendar"
        await pilot.press("ctrl+r")                          # reload: tess's version, then save again
        await settle_all(pilot)
        assert screen.query_one("#pir-missing", TextArea).text == "the change calendar"
        assert screen.review.version == loaded + 1


async def test_bad_follow_up_is_refused_under_its_field(tmp_path):
    db, clock, keys = desk_in(tmp_path, review=True)
    app = make_app(db, "ines", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        screen = await _open_review(pilot, keys["vpn"])
        screen.query_one("#new-action", Input).focus()
        await pilot.press(*"Write a runbook")
        screen.query_one("#new-owner", Select).value = "ana"
        screen.query_one("#new-due", Input).focus()
        await pilot.press(*"next friday", "ctrl+s")
        await settle_all(pilot)
        assert "not a date" in str(screen.query_one("#e-due").render())
        assert screen.query_one("#new-action", Input).value == "Write a runbook"
        assert len(load_review(db, keys["vpn"]).follow_ups) == 1
        assert app.focused is screen.query_one("#new-due", Input)


async def test_vendor_in_the_detail_pane_and_the_filter(tmp_path):
    db, clock, keys = desk_in(tmp_path, vendor=True)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle_all(pilot)
        await _select(pilot, keys["mail"])
        text = plain_text(app.main_screen.query_one("DetailPanel"))
        assert "Contoso Mail [Cloud]" in text and "ticket CS-44871" in text     # markup-looking name, literal
        assert "https://status.contoso.example/incidents/44871" in text and "investigating" in text
        await pilot.press("slash")
        await settle_all(pilot)
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-vendor", TickBox).value = True
        await pilot.press("ctrl+s")
        await settle_all(pilot)
        rows = [r.key for r in app.main_screen.query_one(QueueTable).rows_by_id.values()]
        assert rows == [keys["mail"]]
        assert "waiting for vendor" in plain_text(app.main_screen.query_one("#queue-status"))


async def test_hold_dialog_offers_the_vendor(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        await _select(pilot, keys["wifi"])
        await pilot.press("h")
        await settle_all(pilot)
        app.screen.query_one("#f-preset", Select).value = "waiting for vendor"
        app.screen.query_one("#f-vendor", Input).focus()
        await pilot.press(*"Aruba", "tab", *"TAC-77", "ctrl+s")
        await settle_all(pilot)
        d = queries.incident_detail(db, keys["wifi"])
        assert (d.status, d.vendor, d.vendor_ticket) == ("on_hold", "Aruba", "TAC-77")
        assert d.timeline[0].text == "waiting for vendor — Aruba ticket TAC-77"


async def test_close_is_not_offered_on_a_major_until_its_review_is_complete(tmp_path):
    from incidentdesk.tui.actions import BY_NAME

    db, clock, keys = desk_in(tmp_path, review=True)
    app = make_app(db, "ines", clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle_all(pilot)
        app.main_screen.set_filter(include_closed=True)
        await settle_all(pilot)
        await _select(pilot, keys["vpn"])
        reason = app.main_screen.blocker(BY_NAME["close"])
        assert reason is not None and "needs at least one contributing cause" in reason
        await pilot.press("x")                      # pressed anyway: says why, opens no dialog
        await settle_all(pilot)
        assert app.screen is app.main_screen
        pir.edit_review(ctx_for(db, "ines", clock), keys["vpn"], causes=["no canary"])
        app.main_screen.action_refresh()
        await settle_all(pilot)
        assert app.main_screen.blocker(BY_NAME["close"]) is None
