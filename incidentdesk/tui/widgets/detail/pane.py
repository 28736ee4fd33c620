"""The incident pane: detail (with SLA countdowns), timeline, escalations and the extra tabs (tabs.py).

The main screen mounts it just after the first queue page is on screen, so start-up pays
only for the queue; until then the pane's place is empty.

Each tab's content scrolls in a PaneScroll, which takes the focus when the incident is
opened (enter) or a tab is switched to, so j/k, the arrows and PgUp/PgDn move through a long
detail or timeline as they move through the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import TabbedContent, TabPane

from incidentdesk.tui.widgets.detail.panels import DetailPanel, EscalationsPanel, SlaPanel, TimelinePanel
from incidentdesk.tui.widgets.detail.tabs import EXTRA_TABS


class PaneScroll(VerticalScroll):
    """A focusable scroll area with the queue's keys: j / k as down / up (arrows, pgup/pgdn, home/end as usual)."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="pane.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="pane.up"),
    ]


def incident_pane(clock: Callable[[], datetime]) -> TabbedContent:
    pane = TabbedContent(id="incident-pane")
    for tab in (
        TabPane("Detail", PaneScroll(SlaPanel(clock, id="sla"), DetailPanel(id="detail"), id="detail-scroll"),
                id="tab-detail"),
        TabPane("Timeline", PaneScroll(TimelinePanel(clock, id="timeline"), id="timeline-scroll"), id="tab-timeline"),
        TabPane("Escalations", PaneScroll(EscalationsPanel(clock, id="escalations"), id="escalations-scroll"),
                id="tab-escalations"),
        *(TabPane(extra.title, PaneScroll(extra.panel_class()(clock, id=extra.id, classes="extra-panel"),
                                          id=f"{extra.id}-scroll"), id=f"tab-{extra.id}") for extra in EXTRA_TABS),
    ):
        pane.compose_add_child(tab)  # as `with TabPane(...)` inside a compose() would
    return pane


def side_detail(clock: Callable[[], datetime]) -> PaneScroll:
    """The detail beside the tabs on very wide terminals (the tabs then hold timeline and escalations)."""
    scroll = PaneScroll(SlaPanel(clock, id="side-sla"), DetailPanel(id="side-detail-panel"), id="side-detail")
    scroll.border_title = "Detail"
    return scroll
