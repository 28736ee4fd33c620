"""A text field that picks from a list by fuzzy match: the category field of the console's dialogs.

Typing narrows the list (domain/cmdb.fuzzy_rank: prefix, then word start, then text inside,
then the letters in order); the best match is completed inline when it starts with what was
typed, and the first matches are listed on the field's bottom border; → at the end of the text
takes the best match. Free text stays possible (no tree defined: any text): the service checks
the value against the tree and says which paths are nearest when it is unknown.
"""

from __future__ import annotations

from rich.text import Text
from textual.suggester import Suggester
from textual.widgets import Input

from incidentdesk.domain.cmdb import fuzzy_rank


class _Best(Suggester):
    def __init__(self, names: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = names

    async def get_suggestion(self, value: str) -> str | None:
        best = fuzzy_rank(value, self.names, 1)
        if value and best and best[0].lower().startswith(value.lower()) and best[0] != value:
            return value + best[0][len(value):]  # Input shows what follows the typed text
        return None


class FuzzyPicker(Input):
    """An Input over `names`: inline completion, the best matches on its border, → takes the first."""

    def __init__(self, names: list[str], value: str = "", **kwargs) -> None:
        self.names = list(names)
        self.matches: list[str] = []
        super().__init__(value, suggester=_Best(self.names), **kwargs)

    def on_mount(self) -> None:
        self._show_matches(self.value)

    def _watch_value(self, value: str) -> None:
        super()._watch_value(value)
        self._show_matches(value)

    def _show_matches(self, value: str) -> None:
        self.matches = [] if value in self.names else fuzzy_rank(value, self.names, 3)
        if not self.matches:
            self.border_subtitle = ""
            return
        self.border_subtitle = Text.assemble(("→ ", "bold"), " · ".join(self.matches))

    def action_cursor_right(self, select: bool = False) -> None:
        if self.cursor_at_end and self.matches and not self._suggestion and not select:
            self.value = self.matches[0]
            self.cursor_position = len(self.value)
            return
        super().action_cursor_right(select)
