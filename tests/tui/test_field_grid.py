"""The pane's label/value rows (tui/widgets/detail/field_grid.py) draw exactly what Rich's two-column
grid drew before them, cell for cell and style for style, at every width the pane can have."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from incidentdesk.tui.widgets.detail.field_grid import FieldGrid


def _rows():
    return [
        ("Impact/urgency", Text("high / medium → P2")),
        ("Description", Text("a long line of words that will wrap onto the next line for sure", overflow="fold")),
        ("Title", Text("a long single line that is cut with an ellipsis at the end", no_wrap=True, overflow="ellipsis")),
        ("A very long label name", Text("x", style="red")),
        ("Group / tier", Text.assemble(Text("Service Desk"), Text("  tier 1", style="dim"))),
        ("Empty", Text("")),
        ("Multi", Text("line one\nline two\n\nline four", overflow="fold")),
        ("Wide", Text("日本語のテキストがここにあります。とても長い説明です", overflow="fold")),
        ("Plain", "a plain string value"),
        ("Trailing", Text("ends with spaces   ")),
        ("Centred", Text("centred", justify="center")),
    ]


def _rich_grid(label_width: int) -> Table:
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(style="bold", no_wrap=True, width=label_width)
    grid.add_column(ratio=1)
    return grid


def _lines(console: Console, renderable) -> list[list[tuple]]:
    return [[(s.text, s.style) for s in Segment.simplify(line)] for line in console.render_lines(renderable)]


@pytest.mark.parametrize("label_width", [14, 16])
@pytest.mark.parametrize("width", [18, 20, 23, 40, 57, 80, 118, 200])
def test_the_field_rows_draw_what_richs_grid_drew(width, label_width):
    console = Console(width=width, force_terminal=True, color_system="truecolor", legacy_windows=False)
    rich_grid, ours = _rich_grid(label_width), FieldGrid(label_width)
    for label, value in _rows():
        rich_grid.add_row(label, value.copy() if isinstance(value, Text) else value)
        ours.add_row(label, value.copy() if isinstance(value, Text) else value)
    expected = _lines(console, rich_grid)
    assert _lines(console, ours) == expected
    assert len(expected) > len(_rows())  # some values wrapped: the continuation lines are compared too
