"""The reports screen (R): figures read in a worker, period and breakdown by keys, trends plotted.

Snapshots at 120x36 and 80x24 over fixed data and a fixed clock; run under
`flock /tmp/incidentdesk-snapshots.lock`; update with `--snapshot-update` after an intended change.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, TabbedContent
from textual_plotext import PlotextPlot

from tests.support.metrics import history
from tests.support.tui import eventually, settle


def _app(snapshot_app, name: str):
    app = snapshot_app(name)
    history(app.runtime.db, app.snapshot_clock.now)
    return app


def _cells(app, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def _open(pilot) -> None:
    await settle(pilot, rounds=4)
    await pilot.press("R")
    await eventually(pilot, lambda: pilot.app.screen.id == "reports-screen"
                     and pilot.app.screen.query_one("#reports-rates", DataTable).row_count > 0, 10, "the report")
    await settle(pilot, rounds=2)


@pytest.mark.anyio
async def test_keys_change_period_and_breakdown(snapshot_app):
    app = _app(snapshot_app, "reports-keys")
    async with app.run_test(size=(120, 36)) as pilot:
        await _open(pilot)
        rows = _cells(app, "#reports-rates")
        # the "all" row first, then P1..P4 in order
        assert rows[0][0] == "all" and [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
        logged_30d = int(rows[0][1])
        await pilot.press("p")   # 30d -> 90d: all five weeks of history
        await eventually(pilot, lambda: int(_cells(app, "#reports-rates")[0][1]) > logged_30d, 10, "90 days")
        # the oldest history week, 35 days back, adds its P1, P2 and two P3s
        assert int(_cells(app, "#reports-rates")[0][1]) == logged_30d + 4
        await pilot.press("b")   # priority -> group
        await eventually(pilot, lambda: app.screen.by == "group" and _cells(app, "#reports-rates")
                         and len(app.screen.query_one("#reports-rates", DataTable).columns) == 12, 10, "by group")
        await pilot.press("t")
        assert app.screen.query_one(TabbedContent).active == "trends"
        await pilot.press("escape")
        assert app.screen.id != "reports-screen"


# The trends at 80x24 are not photographed: in about one run of five plotext placed one tick label
# of the small SLA plot a cell to the side (its layout of labels is not the same from run to run
# at that width), so that picture could not be held still. test_trends_fit_80x24 checks them there.
@pytest.mark.parametrize(("tab", "size"), [("figures", (120, 36)), ("figures", (80, 24)), ("trends", (120, 36))],
                         ids=["figures-120x36", "figures-80x24", "trends-120x36"])
def test_reports_snapshot(snap_compare, snapshot_app, tab, size):
    app = _app(snapshot_app, f"reports-{tab}-{size[0]}")

    async def run_before(pilot) -> None:
        pilot.app.animation_level = "none"  # the tab underline jumps instead of sliding: nothing mid-animation
        await _open(pilot)
        if tab == "trends":
            await pilot.press("t")
            plots = pilot.app.screen.query(PlotextPlot)
            await eventually(pilot, lambda: all(p.size.width > 0 and p.size.height > 0 for p in plots), 10,
                             "the plots laid out")
        await settle(pilot, rounds=3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.anyio
async def test_trends_fit_80x24(snapshot_app):
    """At 80x24 the three trend plots are laid out, each with its title and a series drawn in it."""
    app = _app(snapshot_app, "reports-trends-fit-80")
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot)
        await pilot.press("t")
        plots = list(app.screen.query(PlotextPlot))
        await eventually(pilot, lambda: all(p.size.width > 0 and p.size.height > 0 for p in plots), 10,
                         "the plots laid out")
        await settle(pilot, rounds=2)
        assert [p.id for p in plots] == ["plot-mttr", "plot-volume", "plot-sla"]
        assert all(p.region.right <= 80 and p.region.bottom <= 24 for p in plots)
        drawn = {p.id: p.plt.build() for p in plots}  # what each shows at its size: title, axes, series
        assert "Weekly MTTR" in drawn["plot-mttr"] and "•" in drawn["plot-mttr"]
        assert "Weekly volume" in drawn["plot-volume"] and "█" in drawn["plot-volume"]
        assert "Weekly SLA" in drawn["plot-sla"] and "•" in drawn["plot-sla"]
