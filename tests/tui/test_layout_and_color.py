"""Terminal sizes and colour: 200x60 shows detail and timeline at once; NO_COLOR loses no cue."""

from __future__ import annotations

import re

import pytest
from rich.style import Style
from rich.terminal_theme import SVG_EXPORT_THEME
from textual.filter import Monochrome

from incidentdesk.tui.format import priority_text, use_palette
from incidentdesk.tui.widgets.detail.panels import DetailPanel, TimelinePanel
from incidentdesk.tui.widgets.queue.table import QueueTable
from tests.support.desk import build, make_app, open_db
from tests.support.tui import plain_text, select_key, settle


pytestmark = pytest.mark.anyio


def _visible(widget) -> bool:
    return widget.display and all(a.display for a in widget.ancestors if hasattr(a, "display")) \
        and widget.region.area > 0


async def test_200x60_shows_queue_detail_and_timeline_together(tmp_path, tui_clock):
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, long_timeline=True, major=True)
    app = make_app(db, "tess", tui_clock)
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        await select_key(pilot, keys["vpn"])
        await settle(pilot)
        screen = app.main_screen
        assert screen.has_class("-side")
        queue = screen.query_one(QueueTable)
        side = screen.query_one("#side-detail-panel", DetailPanel)
        timeline = screen.query_one(TimelinePanel)
        for widget in (queue, side, timeline):
            assert _visible(widget), widget
        # queue on the left, detail above the timeline on the right, each using the space
        assert queue.region.right <= side.region.x and side.region.bottom <= timeline.region.y
        assert queue.region.width >= 104 and queue.region.height >= 50  # full column widths
        assert side.region.width >= 80 and timeline.region.width >= 80
        assert not screen.query_one("#incident-pane").query_one("ContentTab#--content-tab-tab-detail").display
        # both copies of the detail show the selected incident
        assert "VPN gateway unreachable" in plain_text(side) and "MAJOR INCIDENT" in plain_text(side)

        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        assert not screen.has_class("-side") and not _visible(screen.query_one("#side-detail"))
        assert screen.query_one("ContentTab#--content-tab-tab-detail").display
        # the Detail tab is back and shows the selected incident (its panel sat idle while wide)
        assert "VPN gateway unreachable" in plain_text(screen.query_one("#detail", DetailPanel))
    db.dispose()


def _fills(svg: str) -> set[str]:
    """Text colours (the `-rN` style classes) and cell backgrounds (rects); not the window's chrome."""
    text = re.findall(r"-r\d+ \{[^}]*fill:\s*(#[0-9a-fA-F]{6})", svg)
    backgrounds = re.findall(r'<rect fill="(#[0-9a-fA-F]{6})"', svg)
    assert text and backgrounds, "the screenshot's format changed"
    return set(text) | set(backgrounds)


def _grey(colour: str) -> bool:
    """Grey, or the terminal's own default foreground (what an SVG export shows for "no colour")."""
    if colour.lower() == SVG_EXPORT_THEME.foreground_color.hex:
        return True
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return max(r, g, b) - min(r, g, b) <= 2


async def _screenshot(db, clock) -> tuple[str, dict[str, str], object, list[str]]:
    app = make_app(db, "tess", clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.main_screen.query_one(QueueTable)
        cells = {r.key: table.get_cell(str(r.id), "sla").plain + " " + table.get_cell(str(r.id), "prio").plain
                 for r in table.rows_by_id.values()}
        styles = [Style.normalize(str(t.style)) for r in table.rows_by_id.values()
                  for t in (table.get_cell(str(r.id), "sla"), table.get_cell(str(r.id), "prio"))]
        return app.export_screenshot(), cells, app, styles


async def test_no_color_renders_in_greys_and_keeps_every_cue(tmp_path, tui_clock, monkeypatch):
    db = open_db(tmp_path / "desk.db")
    keys = build(db, tui_clock, major=True)
    # the P1's response target (15 min) is long gone; the P2's (30 min) is 80% used: at risk
    tui_clock.advance(minutes=9)

    coloured, cells, app, styles = await _screenshot(db, tui_clock)
    assert any(Style.parse(st).color is not None for st in styles)
    assert not app.no_color and any(not _grey(c) for c in _fills(coloured))  # the control: colour is there

    monkeypatch.setenv("NO_COLOR", "1")
    mono, mono_cells, app, mono_styles = await _screenshot(db, tui_clock)
    assert app.no_color and any(isinstance(f, Monochrome) for f in app._filters)
    # In greys red on dark is all but invisible: emphasis is weight and reverse video, not colour.
    assert all(Style.parse(st).color is None for st in mono_styles), mono_styles
    assert "reverse" in Style.normalize(priority_text(1).style) and Style.parse(str(priority_text(1).style)).bold
    assert all(_grey(c) for c in _fills(mono)), sorted(c for c in _fills(mono) if not _grey(c))
    assert mono_cells == cells  # the same text: nothing was said by colour alone
    use_palette(False)  # as the next app in this process would
    vpn_sla, vpn_prio = cells[keys["vpn"]].split()
    assert vpn_prio == "P1★" and vpn_sla.startswith("+")  # major; breached, counting up
    assert any(c.startswith("!") for c in cells.values()), cells  # at risk is marked, not only amber
    db.dispose()
