"""Running a major incident in the console: the update composer, the major screen, the queue mark, the P1 prompt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import Input, Select, TextArea

from incidentdesk.domain.keys import parse_key
from incidentdesk.services import incidents as svc
from incidentdesk.services.stakeholder import post_update
from incidentdesk.store import queries
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.screens.major import MajorScreen
from incidentdesk.tui.widgets.major.panels import FactsPanel, LinkedPanel, UpdateClock, UpdatesLog
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import build, ctx_for, make_app, open_db
from tests.support.tui import burst, focus, notes, open_form, plain_text, select_key, settle, submit, type_into

pytestmark = pytest.mark.anyio

STATUS = ("Gateway eu1 rolled back to the config before CHG-1182; remote users reconnecting, "
          "about 60% back. Next: confirm eu2 failover & close the bridge.")


@pytest.fixture
def major_desk(tmp_path, tui_clock):
    """The small desk with the VPN outage declared major (commander ines, an incident manager)."""
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, major=True)
    yield db, keys
    db.dispose()


def _prio_cell(table: QueueTable, key: str) -> str:
    row = next(r for r in table.rows_by_id.values() if r.key == key)
    return table.get_cell(str(row.id), "prio").plain


async def test_composer_is_prefilled_and_saves_a_burst_with_ctrl_s(major_desk, tui_clock):
    db, keys = major_desk
    app = make_app(db, "ines", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, keys["vpn"], "u")
        assert form.spec.title == "Stakeholder update"
        assert form.query_one("#f-impacted", TextArea).text == "VPN"              # from the intake
        assert form.query_one("#f-who", TextArea).text == "all remote staff"
        assert form.query_one("#f-status", TextArea).text == ""
        await focus(pilot, "#f-status")
        burst(app, STATUS, "ctrl+s")
        await settle(pilot, rounds=5)
        assert not isinstance(app.screen, FormScreen), "the composer refused what was on screen"
        d = queries.incident_detail(db, keys["vpn"])
        assert d.last_update["current_status"] == STATUS and d.last_update["impacted"] == "VPN"
        assert (d.last_update_at, d.next_update_due) == (tui_clock.now, tui_clock.now + timedelta(minutes=30))
        assert any("stakeholder update posted" in n for n in notes(app))

        # the next one starts from this one
        tui_clock.advance(minutes=20)
        await pilot.press("u")
        form = app.screen
        assert form.query_one("#f-status", TextArea).text == STATUS
        form.query_one("#f-next_update", Input).value = "2026-11-23 09:30"   # before now: refused, text kept
        await submit(pilot)
        assert isinstance(app.screen, FormScreen) and app.screen.query_one("#e-next_update").display
        assert app.screen.query_one("#f-status", TextArea).text == STATUS
        app.screen.query_one("#f-next_update", Input).value = "2026-11-23 10:00"
        await submit(pilot)
        d = queries.incident_detail(db, keys["vpn"])
        assert d.next_update_due.isoformat() == "2026-11-23T10:00:00+00:00"
        assert [e.after["number"] for e in d.timeline if e.kind == "stakeholder_update"] == [2, 1]


async def test_only_the_people_running_it_are_offered_the_composer(major_desk, tui_clock):
    db, keys = major_desk
    app = make_app(db, "tess", tui_clock)   # a triage captain, not named on it
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["vpn"])
        await pilot.press("u")
        assert not isinstance(app.screen, FormScreen)
        assert any("may not post a stakeholder update" in n for n in notes(app))


async def test_major_screen_shows_roles_log_and_counts_down_amber_then_red(major_desk, tui_clock):
    db, keys = major_desk
    app = make_app(db, "ines", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["printer"])
        await pilot.press("v")   # not a major incident: says so, opens nothing
        assert not isinstance(app.screen, MajorScreen)
        assert any("is not a major incident" in n for n in notes(app))

        await select_key(pilot, keys["vpn"])
        await pilot.press("v")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MajorScreen)
        facts = plain_text(screen.query_one(FactsPanel))
        for words in ("Commander", "ines — Ines Carvalho", "Deputy", "Comms lead", "Resolver", "Network Operations",
                      "Impacted", "VPN (CI gp-gw-eu1)", "all remote staff", "SLA"):
            assert words in facts, words
        assert "Linked incidents  none" in plain_text(screen.query_one(LinkedPanel))
        assert "No stakeholder update posted yet" in plain_text(screen.query_one(UpdatesLog))
        clock = screen.query_one(UpdateClock)
        assert "Next update in\n20m00s" in plain_text(clock)

        tui_clock.advance(minutes=16)
        screen.tick()
        assert "Next update due soon\n!4m00s" in plain_text(clock) and clock.has_class("-due-soon")
        tui_clock.advance(minutes=10)
        screen.tick()
        assert "UPDATE OVERDUE\n+6m00s" in plain_text(clock) and clock.has_class("-overdue")
        assert "INC-000001  P1⚑  SEV1" in plain_text(screen.query_one("#major-heading"))

        # posted elsewhere (the CLI, another console): the change feed brings it here
        post_update(ctx_for(db, "ines", tui_clock), keys["vpn"], impacted="VPN", who="remote staff",
                    status="rolling back CHG-1182")
        app.main_screen.refresh_incidents({parse_key(keys["vpn"])})
        await settle(pilot)
        assert "Next update in\n30m00s" in plain_text(clock) and not clock.has_class("-overdue")
        log = plain_text(screen.query_one(UpdatesLog))
        assert "**Current status:** rolling back CHG-1182" in log and "by ines" in log

        await pilot.press("D")   # the roles dialog from this screen
        assert isinstance(app.screen, FormScreen) and app.screen.spec.title == "Deputy and communications lead"
        app.screen.query_one("#f-comms_lead", Select).value = "tess"
        await submit(pilot)
        await settle(pilot)
        assert isinstance(app.screen, MajorScreen)
        assert "tess — Tess Alvarez" in plain_text(screen.query_one(FactsPanel))
        await pilot.press("escape")
        assert not isinstance(app.screen, MajorScreen)


async def test_hand_command_from_the_console_refuses_the_resolver(major_desk, tui_clock):
    db, keys = major_desk
    svc.assign(ctx_for(db, "tess", tui_clock), keys["vpn"], user="chen")
    app = make_app(db, "ines", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        form = await open_form(pilot, keys["vpn"], "C")
        assert form.spec.title == "Hand over command"
        form.query_one("#f-commander", Select).value = "chen"
        await type_into(pilot, "#f-reason", "end of my shift")
        await submit(pilot)
        assert isinstance(app.screen, FormScreen), "refused: the dialog comes back"
        assert "never doubles as the resolver" in str(app.screen.query_one("#e-commander").render())
        app.screen.query_one("#f-commander", Select).value = "tess"
        await submit(pilot)
        d = queries.incident_detail(db, keys["vpn"])
        assert d.commander == "tess" and d.timeline[0].kind == "command_handed"
        assert d.timeline[0].text == "end of my shift"


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_queue_marks_majors_whose_update_is_overdue(major_desk, tui_clock, size):
    db, keys = major_desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        assert _prio_cell(table, keys["vpn"]) == "P1★"
        tui_clock.advance(minutes=20)   # the first update was due 30 min after the declaration
        app.main_screen.tick()
        assert _prio_cell(table, keys["vpn"]) == "P1⚑"
        post_update(ctx_for(db, "ines", tui_clock), keys["vpn"], impacted="VPN", who="all", status="ok")
        app.main_screen.refresh_incidents({parse_key(keys["vpn"])})
        await settle(pilot)
        assert _prio_cell(table, keys["vpn"]) == "P1★"


async def test_p1_prompts_the_triage_captain_once(major_desk, tui_clock):
    db, keys = major_desk
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        await type_into(pilot, "#f-title", "Payroll export fails for everyone")
        form.query_one("#f-impact", Select).value = "high"
        form.query_one("#f-urgency", Select).value = "high"
        await submit(pilot)
        await settle(pilot)
        prompts = [n for n in notes(app) if n.startswith("Declare a major incident?")]
        assert len(prompts) == 1 and "INC-000007" in prompts[0] and "press M" in prompts[0]
        app.main_screen.refresh_incidents({7})   # it changes again: no second notice
        await settle(pilot)
        assert len([n for n in notes(app) if n.startswith("Declare a major incident?")]) == 1

        # raised to P1 elsewhere (another console, an alert): prompted too
        svc.reprioritise(ctx_for(db, "ana", tui_clock), keys["mail"], impact="high", reason="all staff now")
        app.main_screen.refresh_incidents({parse_key(keys["mail"])})
        await settle(pilot)
        prompts = [n for n in notes(app) if n.startswith("Declare a major incident?")]
        assert len(prompts) == 2 and keys["mail"] in prompts[1]

        # a P1 raised long ago that changes now is not news (as a console started later sees them);
        # a major incident is never prompted
        tui_clock.advance(minutes=30)
        app.major_prompts.prompted.clear()
        svc.comment(ctx_for(db, "ana", tui_clock), keys["mail"], "user called")
        app.main_screen.refresh_incidents({7, parse_key(keys["mail"]), parse_key(keys["vpn"])})
        await settle(pilot)
        assert len([n for n in notes(app) if n.startswith("Declare a major incident?")]) == 2


async def test_responders_are_not_prompted(major_desk, tui_clock):
    db, keys = major_desk
    app = make_app(db, "ana", tui_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        svc.reprioritise(ctx_for(db, "tess", tui_clock), keys["mail"], impact="high", reason="all staff now")
        app.main_screen.refresh_incidents({parse_key(keys["mail"])})
        await settle(pilot)
        assert not [n for n in notes(app) if n.startswith("Declare a major incident?")]
