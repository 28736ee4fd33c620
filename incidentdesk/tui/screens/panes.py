"""The main screen's panes at every size: queue and incident side by side, as tabs, or three-up.

At 80x24 (under 100 columns or 30 lines) the queue and the incident pane are tabs; from
SIDE_WIDTH columns the detail sits beside the timeline / escalations tabs, so nothing needs a
tab switch. This part of MainScreen (screens/main.py) lays them out, shows a detail in
whichever panels are in use, and moves the focus between them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widgets import TabbedContent, Tabs

SIDE_WIDTH = 200  # from this many columns the queue and the incident sit side by side


class PanesPart:
    """Layout and focus of MainScreen's panes (a mixin: MainScreen holds `detail` and the widgets)."""

    def on_resize(self) -> None:
        self._apply_layout()

    def _is_narrow(self) -> bool:
        width, height = self.app.size
        return width < 100 or height < 30

    @staticmethod
    def _pane_tabs() -> Tabs:
        from textual.widgets import Tab, Tabs

        return Tabs(Tab("Queue", id="show-queue"), Tab("Incident", id="show-incident"), id="pane-tabs")

    def _is_side(self) -> bool:
        """Wide enough for the queue and the incident side by side (and not narrow)."""
        return not self._is_narrow() and self.app.size.width >= SIDE_WIDTH

    def _apply_layout(self) -> None:
        narrow = self._is_narrow()
        if narrow and not self.query("#pane-tabs"):
            self.mount(self._pane_tabs(), before="#body")
        self.set_class(narrow, "-narrow")
        self._set_side(self._is_side())
        if not narrow:
            self.remove_class("-show-incident")

    def _set_side(self, side: bool) -> None:
        """Very wide: queue left; detail above timeline/escalations right, with no detail tab to switch to.

        The side detail is a second pair of panels, mounted the first time the terminal is this wide
        (so start-up at ordinary sizes does not pay for it) and kept in step by _show_detail.
        """
        self.set_class(side, "-side")
        pane = self.incident_pane
        if pane is None or side == self._side_tab_hidden:
            return
        if side:
            if not self.query("#side-detail"):
                from incidentdesk.tui.widgets.detail.pane import side_detail

                self.query_one("#incident-column").mount(side_detail(self.app.clock), before=pane)
            if pane.active == "tab-detail":
                pane.active = "tab-timeline"
            pane.hide_tab("tab-detail")
        else:
            pane.show_tab("tab-detail")
        self._side_tab_hidden = side
        self.call_after_refresh(lambda: self._show_detail(self.detail))  # into the panels now in use, when it runs

    def _detail_panels(self, *kinds: str):
        """The detail panels in use: beside the tabs on very wide terminals, else in the Detail tab."""
        where = "#side-detail" if self._side_tab_hidden else "#detail-scroll"
        return self.query(", ".join(f"{where} {kind}" for kind in kinds))

    @property
    def incident_pane(self) -> TabbedContent | None:
        """The incident pane (composed with the queue; None only before the screen is composed)."""
        panes = self.query("#incident-pane")
        return panes.first() if panes else None

    def _show_detail(self, detail) -> None:
        for panel in self._detail_panels("DetailPanel", "SlaPanel"):
            panel.show(detail)
        for panel in self.query("TimelinePanel"):
            panel.show(detail)
        for panel in self.query("EscalationsPanel, .extra-panel"):
            panel.show(detail)
        pane = self.incident_pane
        if pane is not None:
            pane.border_title = f"{detail.key}" if detail else "Incident"
        self.refresh_bindings()

    def _show_pane(self, which: str) -> None:
        self.set_class(which == "incident", "-show-incident")
        tabs = self.query_one("#pane-tabs")
        tabs.active = f"show-{which}"
        if which == "queue":
            self.table.focus()
        else:
            self._focus_incident()

    def _focus_incident(self) -> None:
        """Focus what scrolls in the incident pane (the side detail when beside the tabs), so j/k/PgDn move it."""
        if self._side_tab_hidden and self.query("#side-detail"):
            self.query_one("#side-detail").focus()
            return
        pane = self.incident_pane
        if pane is not None and pane.active:
            scrolls = pane.query(f"#{pane.active} PaneScroll")
            if scrolls:
                scrolls.first().focus()

    def _in_incident_pane(self) -> bool:
        focused = self.focused
        pane = self.incident_pane
        return focused is not None and pane is not None and (focused is pane or pane in focused.ancestors)

    def on_tabs_tab_activated(self, msg: Tabs.TabActivated) -> None:
        if msg.tabs.id != "pane-tabs":
            return
        which = "incident" if msg.tab.id == "show-incident" else "queue"
        if self.has_class("-show-incident") != (which == "incident"):
            self._show_pane(which)

    def on_tabbed_content_tab_activated(self, msg: TabbedContent.TabActivated) -> None:
        """An extra tab shown for the first time: build its panel now and show it the incident shown."""
        if msg.tabbed_content.id != "incident-pane":
            return
        from incidentdesk.tui.widgets.detail.pane import ExtraScroll

        for scroll in msg.pane.query(ExtraScroll):
            panel = scroll.build_panel()
            if panel is not None:
                self.call_after_refresh(lambda panel=panel: panel.show(self.detail))

    def action_back(self) -> None:
        if self.has_class("-show-incident"):
            self._show_pane("queue")
        else:
            self.table.focus()

    def action_next_tab(self) -> None:
        self._switch_tab("action_next_tab")

    def action_previous_tab(self) -> None:
        self._switch_tab("action_previous_tab")

    def _switch_tab(self, how: str) -> None:
        inside = self._in_incident_pane()
        for tabs in self.query("#incident-pane Tabs"):
            getattr(tabs, how)()
        if inside:  # keep scrolling with j/k in the tab now shown
            self.call_after_refresh(self._focus_incident)

    def action_toggle_times(self) -> None:
        self.exact_times = not self.exact_times
        for panel in self.query("TimelinePanel, EscalationsPanel"):
            panel.exact_times = self.exact_times
            panel.tick()
