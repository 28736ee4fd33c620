"""The incident pane as a person reads it, and the queue after logging one.

After `n` the cursor lands on the new incident (on its page, wherever that is); the focused
pane scrolls with j/k/PgDn; the timeline says "Priority: P3 → P1" and "5m ago" (exact UTC
times a key away); an escalation that drops the assignee says so; the hold dialog offers
the configured reasons and says which pause the SLA clock.
"""

from __future__ import annotations

import pytest
from textual.widgets import Select

from incidentdesk.config import parse_config
from incidentdesk.services import incidents as svc
from incidentdesk.store import queries
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.widgets.detail.panels import EscalationsPanel, TimelinePanel
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import build, ctx_for, make_app, open_db
from tests.support.store import queue_keys
from tests.support.tui import notes, open_form, plain_text, select_key, settle, submit, type_into


pytestmark = pytest.mark.anyio


def selected_key(app) -> str:
    return app.main_screen.query_one(QueueTable).selected().key


def status_line(app) -> str:
    return str(app.main_screen.query_one("#queue-status").render())


async def log_new(pilot, title: str, impact: str = "medium", urgency: str = "medium") -> None:
    await pilot.press("n")
    form = pilot.app.screen
    assert isinstance(form, FormScreen)
    await type_into(pilot, "#f-title", title)
    form.query_one("#f-impact", Select).value = impact
    form.query_one("#f-urgency", Select).value = urgency
    await submit(pilot)
    await settle(pilot)


async def test_after_n_the_cursor_is_on_the_new_incident(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["printer"])  # last row: the new P2 sorts above it
        await log_new(pilot, "Payroll export fails", "high", "medium")
        [row] = queries.queue_page(db, queries.QueueFilter(text="Payroll")).rows
        assert selected_key(app) == row.key
        assert app.main_screen.detail.key == row.key  # and its detail is the one shown


async def test_after_n_the_queue_moves_to_the_page_that_holds_it(tmp_path, tui_clock):
    db = open_db(tmp_path / "big.db")
    build(db, tui_clock, extra=230)  # 235 open incidents, three pages
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        assert "1–100 of 235" in status_line(app)
        await log_new(pilot, "Toner low on floor 5", "low", "low")  # P4, due last: the last page
        everything = queue_keys(db)
        [new] = queries.queue_page(db, queries.QueueFilter(text="Toner")).rows
        place = everything.index(new.key)
        assert place >= 200
        assert selected_key(app) == new.key
        assert f"{place + 1}–" in status_line(app) and "of 236" in status_line(app), status_line(app)
        await pilot.press("k")  # the page before it is one key away
        await settle(pilot)
        assert selected_key(app) == everything[place - 1]
    db.dispose()


async def test_a_new_incident_outside_the_view_is_announced_and_the_cursor_stays(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "ana", tui_clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")  # mine: ana's own incidents
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        await log_new(pilot, "Projector in room 4 flickers")  # unassigned: not "mine"
        assert selected_key(app) == keys["wifi"]
        assert any("not in this view" in n and "scope mine" in n for n in notes(app)), notes(app)


async def test_the_focused_pane_scrolls_with_j_k_and_page_down(tmp_path, tui_clock):
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, long_timeline=True)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["vpn"])
        await pilot.press("enter")  # the incident tab, its detail focused
        await settle(pilot)
        detail = app.main_screen.query_one("#detail-scroll")
        assert app.focused is detail
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert detail.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert detail.scroll_y == 2
        await pilot.press("ctrl+right")  # the timeline tab keeps the keys
        await settle(pilot)
        timeline = app.main_screen.query_one("#timeline-scroll")
        assert app.focused is timeline
        await pilot.press("pagedown")
        await pilot.pause()
        assert timeline.scroll_y > 5
        await pilot.press("escape")  # back to the queue, whose j/k move the cursor again
        await settle(pilot)
        assert isinstance(app.focused, QueueTable)
    db.dispose()


async def test_the_timeline_reads_as_words_with_relative_times(desk, tui_clock):
    db, keys = desk
    svc.reprioritise(ctx_for(db, "tess", tui_clock), keys["wifi"], impact="high", urgency="high",
                     reason="whole floor")
    tui_clock.advance(minutes=5)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["wifi"])
        app.main_screen.query_one("#incident-pane").active = "tab-timeline"
        await pilot.pause()
        panel = app.main_screen.query_one(TimelinePanel)
        text = plain_text(panel)
        assert "Priority: P3 → P1" in text and "Impact: medium → high" in text
        assert "priority:" not in text and "in_progress" not in text and "reprioritised" in text
        assert "5m ago" in text and "2026-11-23" not in text
        tui_clock.advance(minutes=1)
        app.main_screen.tick()  # a minute later the same line reads 6m
        assert "6m ago" in plain_text(panel)
        await pilot.press("T")  # exact times, a key away
        await pilot.pause()
        text = plain_text(panel)
        assert "2026-11-23 09:18:00 UTC" in text and "When (UTC)" in text and "ago" not in text


async def test_a_functional_escalation_says_who_lost_the_incident_and_spaces_the_route(tmp_path, tui_clock):
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, long_timeline=True)  # chen acknowledged the VPN one, then escalated it twice
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["vpn"])
        app.main_screen.query_one("#incident-pane").active = "tab-timeline"
        await pilot.pause()
        timeline = plain_text(app.main_screen.query_one(TimelinePanel))
        assert "Assignee: chen → —" in timeline and "Group: Network Operations → Platform SRE" in timeline
        app.main_screen.query_one("#incident-pane").active = "tab-escalations"
        await pilot.pause()
        escalations = plain_text(app.main_screen.query_one(EscalationsPanel))
        assert "(T2)  to marco" in escalations, escalations
    db.dispose()


async def test_escalating_without_a_group_names_the_field_not_a_flag(desk, tui_clock):
    db, keys = desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settle(pilot)
        await open_form(pilot, keys["wifi"], "e")
        await type_into(pilot, "#f-summary", "restarted the controller")
        await submit(pilot)
        error = str(app.screen.query_one("#e-to_group").render())
        assert "needs the group to hand over to" in error
        assert not any("--" in n for n in notes(app)), notes(app)


async def test_the_hold_dialog_offers_the_pausing_reasons_and_says_what_each_does(desk, tui_clock):
    db, keys = desk
    config = parse_config({"sla": {"pausing_reasons": ["waiting for user", "waiting for vendor"]}})
    app = make_app(db, "tess", tui_clock, config=config)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, keys["mail"], "h")
        preset = form.query_one("#f-preset", Select)
        offered = {str(label): value for label, value in form.spec.fields[0].options}
        assert offered == {"waiting for user — pauses the SLA clock": "waiting for user",
                           "waiting for vendor — pauses the SLA clock": "waiting for vendor"}
        await type_into(pilot, "#f-reason", "user away until 14:00")  # free text alone: the clock runs
        assert "keeps running" in str(form.query_one("#preview").render())
        preset.value = "waiting for vendor"
        await pilot.pause()
        assert "paused while on hold" in str(form.query_one("#preview").render())
        await submit(pilot)
        d = queries.incident_detail(db, keys["mail"])
        assert d.status == "on_hold" and d.hold_reason == "waiting for vendor: user away until 14:00"
        assert d.sla_paused_at == tui_clock.now  # the clock stopped when the hold began
