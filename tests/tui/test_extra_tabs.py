"""The incident pane's extra tabs (tui/widgets/detail/tabs.py) cost the first screen nothing: a tab's
panel module is imported, and its panel built, only when the tab is first shown; it then shows the
incident on screen and follows the cursor like the built-in tabs."""

from __future__ import annotations

import sys

import pytest

from incidentdesk.config import Config
from incidentdesk.runtime import open_runtime
from incidentdesk.tui.widgets.detail import tabs
from tests.support.clock import Clock
from tests.support.desk import build, open_db
from tests.support.tui import eventually, settle

pytestmark = pytest.mark.anyio
PROBE_MODULE = "tests.support.extra_tab_panel"


async def test_an_extra_tab_is_imported_and_built_only_when_first_shown(tmp_path, monkeypatch):
    from incidentdesk.tui.app import IncidentDeskApp

    loads = []

    def load_probe_panel():
        loads.append(sys.modules.get("incidentdesk.tui.screens.main") is not None)
        from tests.support.extra_tab_panel import ProbePanel

        return ProbePanel

    monkeypatch.delitem(sys.modules, PROBE_MODULE, raising=False)
    monkeypatch.setattr(tabs, "EXTRA_TABS", (tabs.ExtraTab("Probe", "probe", load_probe_panel),))
    clock = Clock()
    path = tmp_path / "desk.db"
    db = open_db(path)
    build(db, clock, extra=5)
    runtime = open_runtime(f"sqlite:///{path}", "ines", config=Config(allow_acting_as=True))
    app = IncidentDeskApp(runtime, clock=clock, cursor_blink=False, tick_seconds=0)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            screen = app.main_screen
            assert screen.first_screen_shown and screen.detail is not None
            assert loads == [] and PROBE_MODULE not in sys.modules  # the first screen is up without it
            assert screen.query("#tab-probe")  # its tab is there, empty
            await settle(pilot)
            assert loads == [] and PROBE_MODULE not in sys.modules  # nor loaded later while nobody looks
            screen.incident_pane.active = "tab-probe"
            panel = None

            def built():
                nonlocal panel
                found = screen.query("#probe")
                panel = found.first() if found else None
                return panel is not None and panel.shown

            await eventually(pilot, built, 5.0, "the probe panel built and shown the incident")
            assert loads == [True] and panel.shown[-1] == screen.detail.key
            first = screen.detail.key
            screen.table.focus()
            await pilot.press("down")
            await eventually(pilot, lambda: screen.detail.key != first and panel.shown[-1] == screen.detail.key,
                             5.0, "the probe panel follows the cursor")
            screen.incident_pane.active = "tab-detail"
            screen.incident_pane.active = "tab-probe"
            await settle(pilot)
            assert loads == [True] and len(screen.query("#probe")) == 1  # built once
    finally:
        runtime.db.dispose()
        db.dispose()
