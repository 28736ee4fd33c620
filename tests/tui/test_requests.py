"""Service requests in the console, through Pilot: raising one (type picker, its own fields), the Request
tab, ticking a step and approving with keys, and the queue filtered by type."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Select

from incidentdesk.store import queries
from incidentdesk.store.requests import request_view
from incidentdesk.tui.screens.filter import FilterScreen
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.screens.request_flow import TypePicker
from incidentdesk.tui.widgets.detail.request_panel import RequestPanel
from tests.support.desk import desk_in, make_app
from tests.support.requests import add_requests
from tests.support.tui import eventually, notes, plain_text, queue_table, select_key, settle

pytestmark = pytest.mark.anyio


def _desk(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    keys.update(add_requests(db, clock))
    return db, clock, keys


def _panel_text(app) -> str:
    """The Request tab's text; "" until its panel is built (the first time the tab is shown)."""
    panels = app.main_screen.query(RequestPanel)
    return plain_text(panels.first()) if panels else ""


async def _show_request_tab(pilot, key: str) -> None:
    await select_key(pilot, key)
    pilot.app.main_screen.query_one("#incident-pane").active = "tab-request"
    await eventually(pilot, lambda: key in _panel_text(pilot.app) and "Checklist" in _panel_text(pilot.app), 5,
                     "the Request tab showing the request")


async def test_raise_a_request_from_the_console_with_its_types_fields(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ana", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("Q")
        await eventually(pilot, lambda: isinstance(app.screen, TypePicker)
                         and app.screen.query_one(OptionList).option_count == 2, 5, "the type picker")
        await pilot.press("enter")      # the first type: access
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the access request's dialog")
        form = app.screen
        assert [f.name for f in form.spec.fields] == ["v_system", "v_user", "v_reason", "title", "description"]
        assert form.spec.subject == "routed to Service Desk · needs approval before it is worked"
        form.query_one("#f-v_system", Select).value = "CRM"
        form.query_one("#f-v_user", Input).focus()
        await pilot.press(*"m.ruiz", "ctrl+s")
        await eventually(pilot, lambda: any("raised REQ-" in n for n in notes(app)), 5, "the raised notification")
        key = next(n for n in notes(app) if "raised REQ-" in n).split("raised ", 1)[1]
        view = request_view(db, key)
        assert view.values == (("system", "System", "CRM"), ("user", "User", "m.ruiz"))
        assert view.approval == "pending" and queries.incident_detail(db, key).group == "Service Desk"


async def test_request_tab_shows_checklist_and_approval_and_keys_work_it(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ines", clock)     # the manager of Service Desk, where access requests route
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _show_request_tab(pilot, keys["access"])
        text = _panel_text(app)
        assert "Approval" in text and "pending" in text and "the manager of Service Desk" in text
        assert "month-end close [bold]now[/]" in text          # typed text shown literally
        assert "Checklist 0/3 done" in text and "[ ] 1. Check entitlement" in text
        await pilot.press("l")                                # not approved yet: refused, said at once
        await eventually(pilot, lambda: any("waits for approval" in n for n in notes(app)), 5, "the refusal")
        await pilot.press("A")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the approval dialog")
        await pilot.press("ctrl+s")                           # decision: approve (offered first)
        await eventually(pilot, lambda: request_view(db, keys["access"]).approval == "approved", 5, "approval")
        await eventually(pilot, lambda: "approved" in _panel_text(app) and "by ines" in _panel_text(app), 5,
                         "the tab showing the approval")
        await pilot.press("l")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the step dialog")
        assert app.screen.query_one("#f-number", Select).value == "1"   # the first open step
        await pilot.press("ctrl+s")
        await eventually(pilot, lambda: "[X] 1. Check entitlement" in _panel_text(app), 5, "step 1 ticked")
        assert request_view(db, keys["access"]).steps[0].done_by == "ines"
        timeline = queries.incident_detail(db, keys["access"]).timeline
        assert [e.kind for e in timeline][:2] == ["request_step", "approval"]
        await pilot.press("F")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the fulfil dialog")
        await pilot.press("ctrl+s")
        await eventually(pilot, lambda: any("2 of 3 fulfilment steps not done" in n for n in notes(app)), 5,
                         "the checklist refusal")
        assert queries.incident_detail(db, keys["access"]).status == "new"


async def test_request_tab_on_an_incident_says_so_and_the_keys_refuse(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ines", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["mail"])
        app.main_screen.query_one("#incident-pane").active = "tab-request"
        await eventually(pilot, lambda: "is an incident, not a service request" in _panel_text(app), 5, "the tab")
        await pilot.press("A")
        await eventually(pilot, lambda: any("is an incident, not a service request" in n for n in notes(app)), 5,
                         "the refusal")
        assert not isinstance(app.screen, FormScreen)


async def test_queue_filters_by_type(tmp_path):
    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        assert isinstance(app.screen, FilterScreen)
        app.screen.query_one("#filter-type", Select).value = "request"
        await pilot.press("ctrl+s")
        await eventually(pilot, lambda: {r.key for r in queue_table(app).rows_by_id.values()}
                         == {keys["access"], keys["reset"]}, 5, "only the requests")
        assert "service requests" in plain_text(app.main_screen.query_one("#queue-status"))
        app.main_screen.set_filter(type="incident")
        await eventually(pilot, lambda: all(r.key.startswith("INC-") for r in queue_table(app).rows_by_id.values())
                         and len(queue_table(app).rows_by_id) > 0, 5, "only the incidents")


async def test_reject_from_the_approval_dialog_needs_a_reason(tmp_path):
    from textual.widgets import TextArea

    db, clock, keys = _desk(tmp_path)
    app = make_app(db, "ines", clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _show_request_tab(pilot, keys["access"])
        await pilot.press("A")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the approval dialog")
        app.screen.query_one("#f-decision", Select).value = "reject"
        await pilot.press("ctrl+s")                 # no reason: refused, the dialog comes back
        await eventually(pilot, lambda: any("a reason for rejecting is required" in n for n in notes(app)), 5,
                         "the refusal")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the dialog back")
        assert app.screen.query_one("#f-decision", Select).value == "reject"   # what was chosen is kept
        app.screen.query_one("#f-note", TextArea).insert("not for contractors")
        await pilot.press("ctrl+s")
        await eventually(pilot, lambda: request_view(db, keys["access"]).approval == "rejected", 5, "the rejection")
        assert request_view(db, keys["access"]).decision_note == "not for contractors"
        await eventually(pilot, lambda: "rejected" in _panel_text(app) and "not for contractors" in _panel_text(app),
                         5, "the tab showing the rejection")
