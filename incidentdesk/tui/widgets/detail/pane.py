"""The incident pane: detail (with SLA countdowns), timeline, escalations and the extra tabs (tabs.py).

The main screen mounts it just after the first queue page is on screen, so start-up pays
only for the queue; until then the pane's place is empty.

An extra tab (tabs.py) starts empty: its panel's module is imported and the panel built the
first time the tab is shown (ExtraScroll.build_panel, called by screens/panes.py), so no extra
tab costs the first screen anything, however many there are.

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
from incidentdesk.tui.widgets.detail import tabs
from incidentdesk.tui.widgets.detail.tabs import ExtraTab


class PaneScroll(VerticalScroll):
    """A focusable scroll area with the queue's keys: j / k as down / up (arrows, pgup/pgdn, home/end as usual)."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="pane.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="pane.up"),
    ]


class ExtraScroll(PaneScroll):
    """An extra tab's scroll area; its panel is built (its module imported) when the tab is first shown."""

    def __init__(self, extra: ExtraTab, clock: Callable[[], datetime], **kwargs) -> None:
        super().__init__(**kwargs)
        self.extra = extra
        self.clock = clock
        self.panel = None

    def build_panel(self):
        """The panel, built and mounted the first time; None if it was built already."""
        if self.panel is not None:
            return None
        self.panel = self.extra.panel_class()(self.clock, id=self.extra.id, classes="extra-panel")
        self.mount(self.panel)
        return self.panel

    def on_focus(self) -> None:
        """Focused (the tab opened): a panel with a list of its own (the knowledge tab's) takes it, so
        its keys act on the list whether the list arrived before or after the focus."""
        inner = [w for w in self.query("*") if w.focusable and w is not self]
        if inner:
            inner[0].focus()


def incident_pane(clock: Callable[[], datetime]) -> TabbedContent:
    pane = TabbedContent(id="incident-pane")
    for tab in (
        TabPane("Detail", PaneScroll(SlaPanel(clock, id="sla"), DetailPanel(id="detail"), id="detail-scroll"),
                id="tab-detail"),
        TabPane("Timeline", PaneScroll(TimelinePanel(clock, id="timeline"), id="timeline-scroll"), id="tab-timeline"),
        TabPane("Escalations", PaneScroll(EscalationsPanel(clock, id="escalations"), id="escalations-scroll"),
                id="tab-escalations"),
        *(TabPane(extra.title, ExtraScroll(extra, clock, id=f"{extra.id}-scroll"), id=f"tab-{extra.id}")
          for extra in tabs.EXTRA_TABS),
    ):
        pane.compose_add_child(tab)  # as `with TabPane(...)` inside a compose() would
    return pane


def side_detail(clock: Callable[[], datetime]) -> PaneScroll:
    """The detail beside the tabs on very wide terminals (the tabs then hold timeline and escalations)."""
    scroll = PaneScroll(SlaPanel(clock, id="side-sla"), DetailPanel(id="side-detail-panel"), id="side-detail")
    scroll.border_title = "Detail"
    return scroll
