"""The on-call screen (O) and the header's on-call line, through Pilot on a real SQLite desk.

Rotations from tests/support/desk.add_rotations: Service Desk weekly Monday 09:00 Europe/London
(tess, ana, ines; ines covers Tuesday 09:00-17:00; ana and ines swapped the next weeks), and
Network Operations daily 08:00 UTC (chen). The clock is the desk's fixed clock (Monday 09:18 UTC).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.widgets import DataTable, Select

from incidentdesk.store import oncall as reads
from tests.support.desk import add_rotations, build, make_app, open_db
from tests.support.clock import Clock
from tests.support.tui import eventually, notes, plain_text, settle, submit, type_into

pytestmark = pytest.mark.anyio


def _app(tmp_path, login="tess", rotations=True):
    clock = Clock()
    db = open_db(tmp_path / "desk.db")
    build(db, clock, oncall=rotations)
    return make_app(db, login, clock), db, clock


def _header(app):
    return app.main_screen.query_one("DeskHeader")


async def _header_read(pilot, reads_before: int = 0) -> None:
    await eventually(pilot, lambda: _header(pilot.app).oncall_reads > reads_before, 10, "the header's on-call read")
    await settle(pilot)


async def _open_screen(pilot):
    await settle(pilot, rounds=4)
    await pilot.press("O")
    await eventually(pilot, lambda: getattr(pilot.app.screen, "loads", 0) > 0, 10, "the on-call screen's read")
    return pilot.app.screen


async def test_header_shows_who_is_on_call_in_my_groups_and_follows_the_handoff(tmp_path):
    app, db, clock = _app(tmp_path)
    async with app.run_test(size=(160, 30)) as pilot:
        await _header_read(pilot)
        header = _header(app)
        assert header.oncall == [("Service Desk", "tess")]  # tess is not in Network Operations
        assert "on call Service Desk tess" in plain_text(header)
        assert [t.style for t in header.oncall_text().spans if "reverse" in str(t.style)]  # me, marked
        clock.now = clock.now.replace(hour=10) + timedelta(days=1)  # Tuesday 10:00: the override
        header.read_oncall()
        await _header_read(pilot, 1)
        assert header.oncall == [("Service Desk", "ines")]
        assert "Service Desk ines" in plain_text(header)
        assert not [t for t in header.oncall_text().spans if "reverse" in str(t.style)]
    db.dispose()


async def test_header_has_no_oncall_column_without_a_rotation(tmp_path):
    app, db, _ = _app(tmp_path, rotations=False)
    async with app.run_test(size=(120, 30)) as pilot:
        await _header_read(pilot)
        assert _header(app).oncall == [] and "on call" not in plain_text(_header(app))
    db.dispose()


async def test_screen_lists_rotations_now_next_and_shifts(tmp_path):
    app, db, _ = _app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_screen(pilot)
        table = screen.query_one(DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["Network Operations", "Service Desk"]
        assert [str(c) for c in table.get_row_at(1)[:4]] == ["Service Desk", "tess", "Tue 24 Nov 09:00", "ines"]
        table.move_cursor(row=1)
        await settle(pilot)
        shifts = plain_text(screen.query_one("#oncall-shifts"))
        assert "#1 override for tess" in shifts and "#2 swap for ana" in shifts and "#3 swap for ines" in shifts
        assert "Tess at the supplier review" in shifts
        await pilot.press("escape")
        assert app.screen is app.main_screen
    db.dispose()


async def test_override_dialog_adds_one_and_a_refusal_keeps_what_was_typed(tmp_path):
    app, db, clock = _app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_screen(pilot)
        screen.query_one(DataTable).move_cursor(row=1)
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#f-group", Select).value == "Service Desk"
        form.query_one("#f-person", Select).value = "ana"
        await type_into(pilot, "#f-start", "2026-11-25 12:00")
        await type_into(pilot, "#f-end", "2026-11-25 11:00")  # before the start: refused
        await type_into(pilot, "#f-reason", "tess out")
        await submit(pilot)
        await eventually(pilot, lambda: app.screen is not screen and app.screen.query("#e-end"), 5, "the dialog back")
        assert any("after its start" in n for n in notes(app))
        again = app.screen
        assert again.query_one("#f-reason").value == "tess out" and again.query_one("#e-end").display
        again.query_one("#f-end").value = "2026-11-25 18:00"
        await submit(pilot)
        await eventually(pilot, lambda: app.screen is screen and screen.loads >= 2, 10, "the screen re-read")
        [added] = [o for o in reads.overrides(db, "Service Desk") if o.reason == "tess out"]
        assert (added.person, added.start.hour, added.end.hour, added.created_by) == ("ana", 12, 18, "tess")
        assert any(f"override #{added.id}: ana covers Service Desk" in n for n in notes(app))
        assert f"#{added.id} override for tess" in plain_text(screen.query_one("#oncall-shifts"))
        # and removed again with x
        await pilot.press("x")
        await settle(pilot)
        await type_into(pilot, "#f-number", str(added.id))
        await submit(pilot)
        await eventually(pilot, lambda: app.screen is screen and screen.loads >= 3, 10, "the screen re-read")
        assert all(o.id != added.id for o in reads.overrides(db, "Service Desk"))
    db.dispose()


async def test_a_responder_may_swap_only_their_own_shift(tmp_path):
    app, db, clock = _app(tmp_path, login="ana")
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_screen(pilot)
        screen.query_one(DataTable).move_cursor(row=1)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#f-with_person", Select).value = "tess"
        app.screen.query_one("#f-person", Select).value = "ines"  # someone else's shift: refused
        await type_into(pilot, "#f-shift", "2026-12-16 12:00")
        await submit(pilot)
        await eventually(pilot, lambda: any("other people's shifts" in n for n in notes(app)), 5, "the refusal")
        assert app.screen is screen  # a permission refusal is told, not a dialog to fix
        rota = reads.rotation(db, "Service Desk")
        assert [o.person for o in rota.overrides] == ["ines", "ines", "ana"]
    db.dispose()


def test_add_rotations_is_the_desk_this_file_describes(tmp_path):
    clock = Clock()
    db = open_db(tmp_path / "d.db")
    build(db, clock)
    add_rotations(db, clock)
    rota = reads.rotation(db, "Service Desk")
    assert rota.members == ("tess", "ana", "ines") and rota.on_call(clock.now) == "tess"
    assert rota.on_call(clock.now + timedelta(days=1)) == "ines"
    db.dispose()


async def test_names_with_markup_are_shown_literally(tmp_path):
    from incidentdesk.services import directory, oncall
    from tests.support.desk import ctx_for

    app, db, clock = _app(tmp_path)
    admin, tess = ctx_for(db, "root-setup", clock), ctx_for(db, "tess", clock)
    name = "Ops [@click=app.quit] [bold]Team[/]"
    directory.add_group(admin, name)
    directory.add_user(admin, "tess", role="triage_captain", groups=["Service Desk", name])
    oncall.set_rotation(tess, name, members=("tess",))
    oncall.add_override(tess, name, person="tess", start=clock.now, end=clock.now + timedelta(hours=1),
                        reason="[red]cover[/] [@click=app.quit]")
    async with app.run_test(size=(160, 36)) as pilot:
        await _header_read(pilot)
        assert f"{name} tess" in plain_text(_header(app))
        screen = await _open_screen(pilot)
        table = screen.query_one(DataTable)
        groups = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert groups == ["Network Operations", name, "Service Desk"]
        table.move_cursor(row=1)
        await settle(pilot)
        shifts = plain_text(screen.query_one("#oncall-shifts"))
        assert "[red]cover[/] [@click=app.quit]" in shifts
        assert app.is_running
    db.dispose()


async def test_rotations_are_set_up_and_reordered_in_the_console(tmp_path):
    """r sets a rotation up (none selected: a new one), m edits the members, one per line, in order."""
    from textual.widgets import TextArea

    app, db, clock = _app(tmp_path, rotations=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await _open_screen(pilot)
        await pilot.press("m")  # nothing to change yet: said, no dialog
        await settle(pilot)
        assert app.screen is screen and any("No rotation to change" in n for n in notes(app))
        await pilot.press("r")
        await settle(pilot)
        form = app.screen
        form.query_one("#f-group", Select).value = "Service Desk"
        form.query_one("#f-cadence", Select).value = "weekly"
        await type_into(pilot, "#f-handoff_time", "09:00")
        await type_into(pilot, "#f-time_zone", "Europe/Berlin")
        form.query_one("#f-members", TextArea).focus()
        await pilot.press(*"tess", "enter", *"ana", "ctrl+s")  # typed and saved in one burst
        await eventually(pilot, lambda: app.screen is screen and screen.loads >= 2, 10, "the screen re-read")
        made = reads.rotation(db, "Service Desk")
        assert (made.members, made.zone) == (("tess", "ana"), "Europe/Berlin")
        await pilot.press("m")
        await settle(pilot)
        members = app.screen.query_one("#f-members", TextArea)
        assert members.text == "tess\nana"  # prefilled from the rotation, in order
        members.text = "ana\ntess\nines"
        await submit(pilot)
        await eventually(pilot, lambda: app.screen is screen and screen.loads >= 3, 10, "the screen re-read")
        assert reads.rotation(db, "Service Desk").members == ("ana", "tess", "ines")
    db.dispose()
