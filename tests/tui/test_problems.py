"""Problems in the console, through Textual's Pilot: marking rows and opening one problem from them,
the problems screen's conflicting edit (typed text kept), folding (z) with its counts, the recurring
notice and marker, and a known error's workaround in the incident pane."""

from __future__ import annotations

import pytest

from incidentdesk.services import incidents as svc
from incidentdesk.services import links, problems
from incidentdesk.store.problems import list_problems, load_problem
from incidentdesk.tui.screens.form import FormScreen
from incidentdesk.tui.screens.problems import ProblemsScreen
from tests.support.desk import ctx_for, desk_in, make_app
from tests.support.tui import eventually, notes, open_form, plain_text, queue_table, row, select_key, settle, submit, type_into

pytestmark = pytest.mark.anyio


def _status(app) -> str:
    return plain_text(app.main_screen.query_one("#queue-status"))


def _title_cell(app, key) -> str:
    table = queue_table(app)
    return table.get_cell(str(row(app, key).id), "title").plain


async def _open_problems(pilot) -> ProblemsScreen:
    await pilot.press("B")
    await eventually(pilot, lambda: isinstance(pilot.app.screen, ProblemsScreen), 5, "the problems screen")
    await settle(pilot, rounds=4)
    return pilot.app.screen


async def test_marked_rows_become_one_problem(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        for name in ("mail", "printer"):
            await select_key(pilot, keys[name])
            await pilot.press("space")
            await pilot.pause()
        assert _title_cell(app, keys["mail"]).startswith("● ") and _title_cell(app, keys["printer"]).startswith("● ")
        assert not _title_cell(app, keys["wifi"]).startswith("●")
        assert "2 marked" in _status(app)
        await select_key(pilot, keys["printer"])
        await pilot.press("space")            # unmark one, mark it again: marks toggle
        await pilot.pause()
        assert "1 marked" in _status(app)
        await pilot.press("space")
        screen = await _open_problems(pilot)
        assert "2 incident(s) marked" in plain_text(screen.query_one("#problems-heading"))
        await pilot.press("n")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the new-problem dialog")
        await type_into(pilot, "#f-title", "Mail and print both fail")
        await submit(pilot)
        await eventually(pilot, lambda: list_problems(db), 5, "the problem saved")
        [p] = list_problems(db)
        assert p.title == "Mail and print both fail"
        assert [i.key for i in load_problem(db, p.key).incidents] == sorted([keys["mail"], keys["printer"]])
        await eventually(pilot, lambda: screen.current is not None and screen.current.key == p.key, 5, "it is shown")
        assert "Mail and print both fail" in plain_text(screen.query_one("#problem-detail"))
        assert screen.marked == {}   # spent
        await pilot.press("escape")
        await settle(pilot)
        assert not _title_cell(app, keys["mail"]).startswith("●")


async def test_conflicting_edit_is_refused_and_the_typed_text_kept(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    key = problems.create_problem(ctx_for(db, "ana", clock), incidents=[keys["mail"]], title="Exchange drops")
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        screen = await _open_problems(pilot)
        assert screen.current.key == key and screen.current.version == 1
        await pilot.press("e")
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen), 5, "the edit dialog")
        await type_into(pilot, "#f-root_cause", "expired certificate on the CAS array")
        problems.edit_problem(ctx_for(db, "ana", clock), problem=key, workaround="use OWA")   # meanwhile
        await submit(pilot)
        await eventually(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.spec.notice, 5,
                         "the dialog reopened after the conflict")
        assert any("was changed by ana" in n for n in notes(app))
        form = app.screen
        assert form.values()["root_cause"] == "expired certificate on the CAS array"   # kept
        assert "re-read" in form.spec.notice
        assert load_problem(db, key).root_cause == ""                                   # nothing written
        await submit(pilot)                                                             # again, on version 2
        await eventually(pilot, lambda: load_problem(db, key).root_cause != "", 5, "the second save")
        p = load_problem(db, key)
        assert (p.root_cause, p.workaround, p.version) == ("expired certificate on the CAS array", "use OWA", 3)


async def test_children_fold_under_their_parent_and_z_unfolds_them(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    tess = ctx_for(db, "tess", clock)
    links.link_parent(tess, keys["wifi"], parent=keys["vpn"])
    links.duplicate(tess, keys["held"], of=keys["vpn"])
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        shown = {r.key for r in queue_table(app).rows_by_id.values()}
        assert keys["wifi"] not in shown and keys["held"] not in shown
        assert _title_cell(app, keys["vpn"]).startswith("▸2 ")
        await eventually(pilot, lambda: "2 folded under 1 parent" in _status(app), 5, "the fold count")
        assert " of 3" in _status(app)   # vpn, mail, printer: the folded ones are not counted in the view
        await select_key(pilot, keys["vpn"])
        await pilot.press("z")
        await eventually(pilot, lambda: keys["wifi"] in {r.key for r in queue_table(app).rows_by_id.values()}, 5,
                         "the children unfolded")
        assert _title_cell(app, keys["vpn"]).startswith("▾ ") and _title_cell(app, keys["wifi"]).startswith("↳ ")
        await eventually(pilot, lambda: "folded under" not in _status(app), 5, "the fold count gone")
        pane = plain_text(app.main_screen.query_one("DetailPanel"))
        assert f"▸ 2 folded here: {keys['wifi']}, {keys['held']}" in pane
        await select_key(pilot, keys["wifi"])
        await pilot.press("z")                # z on a child folds its parent again
        await eventually(pilot, lambda: keys["wifi"] not in {r.key for r in queue_table(app).rows_by_id.values()},
                         5, "folded again")


async def test_recurring_incident_is_marked_and_suggests_a_problem(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    ana = ctx_for(db, "ana", clock)
    for i in range(2):
        clock.advance(hours=5)
        keys[f"again{i}"] = svc.log_incident(ana, svc.Intake(title=f"VPN down again {i}", impact="high",
                                                             urgency="high", ci="gp-gw-eu1"))
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        assert _title_cell(app, keys["again1"]).startswith("↻ ")
        assert not _title_cell(app, keys["again0"]).startswith("↻") and not _title_cell(app, keys["vpn"]).startswith("↻")
        await select_key(pilot, keys["again1"])
        await eventually(pilot, lambda: any("is recurring" in n and "press b" in n for n in notes(app)), 5,
                         "the recurring notice")
        count = len([n for n in notes(app) if "is recurring" in n])
        await select_key(pilot, keys["vpn"])
        await select_key(pilot, keys["again1"])
        assert len([n for n in notes(app) if "is recurring" in n]) == count   # once per incident


async def test_known_error_workaround_shows_in_the_incident_pane(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    ana = ctx_for(db, "ana", clock)
    key = problems.create_problem(ana, incidents=[keys["vpn"]])
    problems.mark_known_error(ana, problem=key, workaround="connect through vpn-eu2 [bold]manually[/bold]")
    matching = svc.log_incident(ana, svc.Intake(title="Cannot reach VPN", impact="high", urgency="high",
                                                ci="gp-gw-eu1"))
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        for incident, why in ((keys["vpn"], "linked"), (matching, "same CI or category")):
            await select_key(pilot, incident)
            pane = plain_text(app.main_screen.query_one("DetailPanel"))
            assert f"KNOWN ERROR  {key} ({why})" in pane
            assert "Workaround: connect through vpn-eu2 [bold]manually[/bold]" in pane   # literally
        await select_key(pilot, keys["printer"])
        assert "KNOWN ERROR" not in plain_text(app.main_screen.query_one("DetailPanel"))


async def test_major_screen_lists_the_incidents_folded_under_it(tmp_path):
    db, clock, keys = desk_in(tmp_path, major=True)
    tess = ctx_for(db, "tess", clock)
    links.link_parent(tess, keys["wifi"], parent=keys["vpn"])
    links.duplicate(tess, keys["printer"], of=keys["vpn"])
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        await select_key(pilot, keys["vpn"])
        await pilot.press("v")
        await eventually(pilot, lambda: app.screen.id == "major-screen", 5, "the major screen")
        await settle(pilot, rounds=4)
        linked = plain_text(app.screen.query_one("#major-linked"))
        assert f"Linked incidents  {keys['printer']}, {keys['wifi']}" in linked   # by key, children and duplicates


async def test_b_opens_a_problem_from_the_selected_incident(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        await open_form(pilot, keys["mail"], "b")
        await submit(pilot)
        await eventually(pilot, lambda: list_problems(db), 5, "the problem saved")
        [p] = list_problems(db)
        assert p.title == "Outlook cannot connect to Exchange" and p.linked_count == 1
        await eventually(pilot, lambda: any(f"{p.key} opened from {keys['mail']}" in n for n in notes(app)), 5,
                         "the toast naming the problem")


async def test_linking_in_the_console_folds_the_incident_at_once(tmp_path):
    db, clock, keys = desk_in(tmp_path)
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, rounds=4)
        await open_form(pilot, keys["wifi"], "d")
        await type_into(pilot, "#f-of", keys["vpn"])
        await submit(pilot)
        shown = lambda: {r.key for r in queue_table(app).rows_by_id.values()}  # noqa: E731
        await eventually(pilot, lambda: keys["wifi"] not in shown(), 5, "the duplicate folded away")
        await eventually(pilot, lambda: _title_cell(app, keys["vpn"]).startswith("▸1 "), 5, "the parent's count")
