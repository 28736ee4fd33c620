"""Snapshots of the console (pytest-textual-snapshot). Update with `pytest tests/tui --snapshot-update`.

Each app's database is a fresh file under the test's tmp_path (the `snapshot_app` fixture); the header
shows a fixed name for it, so the pictures do not depend on where that is.
"""

from __future__ import annotations

from incidentdesk.services import incidents as svc
from tests.support.desk import ctx_for
from tests.support.tui import select_key, settle_all


async def _select(pilot, key: str) -> None:
    await select_key(pilot, key)
    await settle_all(pilot)


def _run(*steps):
    async def run_before(pilot) -> None:
        await settle_all(pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                await step(pilot)
            await settle_all(pilot)
    return run_before


def test_main_80x24(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app("main80"), terminal_size=(80, 24), run_before=_run())


def test_main_80x24_incident_tab(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app("main80i"), terminal_size=(80, 24), run_before=_run("j", "enter"))


def test_main_160x48(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app("main160"), terminal_size=(160, 48), run_before=_run("j"))


def test_main_200x60_side_by_side(snap_compare, snapshot_app):
    app = snapshot_app("main200", long_timeline=True, major=True)

    async def pick(pilot):
        await _select(pilot, app.snapshot_keys["vpn"])

    assert snap_compare(app, terminal_size=(200, 60), run_before=_run(pick))


def test_new_incident_form_with_validation_errors(snap_compare, snapshot_app):
    async def bad_start(pilot):
        pilot.app.screen.query_one("#f-started_at").value = "yesterday-ish"

    assert snap_compare(snapshot_app("newform"), terminal_size=(100, 40), run_before=_run("n", bad_start, "ctrl+s"))


def test_escalate_dialog(snap_compare, snapshot_app):
    app = snapshot_app("escalate")

    async def pick(pilot):
        await _select(pilot, app.snapshot_keys["wifi"])

    assert snap_compare(app, terminal_size=(120, 36), run_before=_run(pick, "e", "ctrl+s"))


def test_long_timeline(snap_compare, snapshot_app):
    app = snapshot_app("timeline", long_timeline=True)

    async def open_timeline(pilot):
        await _select(pilot, app.snapshot_keys["vpn"])
        pilot.app.main_screen.query_one("#incident-pane").active = "tab-timeline"

    assert snap_compare(app, terminal_size=(160, 48), run_before=_run(open_timeline))


def test_help_screen(snap_compare, snapshot_app):
    assert snap_compare(snapshot_app("help"), terminal_size=(120, 36), run_before=_run("question_mark"))


def test_conflict_notification(snap_compare, snapshot_app):
    app = snapshot_app("conflict")

    async def conflict(pilot):
        await _select(pilot, app.snapshot_keys["wifi"])
        await pilot.press("r")
        pilot.app.screen.query_one("#f-notes").insert("rebooted the controller")
        svc.assign(ctx_for(pilot.app.runtime.db, "ines", app.snapshot_clock), app.snapshot_keys["wifi"], user="chen")
        await pilot.press("ctrl+s")

    assert snap_compare(app, terminal_size=(120, 36), run_before=_run(conflict))


def test_pir_screen(snap_compare, snapshot_app):
    app = snapshot_app("pir", login="ines", review=True)

    async def open_review(pilot):
        pilot.app.main_screen.set_filter(include_closed=True)
        await settle_all(pilot)
        await _select(pilot, app.snapshot_keys["vpn"])
        await pilot.press("P")

    assert snap_compare(app, terminal_size=(120, 36), run_before=_run(open_review))


def test_vendor_in_detail_pane(snap_compare, snapshot_app):
    app = snapshot_app("vendor", vendor=True)

    async def pick(pilot):
        await _select(pilot, app.snapshot_keys["mail"])

    assert snap_compare(app, terminal_size=(160, 48), run_before=_run(pick))
