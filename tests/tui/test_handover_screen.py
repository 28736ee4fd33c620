"""The shift handover in the console: H opens the draft, ctrl+s publishes the note, ctrl+g acknowledges,
previous handovers read back, and an unacknowledged handover is flagged under the main screen's header."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList, Static, TextArea

from incidentdesk.services import handover as svc
from incidentdesk.store.handover import get, latest, list_handovers
from incidentdesk.tui.screens.handover import HandoverScreen, HandoverView
from incidentdesk.tui.widgets.chrome.handover_flag import HandoverFlag
from tests.support.desk import build, ctx_for, make_app, open_db
from tests.support.tui import burst, eventually, notes, plain_text, settle

pytestmark = pytest.mark.anyio

NOTE = ("VPN: CHG-1182 rollback at 09:40 | watch eu2 *failover*; [bold]not markup[/bold] - "
        "ping chen if the gateway flaps again.")


@pytest.fixture
def handover_desk(tmp_path, tui_clock):
    """The small desk with a major (the VPN outage) and a vendor hold (the mail incident)."""
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, major=True, vendor=True)
    yield db, keys
    db.dispose()


async def _open(pilot) -> HandoverScreen:
    await settle(pilot)
    await pilot.press("H")
    await eventually(pilot, lambda: isinstance(pilot.app.screen, HandoverScreen)
                     and pilot.app.screen.content is not None, 5, "the handover screen with its draft")
    await settle(pilot)
    return pilot.app.screen


async def test_h_shows_the_draft_sections(handover_desk, tui_clock):
    db, keys = handover_desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        text = plain_text(screen.query_one("#handover-draft", Static), width=118)
        majors = text.split("Open major incidents (1)")[1].split("SLA breached")[0]
        assert keys["vpn"] in majors and "commander ines" in majors
        vendors = text.split("Waiting on vendors (1)")[1]
        assert keys["mail"] in vendors and "Vendor: Contoso Mail [Cloud] ticket" in vendors
        assert "No handover published yet" in plain_text(screen.query_one("#handover-state", Static))


async def test_note_typed_and_ctrl_s_in_one_burst_is_published_whole(handover_desk, tui_clock):
    db, _ = handover_desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        assert screen.focused is screen.query_one("#handover-note", TextArea)
        burst(app, NOTE, "ctrl+s")
        await eventually(pilot, lambda: latest(db) is not None, 10, "the handover published")
        await settle(pilot)
        h = latest(db)
        assert h.note == NOTE and h.published_by == "tess"
        assert "tess: handover" not in " ".join(notes(app))
        assert any(f"handover {h.id} published" in n for n in notes(app))
        await eventually(pilot, lambda: screen.query_one("#handover-note", TextArea).text == "", 5, "the note cleared")
        await eventually(pilot, lambda: len(screen.previous) == 1, 5, "the new handover listed")
        assert "awaiting acknowledgement" in plain_text(screen.query_one("#handover-state", Static))


async def test_publisher_cannot_acknowledge_the_incoming_captain_can(handover_desk, tui_clock):
    db, _ = handover_desk
    number = int(svc.publish(ctx_for(db, "tess", tui_clock), note="over to you"))
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        await pilot.press("ctrl+g")
        await eventually(pilot, lambda: screen.query_one("#error-general", Static).display, 5, "the refusal shown")
        assert "tess published handover" in plain_text(screen.query_one("#error-general", Static))
        assert get(db, number).acknowledged_by is None
    app = make_app(db, "ines", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        await pilot.press("ctrl+g")
        await eventually(pilot, lambda: get(db, number).acknowledged_by == "ines", 5, "ines acknowledged")
        await eventually(pilot, lambda: "acknowledged by ines" in plain_text(screen.query_one("#handover-state",
                                                                                               Static)), 5, "state")


async def test_previous_handover_reads_back_what_was_handed_over(handover_desk, tui_clock):
    db, keys = handover_desk
    tess = ctx_for(db, "tess", tui_clock)
    svc.publish(tess, note="first shift")
    from incidentdesk.services import incidents

    incidents.take(ctx_for(db, "ana", tui_clock), keys["vpn"])   # the queue moves on after it was handed over
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open(pilot)
        options = screen.query_one("#handover-previous", OptionList)
        options.focus()
        await pilot.press("enter")
        await eventually(pilot, lambda: isinstance(app.screen, HandoverView), 5, "the handover read back")
        text = plain_text(app.screen.query_one("#handover-text", Static), width=160)
        assert "first shift" in text
        unassigned = text.split("## Unassigned")[1].split("##")[0]
        assert keys["vpn"] in unassigned      # as it was then, not as the queue is now
        await pilot.press("escape")
        await eventually(pilot, lambda: isinstance(app.screen, HandoverScreen), 5, "back to the handover screen")


async def test_unacknowledged_handover_is_flagged_under_the_header(handover_desk, tui_clock):
    db, _ = handover_desk
    svc.publish(ctx_for(db, "ines", tui_clock), note="nobody took it")
    tui_clock.advance(minutes=29)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        flag = await _flag(pilot)
        assert flag.state is not None and not flag.display   # 29 minutes: not yet (default 30)
        tui_clock.advance(minutes=2)
        flag.check()
        await eventually(pilot, lambda: flag.display, 5, "the flag shown")
        assert "Handover 1 from ines not acknowledged after 31m" in plain_text(flag)
        assert any("not acknowledged after 31m" in n for n in notes(app))
        screen = await _open(pilot)
        assert screen.flagged
        assert "NOT ACKNOWLEDGED after 31m" in plain_text(screen.query_one("#handover-state", Static))
        await pilot.press("ctrl+g")
        await eventually(pilot, lambda: list_handovers(db)[0].acknowledged_by == "tess", 5, "acknowledged")
        await settle(pilot)
        await pilot.press("escape")
        await eventually(pilot, lambda: not flag.display, 5, "the flag gone after the acknowledgement")


async def _flag(pilot) -> HandoverFlag:
    app = pilot.app
    await eventually(pilot, lambda: bool(app.main_screen.query(HandoverFlag)), 5, "the flag mounted")
    flag = app.main_screen.query_one(HandoverFlag)
    await eventually(pilot, lambda: flag.state is not None, 5, "the flag's first read")
    return flag


async def test_escape_with_a_typed_note_asks_first(handover_desk, tui_clock):
    from incidentdesk.tui.screens.dialog import ConfirmDiscard

    db, _ = handover_desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(pilot)
        burst(app, "half a thought")
        await eventually(pilot, lambda: screen.note() == "half a thought", 5, "the note typed")
        await pilot.press("escape")
        await eventually(pilot, lambda: isinstance(app.screen, ConfirmDiscard), 5, "the discard question")
        await pilot.press("escape")                                  # keep editing
        await eventually(pilot, lambda: app.screen is screen, 5, "back in the handover screen")
        assert screen.note() == "half a thought" and latest(db) is None


async def test_a_live_console_learns_of_a_handover_from_the_change_feed(tmp_path, tui_clock):
    """Published and acknowledged in another process: the flag re-reads at once, not at its next poll."""
    from incidentdesk.tui.widgets.chrome.handover_flag import POLL_SECONDS

    path = tmp_path / "shared.db"
    db_a = open_db(path)
    build(db_a, tui_clock)
    db_b = open_db(path)
    watcher = make_app(db_b, "tess", tui_clock, live=True)
    try:
        async with watcher.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            flag = await _flag_state_read(pilot)
            assert flag.state is None
            number = int(svc.publish(ctx_for(db_a, "ines", tui_clock), note="from the other console"))
            took = await eventually(pilot, lambda: flag.state is not None and flag.state[0] == number, 5,
                                    "the flag knows the new handover")
            assert took < POLL_SECONDS / 4
            tui_clock.advance(minutes=40)
            flag.show()
            assert flag.display
            svc.acknowledge(ctx_for(db_a, "tess", tui_clock))
            await eventually(pilot, lambda: flag.state[3] is not None and not flag.display, 5,
                             "the flag gone once acknowledged elsewhere")
    finally:
        db_a.dispose()
        db_b.dispose()


async def _flag_state_read(pilot) -> HandoverFlag:
    app = pilot.app
    await eventually(pilot, lambda: bool(app.main_screen.query(HandoverFlag)), 5, "the flag mounted")
    flag = app.main_screen.query_one(HandoverFlag)
    await eventually(pilot, lambda: not any(w.group == "handover-flag" and w.is_running for w in app.workers), 5,
                     "the flag's first read")
    return flag
