"""The incident pane: detail (with SLA countdowns), timeline and escalations as tabs.

The main screen mounts it just after the first queue page is on screen, so start-up pays
only for the queue; until then the pane's place is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual.containers import VerticalScroll
from textual.widgets import TabbedContent, TabPane

from incidentdesk.tui.widgets.detail.panels import DetailPanel, EscalationsPanel, SlaPanel, TimelinePanel


def incident_pane(clock: Callable[[], datetime]) -> TabbedContent:
    pane = TabbedContent(id="incident-pane")
    for tab in (
        TabPane("Detail", VerticalScroll(SlaPanel(clock, id="sla"), DetailPanel(id="detail"), id="detail-scroll"),
                id="tab-detail"),
        TabPane("Timeline", VerticalScroll(TimelinePanel(id="timeline"), id="timeline-scroll"), id="tab-timeline"),
        TabPane("Escalations", VerticalScroll(EscalationsPanel(id="escalations"), id="escalations-scroll"),
                id="tab-escalations"),
    ):
        pane.compose_add_child(tab)  # as `with TabPane(...)` inside a compose() would
    return pane


def side_detail(clock: Callable[[], datetime]) -> VerticalScroll:
    """The detail beside the tabs on very wide terminals (the tabs then hold timeline and escalations)."""
    scroll = VerticalScroll(SlaPanel(clock, id="side-sla"), DetailPanel(id="side-detail-panel"), id="side-detail")
    scroll.border_title = "Detail"
    return scroll
