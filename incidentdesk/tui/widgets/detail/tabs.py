"""Extra tabs of the incident pane, declared once: title, id and the panel class that fills it.

The incident pane (pane.py) holds Detail, Timeline and Escalations, then one tab per entry here
(CI and changes, links, knowledge, ...). `panel` is a small function here that imports the
panel's module inside it and returns the class. Nothing of it is imported or built for the first
screen: the first time its tab is shown, the loader runs and the panel is built as
`Class(clock, id=...)` with the CSS class `extra-panel` (detail/pane.ExtraScroll); from then on
the main screen calls its `show(detail)` with every incident it shows (None: nothing selected),
as it does for the timeline, starting with the one on screen. A panel that needs more than the
detail reads it in its own thread worker (tui/reads.py style). tests/tui/test_extra_tabs.py fails
if a loader runs before its tab is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExtraTab:
    title: str
    id: str        # the tab is "tab-<id>", its panel "<id>"
    panel: Callable[[], type]  # returns the panel class (importing its module when called)

    def panel_class(self) -> type:
        return self.panel()


def _ci_panel() -> type:
    from incidentdesk.tui.widgets.cmdb.panel import CIPanel

    return CIPanel


def _knowledge() -> type:
    from incidentdesk.tui.widgets.kb.panel import KnowledgePanel

    return KnowledgePanel


def _request() -> type:
    from incidentdesk.tui.widgets.detail.request_panel import RequestPanel

    return RequestPanel


EXTRA_TABS: tuple[ExtraTab, ...] = (
    ExtraTab("CI", "ci-panel", _ci_panel),
    ExtraTab("Knowledge", "knowledge", _knowledge),
    ExtraTab("Request", "request", _request),
)
