"""The key bar: only keys that work now, fitted to the width, rebuilt only when that changes.

What it offers comes from the screen: `screen.footer_item(binding)` says whether a binding is
shown, under which labels, and how much it matters (rank 0 is never dropped). The bar then
fits them to the terminal: full labels if everything fits (compact style if need be), else
short labels, else the least useful keys go first — `/`, `f`, `?` and `q` (rank 0) always stay, and
the palette key (ctrl+p) outlasts all but the three most useful actions. Remapped keys ([keys] in
incidentdesk.toml) show as remapped, because the bar reads the screen's active bindings.

The bar is built on Textual's public API only: it subscribes to the screen's
`bindings_updated_signal`, reads `screen.active_bindings` and draws its own KeyCap widgets,
styled exactly as Textual's Footer and its keys (the same theme variables, paddings and margins;
the snapshots hold it to that). Textual's Footer rebuilds all its keys whenever the screen says
its bindings may have changed (each focus change, each screen push) — at start-up four times
with the very same keys, tens of milliseconds each. This one compares what it would show with
what it shows and skips a rebuild that would change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.reactive import reactive
from textual.widget import Widget

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


class KeyCap(Widget):
    """One key on the bar: the key, then its label; a click presses the key. Styled as Textual's FooterKey."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description"}
    DEFAULT_CSS = """
    KeyCap {
        width: auto;
        height: 1;
        text-wrap: nowrap;
        background: $footer-item-background;
        .footer-key--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
            padding: 0 1;
        }
        .footer-key--description {
            padding: 0 1 0 0;
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        &:hover {
            pointer: pointer;
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        &.-compact {
            .footer-key--key {
                padding: 0;
            }
            .footer-key--description {
                padding: 0 0 0 1;
            }
        }
    }
    """

    compact = reactive(True)

    def __init__(self, key: str, key_display: str, description: str, action: str, *, tooltip: str = "",
                 classes: str = "") -> None:
        super().__init__(classes=classes)
        self.key, self.key_display, self.description, self.action = key, key_display, description, action
        self.set_reactive(Widget.shrink, False)
        if tooltip:
            self.tooltip = tooltip

    def watch_compact(self, compact: bool) -> None:
        self.set_class(compact, "-compact")

    def render(self) -> Text:
        key_style = self.get_component_rich_style("footer-key--key")
        description_style = self.get_component_rich_style("footer-key--description")
        key_padding = self.get_component_styles("footer-key--key").padding
        description_padding = self.get_component_styles("footer-key--description").padding
        if self.description:
            text = Text.assemble(
                (" " * key_padding.left + self.key_display + " " * key_padding.right, key_style),
                (" " * description_padding.left + self.description + " " * description_padding.right,
                 description_style),
            )
        else:
            text = Text.assemble((self.key_display, key_style))
        text.stylize_before(self.rich_style)
        return text

    def on_mouse_down(self) -> None:
        self.app.simulate_key(self.key)


class DeskFooter(ScrollableContainer, can_focus=False, can_focus_children=False):
    """The key bar, docked at the bottom. Styled as Textual's Footer."""

    ALLOW_SELECT = False
    DEFAULT_CSS = """
    DeskFooter {
        layout: horizontal;
        color: $footer-foreground;
        background: $footer-background;
        dock: bottom;
        height: 1;
        scrollbar-size: 0 0;
        &.-compact {
            KeyCap {
                margin-right: 1;
            }
            KeyCap.-command-palette {
                padding-right: 0;
            }
        }
        KeyCap.-command-palette {
            dock: right;
            padding-right: 1;
            border-left: vkey $foreground 20%;
        }
    }
    """

    compact = reactive(False, toggle_class="-compact")
    show_command_palette = reactive(True)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ready = False  # the screen has said its bindings are in place
        self._shown: tuple | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _entries(self) -> list[_Entry]:
        screen = self.screen
        ask = getattr(screen, "footer_item", None)
        app = self.app
        entries = []
        for _, binding, enabled, tooltip in screen.active_bindings.values():
            palette = binding.action in ("command_palette", "app.command_palette")
            if palette:
                if not (self.show_command_palette and app.ENABLE_COMMAND_PALETTE):
                    continue
                item = FooterItem("Palette", "", PALETTE_RANK)
            elif ask is not None:
                item = ask(binding) if enabled else None
            else:  # a screen without a say: what its bindings show, as Textual's Footer would
                item = FooterItem(binding.description) if binding.show and enabled else None
            if item is not None:
                entries.append(_Entry(binding.key, app.get_key_display(binding), binding.action,
                                      tooltip or binding.tooltip or binding.description, item, palette))
        return entries

    def _plan(self) -> tuple[list[tuple[_Entry, str]], bool]:
        return fit(self._entries(), self.app.size.width)

    def compose(self) -> ComposeResult:
        if not self._ready:
            return
        chosen, compact = self._plan()
        self.compact = compact
        for entry, label in chosen:
            key = KeyCap(entry.key, entry.display, label, entry.action, tooltip=entry.tooltip,
                         classes="-command-palette" if entry.palette else "")
            yield key.data_bind(compact=DeskFooter.compact)

    def _signature(self) -> tuple:
        chosen, compact = self._plan()
        return tuple((e.display, lbl, e.action, e.palette) for e, lbl in chosen), compact

    def bindings_changed(self, screen) -> None:
        self._ready = True
        if not screen.app.app_focus or not (self.is_attached and screen is self.screen):
            return
        self.call_after_refresh(self._recompose_if_changed)

    def on_resize(self) -> None:
        if self._ready:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        signature = self._signature()
        if signature != self._shown:
            self._shown = signature
            await self.recompose()
