"""Label / value rows, drawn as Rich's two-column grid draws them, without its table layout.

The incident pane (and the CI and major-incident panels) show fields as a bold label column of
a fixed width (16 cells unless given), a one-cell gap, then
the value in the rest of the width, wrapped or cut as the value's Text says. Rich's Table does
that by measuring every cell and solving the column widths first; with the widths fixed here,
each value is rendered once, at the width it gets (the pane draws on every incident shown,
and on the console's first screen).
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

LABEL_WIDTH = 16
GAP = 1
_BOLD = Style(bold=True)


class FieldGrid:
    """Rows of (label, value), the label in bold in its own column, the value wrapped beside it."""

    def __init__(self, label_width: int = LABEL_WIDTH) -> None:
        self.label_width = label_width
        self.rows: list[tuple[str, Text | str]] = []

    def add_row(self, label: str, value: Text | str) -> None:
        self.rows.append((label, value))

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(self.label_width + GAP + 1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        value_width = max(1, width - self.label_width - GAP)
        # As Rich's grid renders a cell of a left-justified column: cut with an ellipsis unless the Text says.
        value_options = options.update(width=value_width, height=None, justify="left", overflow="ellipsis",
                                       no_wrap=False)
        blank = Segment(" " * (self.label_width + GAP), _BOLD)
        new_line = Segment.line()
        for label, value in self.rows:
            shown = Text(label, no_wrap=True, overflow="ellipsis")
            shown.truncate(self.label_width, overflow="ellipsis", pad=True)
            head = Segment(shown.plain + " " * GAP, _BOLD)
            lines = console.render_lines(value if isinstance(value, Text) else Text(value), value_options, pad=True)
            for n, line in enumerate(lines):
                yield head if n == 0 else blank
                yield from line
                yield new_line
