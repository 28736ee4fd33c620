"""A probe panel for the incident pane's extra tabs (tui/widgets/detail/tabs.py): records what it was shown.

Its own module, imported only by `load_probe_panel`, so a test can tell whether the pane imported an
extra tab's module before that tab was shown.
"""

from __future__ import annotations

from textual.widgets import Static


class ProbePanel(Static):
    def __init__(self, clock, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.clock = clock
        self.shown: list[str | None] = []

    def show(self, detail) -> None:
        self.shown.append(detail.key if detail is not None else None)
        self.update(f"probe: {detail.key if detail is not None else '-'}")
