"""The key bar: only keys that work now, fitted to the width, rebuilt only when that changes.

What it offers comes from the screen: `screen.footer_item(binding)` says whether a binding is
shown, under which labels, and how much it matters (rank 0 is never dropped). The bar then
fits them to the terminal: full labels if everything fits (compact style if need be), else
short labels, else the least useful keys go first — `/`, `f`, `?` and `q` (rank 0) always stay, and
the palette key (ctrl+p) outlasts all but the three most useful actions. Remapped keys ([keys] in
incidentdesk.toml) show as remapped, because the bar reads the screen's active bindings.

Footer rebuilds all its keys whenever the screen says its bindings may have changed (each
focus change, each screen push). At start-up that happens four times before the first page
is on screen, with the very same keys each time; with a dozen keys each rebuild costs tens
of milliseconds. This one compares what it would show with what it shows and skips a rebuild
that would change nothing. Textual is pinned (pyproject.toml), and tests/tui cover the bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PALETTE_RANK = 3.5  # ctrl+p: kept after the three most useful actions (acknowledge, resolve, escalate)


@dataclass(frozen=True)
class FooterItem:
    """How the screen wants one binding shown: `short` when space is tight; rank 0 is never dropped."""

    label: str
    short: str = ""
    rank: float = 10


@dataclass(frozen=True)
class _Entry:
    key: str
    display: str
    action: str
    tooltip: str
    item: FooterItem
    palette: bool = False


def _width(entry: _Entry, label: str, compact: bool) -> int:
    """Cells a FooterKey takes (its CSS: key padding, description padding, compact margin)."""
    key = Text(entry.display).cell_len
    words = Text(label).cell_len
    if entry.palette:  # docked right, with a border on its left
        return key + words + (3 if compact else 5)
    return key + words + 2 if compact else key + words + 3


def fit(entries: list[_Entry], width: int) -> tuple[list[tuple[_Entry, str]], bool]:
    """Which entries, under which labels, and whether compact, for a bar `width` cells wide."""
    full = [(e, e.item.label) for e in entries]
    for compact in (False, True):
        if sum(_width(e, lbl, compact) for e, lbl in full) <= width:
            return full, compact
    chosen = [(e, e.item.short or e.item.label) for e in entries]
    droppable = sorted((e for e in entries if e.item.rank > 0), key=lambda e: e.item.rank, reverse=True)
    while sum(_width(e, lbl, True) for e, lbl in chosen) > width and droppable:
        gone = droppable.pop(0)
        chosen = [(e, lbl) for e, lbl in chosen if e is not gone]
    return chosen, True


class DeskFooter(Footer):
    _shown: tuple | None = None

    def _entries(self) -> list[_Entry] | None:
        screen = self.screen
        ask = getattr(screen, "footer_item", None)
        if ask is None:
            return None
        app = self.app
        entries = []
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            palette = binding.action in ("command_palette", "app.command_palette")
            if palette:
                if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
                    continue
                item = FooterItem("Palette", "", PALETTE_RANK)
            else:
                item = ask(binding) if enabled else None
            if item is not None:
                entries.append(_Entry(binding.key, app.get_key_display(binding), binding.action,
                                      tooltip or binding.tooltip or binding.description, item, palette))
        return entries

    def _plan(self) -> tuple[list[tuple[_Entry, str]], bool] | None:
        entries = self._entries()
        if entries is None:
            return None
        return fit(entries, self.app.size.width)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        plan = self._plan()
        if plan is None:
            yield from super().compose()
            return
        chosen, compact = plan
        self.compact = compact
        for entry, label in chosen:
            key = FooterKey(entry.key, entry.display, label, entry.action, tooltip=entry.tooltip,
                            classes="-command-palette" if entry.palette else "")
            yield key.data_bind(compact=Footer.compact)

    def _signature(self) -> tuple:
        plan = self._plan()
        if plan is not None:
            return tuple((e.display, lbl, e.action, e.palette) for e, lbl in plan[0]), plan[1]
        app = self.app
        keys = tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.show,
             binding.group, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )
        return keys, self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE

    def bindings_changed(self, screen) -> None:
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            super().bindings_changed(screen)
            return
        self._bindings_ready = True
        self.call_after_refresh(self._recompose_if_changed)

    def on_resize(self) -> None:
        if self._bindings_ready:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature()
        if signature != self._shown:
            self._shown = signature
            await self.recompose()
